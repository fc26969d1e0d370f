"""Wrong answers (mutants) and differently written right answers (variants) for chapter 1.

`tests/test_assignments.py` autogrades each of them with nbgrader. A mutant replaces one
answer cell (``cell``, its grade id) with ``source`` and must lose points in every part of
``loses`` and keep full marks in every other part; with ``zero`` it must score 0 in those
parts. A variant replaces one or more answer cells (``cells``: grade id → source) with a
correct answer written differently and must score full marks.

A part is named by its answer cell's grade id; its points are those of its test cells
(``test_<part>`` and ``test_<part>_hidden``).
"""

PREDICT, UPDATE, TRAIN = "perceptron_predict", "perceptron_update", "train_perceptron"
COLLAPSE, XOR = "collapse", "xor_network"

MUTANTS = [
    # ---------------------------------------------------------------- part 1: predict
    {
        "name": "predict-step-of-0-is-0",
        "cell": PREDICT,
        "loses": {PREDICT},
        "source": """
def perceptron_predict(x, w, b):
    return (x @ w + b > 0).astype(int)
""",
    },
    {
        "name": "predict-no-step",
        "cell": PREDICT,
        "loses": {PREDICT},
        "source": """
def perceptron_predict(x, w, b):
    return x @ w + b
""",
    },
    {
        "name": "predict-missing-bias",
        "cell": PREDICT,
        "loses": {PREDICT},
        "source": """
def perceptron_predict(x, w, b):
    return (x @ w >= 0).astype(int)
""",
    },
    {
        "name": "predict-labels-swapped",
        "cell": PREDICT,
        "loses": {PREDICT},
        "source": """
def perceptron_predict(x, w, b):
    return (x @ w + b < 0).astype(int)
""",
    },
    {
        "name": "predict-column-vector",
        "cell": PREDICT,
        "loses": {PREDICT},
        "source": """
def perceptron_predict(x, w, b):
    return (x @ w[:, None] + b >= 0).astype(int)
""",
    },
    {
        "name": "predict-calls-mlpbook",
        "cell": PREDICT,
        "loses": {PREDICT},
        "zero": True,
        "source": """
from mlpbook.perceptron import perceptron_predict as library_predict


def perceptron_predict(x, w, b):
    return library_predict(x, w, b)
""",
    },
    {
        "name": "predict-helper-uses-mlpbook-step",
        "cell": PREDICT,
        "loses": {PREDICT},
        "zero": True,
        "source": """
import mlpbook.perceptron


def fire(z):
    return mlpbook.perceptron.step(z)


def perceptron_predict(x, w, b):
    return fire(x @ w + b)
""",
    },
    # ---------------------------------------------------------------- part 2: update
    {
        "name": "update-wrong-sign",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if x_i @ w + b >= 0 else 0)
    return w - lr * error * x_i, b - lr * error
""",
    },
    {
        "name": "update-bias-never-moves",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if x_i @ w + b >= 0 else 0)
    return w + lr * error * x_i, b
""",
    },
    {
        "name": "update-even-when-right",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    sign = 1 if y_i == 1 else -1
    return w + lr * sign * x_i, b + lr * sign
""",
    },
    {
        "name": "update-step-of-0-is-0",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if x_i @ w + b > 0 else 0)
    return w + lr * error * x_i, b + lr * error
""",
    },
    {
        "name": "update-ignores-lr",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if x_i @ w + b >= 0 else 0)
    return w + error * x_i, b + error
""",
    },
    {
        "name": "update-adds-label-not-error",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    if (1 if x_i @ w + b >= 0 else 0) == y_i:
        return w, b
    return w + lr * y_i * x_i, b + lr * y_i
""",
    },
    {
        "name": "update-modifies-w-in-place",
        "cell": UPDATE,
        "loses": {UPDATE},
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if x_i @ w + b >= 0 else 0)
    w += lr * error * x_i
    return w, b + lr * error
""",
    },
    {
        "name": "update-calls-mlpbook-module",
        "cell": UPDATE,
        "loses": {UPDATE},
        "zero": True,
        "source": """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    import mlpbook.perceptron as answers

    return answers.perceptron_update(w, b, x_i, y_i, lr)
""",
    },
    # ---------------------------------------------------------------- part 3: train
    {
        "name": "train-last-epoch-not-counted",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
    },
    {
        "name": "train-never-stops-early",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += error != 0
    return w, b, bool(mistakes == 0), max_epochs
""",
    },
    {
        "name": "train-always-reports-converged",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            break
    return w, b, True, epoch
""",
    },
    {
        "name": "train-ignores-max-epochs",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b, epochs = np.zeros(x.shape[1]), 0.0, 0
    while True:
        epochs += 1
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            return w, b, True, epochs
""",
    },
    {
        "name": "train-bias-never-moves",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w = w + lr * error * x_i
            mistakes += error != 0
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
    },
    {
        "name": "train-ignores-lr",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + error * x_i, b + error
            mistakes += error != 0
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
    },
    {
        "name": "train-shuffles-the-examples",
        "cell": TRAIN,
        "loses": {TRAIN},
        "source": """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    rng = np.random.default_rng(0)
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for i in rng.permutation(len(x)):
            error = y[i] - (1 if x[i] @ w + b >= 0 else 0)
            w, b = w + lr * error * x[i], b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
    },
    {
        "name": "train-calls-mlpbook",
        "cell": TRAIN,
        "loses": {TRAIN},
        "zero": True,
        "source": """
import warnings

from mlpbook.perceptron import train_perceptron as library_train


def train_perceptron(x, y, lr=1.0, max_epochs=100):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = library_train(x, y, lr=lr, max_epochs=max_epochs)
    return result.w, result.b, result.converged, result.epochs
""",
    },
    {
        "name": "train-loop-with-mlpbook-update",
        "cell": TRAIN,
        "loses": {TRAIN},
        "zero": True,
        "source": """
from mlpbook import perceptron as pp


def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            w_new, b = pp.perceptron_update(w, b, x_i, y_i, lr)
            mistakes += not np.array_equal(w_new, w)
            w = w_new
        if mistakes == 0:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
    },
    # ---------------------------------------------------------------- part 4: collapse
    {
        "name": "collapse-forgets-b1-w2",
        "cell": COLLAPSE,
        "loses": {COLLAPSE},
        "source": """
def collapse(w1, b1, w2, b2):
    return w1 @ w2, b2
""",
    },
    {
        "name": "collapse-forgets-b2",
        "cell": COLLAPSE,
        "loses": {COLLAPSE},
        "source": """
def collapse(w1, b1, w2, b2):
    return w1 @ w2, b1 @ w2
""",
    },
    {
        "name": "collapse-transposed-product",
        "cell": COLLAPSE,
        "loses": {COLLAPSE},
        "source": """
def collapse(w1, b1, w2, b2):
    return w2.T @ w1.T, b1 @ w2 + b2
""",
    },
    {
        "name": "collapse-adds-the-biases",
        "cell": COLLAPSE,
        "loses": {COLLAPSE},
        "source": """
def collapse(w1, b1, w2, b2):
    return w1 @ w2, b1 + b2
""",
    },
    # ---------------------------------------------------------------- part 5: XOR weights
    {
        "name": "xor-weights-compute-or",
        "cell": XOR,
        "loses": {XOR},
        "source": """
W1 = np.array([[1.0, 0.0], [1.0, 0.0]])
B1 = np.array([-0.5, -0.5])
W2 = np.array([1.0, 0.0])
B2 = -0.5
""",
    },
    {
        "name": "xor-weights-compute-and",
        "cell": XOR,
        "loses": {XOR},
        "source": """
W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
B1 = np.array([-1.5, 1.5])
W2 = np.array([1.0, 0.0])
B2 = -0.5
""",
    },
    {
        "name": "xor-weights-assume-step-of-0-is-0",
        "cell": XOR,
        "loses": {XOR},
        "source": """
W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
B1 = np.array([0.0, -1.0])
W2 = np.array([1.0, -1.0])
B2 = 0.0
""",
    },
    {
        "name": "xor-output-weights-as-a-column",
        "cell": XOR,
        "loses": {XOR},
        "source": """
W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
B1 = np.array([-0.5, 1.5])
W2 = np.array([[1.0], [1.0]])
B2 = np.array([-1.5])
""",
    },
]

VARIANTS = [
    {
        "name": "loops-and-lists",
        "cells": {
            PREDICT: """
def perceptron_predict(x, w, b):
    out = []
    for row in x:
        total = b
        for j in range(len(w)):
            total = total + row[j] * w[j]
        out.append(1 if total >= 0 else 0)
    return out
""",
            UPDATE: """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    total = b
    for j in range(len(w)):
        total += w[j] * x_i[j]
    prediction = 1 if total >= 0 else 0
    if prediction == y_i:
        return list(w), b
    sign = 1 if y_i == 1 else -1
    return [w[j] + lr * sign * x_i[j] for j in range(len(w))], b + lr * sign
""",
            TRAIN: """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    n, d = len(x), len(x[0])
    weights, bias = [0.0] * d, 0.0
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        clean = True
        for i in range(n):
            total = bias + sum(weights[j] * x[i][j] for j in range(d))
            guess = 1 if total >= 0 else 0
            if guess != y[i]:
                clean = False
                weights = [weights[j] + lr * (y[i] - guess) * x[i][j] for j in range(d)]
                bias += lr * (y[i] - guess)
        if clean:
            break
    return weights, bias, clean, epoch
""",
            COLLAPSE: """
def collapse(w1, b1, w2, b2):
    d, h, k = len(w1), len(w2), len(w2[0])
    big_w = [[sum(w1[i][m] * w2[m][j] for m in range(h)) for j in range(k)] for i in range(d)]
    big_b = [sum(b1[m] * w2[m][j] for m in range(h)) + b2[j] for j in range(k)]
    return big_w, big_b
""",
            XOR: """
W1 = [[1, 1], [1, 1]]  # OR and AND, thresholds on the inputs: step(0) = 1 fires
B1 = [-1, -2]
W2 = [1, -1]  # OR and not AND
B2 = -1
""",
        },
    },
    {
        "name": "vectorised-other-names-float32",
        "cells": {
            PREDICT: """
def perceptron_predict(x, w, b):
    return np.heaviside(np.asarray(x, dtype=np.float32) @ np.asarray(w, np.float32) + b, 1.0)
""",
            UPDATE: """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    fired = np.dot(w, x_i) + b >= 0
    delta = lr * (int(y_i) - int(fired))
    new_weights = np.array(w, copy=True)
    new_weights += delta * np.asarray(x_i)
    return new_weights, float(b + delta)
""",
            TRAIN: """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    x = np.asarray(x)
    weights, bias = np.zeros(x.shape[1], dtype=x.dtype), x.dtype.type(0)
    for n_epochs in range(1, max_epochs + 1):
        errors = 0
        for i in range(len(x)):
            delta = y[i] - np.heaviside(x[i] @ weights + bias, 1)
            weights = weights + lr * delta * x[i]
            bias = bias + lr * delta
            errors += int(delta != 0)
        if not errors:
            break
    return weights, bias, errors == 0, n_epochs
""",
            COLLAPSE: """
def collapse(w1, b1, w2, b2):
    return np.einsum("dh,hk->dk", w1, w2), np.einsum("h,hk->k", b1, w2) + b2
""",
            XOR: """
W1 = np.array([[-1.0, 1.0], [-1.0, 1.0]], dtype=np.float32)  # NOR and AND
B1 = np.array([0.5, -1.5], dtype=np.float32)
W2 = np.array([-1.0, -1.0], dtype=np.float32)  # neither NOR nor AND
B2 = np.float32(0.5)
""",
        },
    },
    {
        "name": "reuses-own-functions-and-allowed-library",
        "cells": {
            PREDICT: """
from mlpbook.activations import step  # allowed: only mlpbook.perceptron is off limits


def perceptron_predict(x, w, b):
    return step(np.asarray(x) @ w + b)
""",
            UPDATE: """
def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - perceptron_predict(np.asarray(x_i)[None, :], w, b)[0]
    return np.asarray(w) + lr * error * np.asarray(x_i), b + lr * error
""",
            TRAIN: """
def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(np.shape(x)[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        before = (w.copy(), b)
        changed = False
        for x_i, y_i in zip(x, y):
            w, b = perceptron_update(w, b, x_i, y_i, lr)
            changed = changed or not np.array_equal(w, before[0]) or b != before[1]
            before = (w.copy(), b)
        if not changed:
            return w, b, True, epoch
    return w, b, False, max_epochs
""",
        },
    },
    {
        "name": "returns-namedtuples",
        "cells": {
            UPDATE: """
import collections

Update = collections.namedtuple("Update", ["w_new", "b_new"])


def perceptron_update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if np.dot(x_i, w) + b >= 0 else 0)
    return Update(np.asarray(w) + lr * error * np.asarray(x_i), b + lr * error)
""",
            TRAIN: """
from collections import namedtuple

Training = namedtuple("Training", "w b converged epochs")


def train_perceptron(x, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(np.shape(x)[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(x, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += error != 0
        if mistakes == 0:
            return Training(w, b, True, epoch)
    return Training(w, b, False, max_epochs)
""",
            COLLAPSE: """
from collections import namedtuple


def collapse(w1, b1, w2, b2):
    Layer = namedtuple("Layer", ["W", "B"])
    return Layer(W=np.asarray(w1) @ w2, B=np.asarray(b1) @ w2 + b2)
""",
        },
    },
]
