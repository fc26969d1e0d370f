"""Benchmark: one training step of a 784-512-256-10 ReLU MLP, batch 256, float32.

Times, in one run, each contender in its own process, interleaved round by round (so
that a slower or busier stretch of a shared machine hits every contender alike):

- ``mlpbook``: ``train_step`` of the library's ``mlp`` with SGD;
- ``numpy (bare)``: the same step hand-written as straight numpy, no abstractions;
- ``torch``: the same model in PyTorch on the CPU with the same number of threads.

It prints the median time per step of each, the ratio of mlpbook to torch (the target
is ≤ 1.0), and the share of the machine's raw float32 matmul throughput (numpy, a large
square product) that each step reaches. Run it with ``make bench``.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import multiprocessing as mp
import os
import statistics
import sys
import time

import numpy as np

import mlpbook
from mlpbook.optim import SGD
from mlpbook.training import train_step

SIZES = (784, 512, 256, 10)
BATCH = 256
LR = 0.01


def step_flops(sizes=SIZES, n=BATCH) -> int:
    """Matmul FLOPs of one step: forward, weight gradients, and dx of all but layer 1."""
    pairs = list(itertools.pairwise(sizes))
    forward = sum(2 * n * d * h for d, h in pairs)
    dx = sum(2 * n * d * h for d, h in pairs[1:])
    return 2 * forward + dx


def matmul_gflops(size=2048, repeats=5) -> float:
    """The machine's raw float32 matmul throughput through numpy, in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def make_data(rng):
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], size=BATCH)
    return x, y


def mlpbook_step(x, y):
    model = mlpbook.mlp(list(SIZES), "relu", rng=0, dtype=np.float32)
    opt = SGD(LR)
    return lambda: train_step(model, x, y, "softmax_cross_entropy", opt)


def bare_numpy_step(x, y):
    """The step written out by hand in straight numpy: no layers, no checks, no dicts.

    It writes the weight gradients and the update into preallocated arrays (a fresh
    1.6 MB temporary per step costs page faults), so it is the floor the library's
    abstractions sit on.
    """
    rng = np.random.default_rng(0)
    ws = [
        (rng.standard_normal((d, h), dtype=np.float32) * np.float32(np.sqrt(2 / d)))
        for d, h in itertools.pairwise(SIZES)
    ]
    bs = [np.zeros(h, dtype=np.float32) for h in SIZES[1:]]
    dws = [np.empty_like(w) for w in ws]
    n = len(x)
    rows = np.arange(n)

    def step():
        a1 = x @ ws[0]
        a1 += bs[0]
        np.maximum(a1, 0, out=a1)
        a2 = a1 @ ws[1]
        a2 += bs[1]
        np.maximum(a2, 0, out=a2)
        z = a2 @ ws[2]
        z += bs[2]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1
        p /= n
        np.matmul(a2.T, p, out=dws[2])
        db2 = p.sum(0)
        d2 = p @ ws[2].T
        d2 *= a2 > 0
        np.matmul(a1.T, d2, out=dws[1])
        db1 = d2.sum(0)
        d1 = d2 @ ws[1].T
        d1 *= a1 > 0
        np.matmul(x.T, d1, out=dws[0])
        db0 = d1.sum(0)
        for w, g in zip(ws, dws, strict=True):
            g *= -LR
            w += g
        for b, g in zip(bs, (db0, db1, db2), strict=True):
            b -= LR * g
        return loss

    return step


def torch_step(x, y, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i, (d, h) in enumerate(itertools.pairwise(SIZES)):
        layers.append(torch.nn.Linear(d, h))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step, torch.__version__


def _worker(name: str, threads: int, conn) -> None:
    """Child process: build one contender, then time ``n`` steps each time it is asked."""
    x, y = make_data(np.random.default_rng(0))
    if name == "torch":
        step, version = torch_step(x, y, threads)
    else:
        step, version = (mlpbook_step if name == "mlpbook" else bare_numpy_step)(x, y), None
    conn.send(version)
    while (n := conn.recv()) is not None:
        for _ in range(3):  # wake this contender's threads and caches, untimed
            step()
        start = time.perf_counter()
        for _ in range(n):
            step()
        conn.send((time.perf_counter() - start) / n)


def measure(
    names, threads: int, rounds: int, per_round: int, warmup: int, settle: float = 0.3
) -> tuple[dict, dict]:
    """Median seconds per step of each contender, each in its own process, rounds interleaved.

    Separate processes keep numpy's OpenBLAS and torch's OpenMP thread pools apart; the
    interleaving makes a slower stretch of a shared machine hit every contender alike;
    the pause before each turn lets the previous contender's spinning threads go idle.
    """
    ctx = mp.get_context("spawn")
    workers = {}
    for name in names:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(name, threads, child), daemon=True)
        proc.start()
        workers[name] = (proc, parent)
    versions = {name: conn.recv() for name, (_, conn) in workers.items()}
    samples = {name: [] for name in names}
    try:
        for _, conn in workers.values():
            conn.send(warmup)
            conn.recv()
        for _ in range(rounds):
            for name, (_, conn) in workers.items():
                time.sleep(settle)
                conn.send(per_round)
                samples[name].append(conn.recv())
    finally:
        for proc, conn in workers.values():
            conn.send(None)
            proc.join(timeout=10)
    return {name: statistics.median(s) for name, s in samples.items()}, versions


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    args = parser.parse_args(argv)

    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    names = ["mlpbook", "numpy (bare)"]
    if not args.no_torch:
        if importlib.util.find_spec("torch") is None:
            print(
                "PyTorch is not installed: run `make bench` (it installs torch==2.13.0 in "
                ".bench-venv/), or pass --no-torch",
                file=sys.stderr,
            )
            return 2
        names.append("torch")

    raw = matmul_gflops()
    times, versions = measure(names, threads, args.rounds, args.per_round, args.warmup)
    torch_version = versions.get("torch")
    flops = step_flops()

    print(
        f"MLP {'-'.join(map(str, SIZES))} ReLU, batch {BATCH}, float32, SGD; "
        f"{threads} threads; numpy {np.__version__}"
        + (f", torch {torch_version}" if torch_version else "")
    )
    print(f"raw numpy float32 matmul throughput: {raw:.1f} GFLOP/s (2048x2048)")
    print(f"{'contender':<14}{'ms/step':>9}{'GFLOP/s':>9}{'of raw':>8}")
    for name, t in times.items():
        rate = flops / t / 1e9
        print(f"{name:<14}{t * 1e3:>9.3f}{rate:>9.1f}{rate / raw:>8.0%}")
    if "torch" in times:
        print(
            f"ratio mlpbook / torch:       {times['mlpbook'] / times['torch']:.3f}  (target <= 1.0)"
        )
        print(f"ratio numpy (bare) / torch:  {times['numpy (bare)'] / times['torch']:.3f}")
    print(
        f"ratio mlpbook / numpy (bare): {times['mlpbook'] / times['numpy (bare)']:.3f}  "
        "(the cost of the abstractions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
