"""Benchmark: one training step of a 784-512-256-10 ReLU MLP, batch 256, float32.

Times, in one run and interleaved round by round (so that a slower or busier stretch of
the machine hits every contender alike):

- ``mlpbook``: ``train_step`` of the library's ``mlp`` with SGD;
- ``numpy (bare)``: the same step hand-written as straight numpy, no abstractions;
- ``torch``: the same model in PyTorch on the CPU with the same number of threads.

It prints the median time per step of each, the ratio of mlpbook to torch (the target
is ≤ 1.0), and the share of the machine's raw float32 matmul throughput (numpy, a large
square product) that each step reaches. Run it with ``make bench``.
"""

from __future__ import annotations

import argparse
import itertools
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
    """The step written out by hand: the floor that the library's abstractions sit on."""
    rng = np.random.default_rng(0)
    ws = [
        (rng.standard_normal((d, h), dtype=np.float32) * np.float32(np.sqrt(2 / d)))
        for d, h in itertools.pairwise(SIZES)
    ]
    bs = [np.zeros(h, dtype=np.float32) for h in SIZES[1:]]
    n = len(x)
    rows = np.arange(n)

    def step():
        a1 = np.maximum(x @ ws[0] + bs[0], 0)
        a2 = np.maximum(a1 @ ws[1] + bs[1], 0)
        z = a2 @ ws[2] + bs[2]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1
        p /= n
        dw2, db2 = a2.T @ p, p.sum(0)
        d2 = (p @ ws[2].T) * (a2 > 0)
        dw1, db1 = a1.T @ d2, d2.sum(0)
        d1 = (d2 @ ws[1].T) * (a1 > 0)
        dw0, db0 = x.T @ d1, d1.sum(0)
        for w, g in zip(ws + bs, (dw0, dw1, dw2, db0, db1, db2), strict=True):
            w -= LR * g
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


def measure(steps: dict, rounds: int, per_round: int, warmup: int) -> dict:
    """Median seconds per step of each contender, rounds interleaved."""
    for fn in steps.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            samples[name].append((time.perf_counter() - start) / per_round)
    return {name: statistics.median(s) for name, s in samples.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    args = parser.parse_args(argv)

    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    x, y = make_data(np.random.default_rng(0))
    steps = {"mlpbook": mlpbook_step(x, y), "numpy (bare)": bare_numpy_step(x, y)}
    torch_version = None
    if not args.no_torch:
        try:
            steps["torch"], torch_version = torch_step(x, y, threads)
        except ImportError:
            print(
                "PyTorch is not installed: run `make bench` (it installs torch==2.13.0 in "
                ".bench-venv/), or pass --no-torch",
                file=sys.stderr,
            )
            return 2

    raw = matmul_gflops()
    times = measure(steps, args.rounds, args.per_round, args.warmup)
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
