"""A short tour of the library: ``python -m mlpbook.demo``.

It shows, in about ten seconds, what the course builds: a perceptron that fails on XOR, an
MLP that solves it, a gradient check, and MLPs fitted to the two-moons and digits data.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import Adam, fit, mlp
from .data import load_digits, make_moons, train_val_test_split, xor
from .gradcheck import check_model
from .perceptron import NonConvergenceWarning, train_perceptron
from .training import evaluate


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = xor()

    print("1. Rosenblatt's perceptron on XOR (100 epochs at most)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonConvergenceWarning)
        result = train_perceptron(x, y, max_epochs=100)
    print(f"   converged: {result.converged}; mistakes in the last epoch: {result.mistakes[-1]}")

    print("2. A 2-4-2 MLP (tanh) on XOR")
    net = mlp([2, 4, 2], "tanh", rng=rng)
    fit(
        net,
        x,
        y,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.05),
        epochs=300,
        batch_size=4,
        rng=rng,
        progress=False,
    )
    print(f"   predictions {net.predict(x).argmax(axis=1).tolist()} for targets {y.tolist()}")

    print("3. Gradient check of a small ReLU MLP (float64, centred differences)")
    report = check_model(
        mlp([2, 5, 2], rng=rng),
        rng.standard_normal((4, 2)),
        rng.integers(0, 2, 4),
        "softmax_cross_entropy",
        weight_decay=0.01,
    )
    print("   " + str(report).replace("\n", "\n   "))

    print("4. Two moons, 2-32-32-2 ReLU MLP with early stopping")
    xm, ym = make_moons(600, noise=0.2, rng=rng)
    (xt, yt), (xv, yv), (xs, ys) = train_val_test_split(xm, ym, rng=rng)
    net = mlp([2, 32, 32, 2], rng=rng)
    hist = fit(
        net,
        xt,
        yt,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.01),
        epochs=200,
        batch_size=32,
        rng=rng,
        validation_data=(xv, yv),
        patience=20,
        progress=False,
    )
    _, acc = evaluate(net, xs, ys, "softmax_cross_entropy")
    print(
        f"   stopped after {hist.epochs} epochs (best {hist.best_epoch + 1}); "
        f"test accuracy {acc:.3f}"
    )

    print("5. 8x8 digits, 64-128-10 ReLU MLP with dropout 0.2, float32")
    xd, yd = load_digits(dtype=np.float32)
    (xt, yt), (xv, yv), (xs, ys) = train_val_test_split(xd, yd, rng=rng)
    net = mlp([64, 128, 10], rng=rng, dropout=0.2, dtype=np.float32)
    fit(
        net,
        xt,
        yt,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.003),
        epochs=30,
        batch_size=64,
        rng=rng,
        validation_data=(xv, yv),
        progress=False,
    )
    _, acc = evaluate(net, xs, ys, "softmax_cross_entropy")
    print(f"   test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
