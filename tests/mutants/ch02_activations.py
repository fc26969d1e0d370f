"""Wrong answers (mutants) and differently written right answers (variants) for chapter 2.

`tests/test_assignments.py` autogrades each of them with nbgrader (and `course-grade`), and
`tests/test_case_seeds.py` runs every test cell in-process under 40 case seeds. A mutant
replaces one answer cell (``cell``, its grade id) with ``source`` and must lose points in
every part of ``loses`` and keep full marks in every other part; with ``zero`` it must
score 0 in those parts. A variant replaces one or more answer cells (``cells``: grade id →
source) with a correct answer written differently and must score full marks.

Each part's answer cell defines several functions: a mutant is the right cell with one
function replaced (`_cell`), so it loses its points through that function alone. The right
cells call no function of another part, so that a mutant of one part costs no other.
"""

SIG, RELU, SOFTPLUS, LEARN, DEAD = (
    "sigmoid_tanh",
    "relu_family",
    "softplus",
    "prelu_maxout",
    "dead_units",
)

# ---------------------------------------------------------------- the right answers, by function
P1 = {
    "sigmoid": """
def sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
""",
    "sigmoid_grad": """
def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
""",
    "tanh_via_sigmoid": """
def tanh_via_sigmoid(x):
    return 2 * sigmoid(2 * np.asarray(x)) - 1
""",
    "tanh_grad": """
def tanh_grad(x):
    t = tanh_via_sigmoid(x)
    return 1 - t**2
""",
}
P2 = {
    "relu": """
def relu(x):
    return np.maximum(x, 0)
""",
    "relu_grad": """
def relu_grad(x):
    return (np.asarray(x) > 0) * 1.0
""",
    "leaky_relu": """
def leaky_relu(x, r=0.01):
    return np.maximum(x, 0) + r * np.minimum(x, 0)
""",
    "leaky_relu_grad": """
def leaky_relu_grad(x, r=0.01):
    return np.where(np.asarray(x) > 0, 1.0, r)
""",
    "elu": """
def elu(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
""",
    "elu_grad": """
def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
""",
    "hard_sigmoid": """
def hard_sigmoid(x):
    return np.clip(0.25 * np.asarray(x) + 0.5, 0, 1)
""",
    "hard_sigmoid_grad": """
def hard_sigmoid_grad(x):
    return np.where(np.abs(x) < 2, 0.25, 0.0)
""",
    "hard_tanh": """
def hard_tanh(x):
    return np.clip(x, -1, 1)
""",
    "hard_tanh_grad": """
def hard_tanh_grad(x):
    return (np.abs(x) < 1) * 1.0
""",
}
P3 = {
    "softplus": """
def softplus(x):
    x = np.asarray(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
""",
    "softplus_grad": """
def softplus_grad(x):
    x = np.asarray(x)
    return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))
""",
}
P4 = {
    "prelu_backward": """
def prelu_backward(dout, x, r):
    dx = dout * np.where(x > 0, 1.0, r)
    dr = np.sum(dout * np.minimum(x, 0), axis=0)
    return dx, dr
""",
    "maxout_forward": """
def maxout_forward(x, w, b):
    z = np.einsum("nd,dhk->nhk", x, w) + b
    return z.max(axis=2), (x, w, z)
""",
    "maxout_backward": """
def maxout_backward(dout, cache):
    x, w, z = cache
    first = z.argmax(axis=2)
    mask = first[:, :, None] == np.arange(z.shape[2])
    dz = dout[:, :, None] * mask
    return np.einsum("nhk,dhk->nd", dz, w), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)
""",
}
P5 = {
    "dead_units": """
def dead_units(z):
    return np.all(np.asarray(z) <= 0, axis=0)
""",
    "active_fraction": """
def active_fraction(z):
    return float(np.mean(np.asarray(z) > 0))
""",
}


def _cell(base: dict, **replaced: str) -> str:
    """The answer cell ``base`` with some of its functions replaced."""
    assert set(replaced) <= set(base), set(replaced) - set(base)
    return "\n".join(replaced.get(name, code) for name, code in base.items())


def _mutant(name: str, cell: str, base: dict, zero: bool = False, **replaced: str) -> dict:
    item = {"name": name, "cell": cell, "loses": {cell}, "source": _cell(base, **replaced)}
    if zero:
        item["zero"] = True
    return item


MUTANTS = [
    # ---------------------------------------------------------------- part 1: sigmoid, tanh
    _mutant(
        "sigmoid-naive-overflows",
        SIG,
        P1,
        sigmoid="""
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
""",
    ),
    _mutant(
        "sigmoid-exp-over-one-plus-exp",
        SIG,
        P1,
        sigmoid="""
def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))
""",
    ),
    _mutant(
        "sigmoid-sign-flipped",
        SIG,
        P1,
        sigmoid="""
def sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x < 0, 1 / (1 + e), e / (1 + e))
""",
    ),
    _mutant(
        "sigmoid-clipped-at-500",
        SIG,
        P1,
        sigmoid="""
def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -500, 500)))
""",
    ),
    _mutant(
        "sigmoid-grad-confused-argument",
        SIG,
        P1,
        sigmoid_grad="""
def sigmoid_grad(x):
    return sigmoid(x) * (1 - x)
""",
    ),
    _mutant(
        "sigmoid-grad-sigma-applied-twice",
        SIG,
        P1,
        sigmoid_grad="""
def sigmoid_grad(x):
    a = sigmoid(x)
    return sigmoid(a) * (1 - sigmoid(a))
""",
    ),
    _mutant(
        "sigmoid-grad-naive-overflows",
        SIG,
        P1,
        sigmoid_grad="""
def sigmoid_grad(x):
    return np.exp(-x) / (1 + np.exp(-x)) ** 2
""",
    ),
    _mutant(
        "sigmoid-grad-diagonal-jacobian",
        SIG,
        P1,
        sigmoid_grad="""
def sigmoid_grad(x):
    s = sigmoid(x)
    return np.diag(s * (1 - s))
""",
    ),
    _mutant(
        "sigmoid-grad-inaccurate-where-tiny",
        SIG,
        P1,
        sigmoid_grad="""
def sigmoid_grad(x):
    s = 0.5 * (1 + np.tanh(np.asarray(x) / 2))  # sigma, but 1 + tanh loses digits for x << 0
    return s * (1 - s)
""",
    ),
    _mutant(
        "tanh-sigma-of-x-not-2x",
        SIG,
        P1,
        tanh_via_sigmoid="""
def tanh_via_sigmoid(x):
    return 2 * sigmoid(x) - 1
""",
    ),
    _mutant(
        "tanh-missing-minus-one",
        SIG,
        P1,
        tanh_via_sigmoid="""
def tanh_via_sigmoid(x):
    return 2 * sigmoid(2 * np.asarray(x))
""",
    ),
    _mutant(
        "tanh-textbook-exp-formula",
        SIG,
        P1,
        tanh_via_sigmoid="""
def tanh_via_sigmoid(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
""",
    ),
    _mutant(
        "tanh-modifies-x-in-place",
        SIG,
        P1,
        tanh_via_sigmoid="""
def tanh_via_sigmoid(x):
    x *= 2
    return 2 * sigmoid(x) - 1
""",
    ),
    _mutant(
        "tanh-grad-square-missing",
        SIG,
        P1,
        tanh_grad="""
def tanh_grad(x):
    return 1 - tanh_via_sigmoid(x)
""",
    ),
    _mutant(
        "tanh-uses-np-tanh",
        SIG,
        P1,
        zero=True,
        tanh_via_sigmoid="""
def tanh_via_sigmoid(x):
    return np.tanh(x)
""",
    ),
    _mutant(
        "sigmoid-calls-mlpbook",
        SIG,
        P1,
        zero=True,
        sigmoid="""
from mlpbook.activations import sigmoid as library_sigmoid


def sigmoid(x):
    return library_sigmoid(x)
""",
    ),
    _mutant(
        "sigmoid-calls-scipy-expit",
        SIG,
        P1,
        zero=True,
        sigmoid="""
from scipy.special import expit


def sigmoid(x):
    return expit(x)
""",
    ),
    # ---------------------------------------------------------------- part 2: ReLU family
    _mutant(
        "leaky-max-shortcut-fails-for-r-above-1",
        RELU,
        P2,
        leaky_relu="""
def leaky_relu(x, r=0.01):
    return np.maximum(x, r * np.asarray(x))
""",
    ),
    _mutant(
        "leaky-grad-zero-on-negative-side",
        RELU,
        P2,
        leaky_relu_grad="""
def leaky_relu_grad(x, r=0.01):
    return (np.asarray(x) > 0) * 1.0
""",
    ),
    _mutant(
        "leaky-grad-ignores-r",
        RELU,
        P2,
        leaky_relu_grad="""
def leaky_relu_grad(x, r=0.01):
    return np.where(np.asarray(x) > 0, 1.0, 0.01)
""",
    ),
    _mutant(
        "leaky-grad-zero-at-the-kink",
        RELU,
        P2,
        leaky_relu_grad="""
def leaky_relu_grad(x, r=0.01):
    x = np.asarray(x)
    return np.where(x > 0, 1.0, np.where(x < 0, r, 0.0))
""",
    ),
    _mutant(
        "elu-grad-where-overflows",
        RELU,
        P2,
        elu_grad="""
def elu_grad(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(x))
""",
    ),
    _mutant(
        "elu-where-overflows",
        RELU,
        P2,
        elu="""
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))
""",
    ),
    _mutant(
        "elu-grad-alpha-dropped",
        RELU,
        P2,
        elu_grad="""
def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))
""",
    ),
    _mutant(
        "elu-alpha-dropped",
        RELU,
        P2,
        elu="""
def elu(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
""",
    ),
    _mutant(
        "hard-sigmoid-keras-slope",
        RELU,
        P2,
        hard_sigmoid="""
def hard_sigmoid(x):
    return np.clip(0.2 * np.asarray(x) + 0.5, 0, 1)
""",
    ),
    _mutant(
        "hard-sigmoid-grad-keras-slope",
        RELU,
        P2,
        hard_sigmoid_grad="""
def hard_sigmoid_grad(x):
    return np.where(np.abs(x) < 2.5, 0.2, 0.0)
""",
    ),
    _mutant(
        "hard-sigmoid-grad-quarter-everywhere",
        RELU,
        P2,
        hard_sigmoid_grad="""
def hard_sigmoid_grad(x):
    return 0.25 * np.ones_like(np.asarray(x, dtype=float))
""",
    ),
    _mutant(
        "hard-tanh-grad-one-everywhere",
        RELU,
        P2,
        hard_tanh_grad="""
def hard_tanh_grad(x):
    return np.ones_like(np.asarray(x, dtype=float))
""",
    ),
    _mutant(
        "relu-grad-returns-relu",
        RELU,
        P2,
        relu_grad="""
def relu_grad(x):
    return np.maximum(x, 0)
""",
    ),
    _mutant(
        "hard-tanh-clips-to-0-1",
        RELU,
        P2,
        hard_tanh="""
def hard_tanh(x):
    return np.clip(x, 0, 1)
""",
    ),
    _mutant(
        "relu-calls-mlpbook-layers",
        RELU,
        P2,
        zero=True,
        relu="""
import mlpbook.layers


def relu(x):
    return mlpbook.layers.Activation("relu").forward(np.asarray(x, dtype=float))
""",
    ),
    # ---------------------------------------------------------------- part 3: softplus
    _mutant(
        "softplus-naive-log-exp",
        SOFTPLUS,
        P3,
        softplus="""
def softplus(x):
    return np.log(1 + np.exp(x))
""",
    ),
    _mutant(
        "softplus-log1p-exp-still-overflows",
        SOFTPLUS,
        P3,
        softplus="""
def softplus(x):
    return np.log1p(np.exp(x))
""",
    ),
    _mutant(
        "softplus-clipped-at-500",
        SOFTPLUS,
        P3,
        softplus="""
def softplus(x):
    return np.log1p(np.exp(np.clip(x, -500, 500)))
""",
    ),
    _mutant(
        "softplus-relu-part-missing",
        SOFTPLUS,
        P3,
        softplus="""
def softplus(x):
    return np.log1p(np.exp(-np.abs(x)))
""",
    ),
    _mutant(
        "softplus-grad-is-softplus",
        SOFTPLUS,
        P3,
        softplus_grad="""
def softplus_grad(x):
    return softplus(x)
""",
    ),
    _mutant(
        "softplus-grad-unguarded-exp",
        SOFTPLUS,
        P3,
        softplus_grad="""
def softplus_grad(x):
    return np.exp(x) / (1 + np.exp(x))
""",
    ),
    _mutant(
        "softplus-grad-finite-difference",
        SOFTPLUS,
        P3,
        softplus_grad="""
def softplus_grad(x, h=1e-5):
    x = np.asarray(x)
    return (softplus(x + h) - softplus(x - h)) / (2 * h)
""",
    ),
    _mutant(
        "softplus-calls-scipy",
        SOFTPLUS,
        P3,
        zero=True,
        softplus="""
import scipy.special


def softplus(x):
    return scipy.special.log_expit(x) - scipy.special.log_expit(-np.asarray(x)) + 0 * x
""",
        softplus_grad="""
def softplus_grad(x):
    import scipy.special as sp

    return sp.expit(x)
""",
    ),
    # ---------------------------------------------------------------- part 4: PReLU, maxout
    _mutant(
        "prelu-dr-not-summed-over-batch",
        LEARN,
        P4,
        prelu_backward="""
def prelu_backward(dout, x, r):
    return dout * np.where(x > 0, 1.0, r), dout * np.minimum(x, 0)
""",
    ),
    _mutant(
        "prelu-dr-summed-over-units",
        LEARN,
        P4,
        prelu_backward="""
def prelu_backward(dout, x, r):
    return dout * np.where(x > 0, 1.0, r), np.sum(dout * np.minimum(x, 0), axis=1)
""",
    ),
    _mutant(
        "prelu-dr-positive-side-included",
        LEARN,
        P4,
        prelu_backward="""
def prelu_backward(dout, x, r):
    return dout * np.where(x > 0, 1.0, r), np.sum(dout * x, axis=0)
""",
    ),
    _mutant(
        "prelu-dx-r-on-positive-side",
        LEARN,
        P4,
        prelu_backward="""
def prelu_backward(dout, x, r):
    return dout * np.where(x > 0, r, 1.0), np.sum(dout * np.minimum(x, 0), axis=0)
""",
    ),
    _mutant(
        "prelu-dr-without-dout",
        LEARN,
        P4,
        prelu_backward="""
def prelu_backward(dout, x, r):
    return dout * np.where(x > 0, 1.0, r), np.sum(np.minimum(x, 0), axis=0)
""",
    ),
    _mutant(
        "maxout-gradient-to-every-piece",
        LEARN,
        P4,
        maxout_backward="""
def maxout_backward(dout, cache):
    x, w, z = cache
    dz = dout[:, :, None] * np.ones_like(z)
    return np.einsum("nhk,dhk->nd", dz, w), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)
""",
    ),
    _mutant(
        "maxout-ties-get-full-weight-each",
        LEARN,
        P4,
        maxout_backward="""
def maxout_backward(dout, cache):
    x, w, z = cache
    mask = z == z.max(axis=2, keepdims=True)
    dz = dout[:, :, None] * mask
    return np.einsum("nhk,dhk->nd", dz, w), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)
""",
    ),
    _mutant(
        "maxout-reshape-mixes-units",
        LEARN,
        P4,
        maxout_forward="""
def maxout_forward(x, w, b):
    d, h, k = w.shape
    z = (x @ w.reshape(d, h * k) + b.reshape(-1)).reshape(len(x), k, h)
    z = z.transpose(0, 2, 1)  # (N, H, k), but the pieces of different units are mixed
    return z.max(axis=2), (x, w, z)
""",
    ),
    _mutant(
        "maxout-max-over-units",
        LEARN,
        P4,
        maxout_forward="""
def maxout_forward(x, w, b):
    z = np.einsum("nd,dhk->nhk", x, w) + b
    return z.max(axis=1), (x, w, z)
""",
    ),
    _mutant(
        "maxout-bias-missing",
        LEARN,
        P4,
        maxout_forward="""
def maxout_forward(x, w, b):
    z = np.einsum("nd,dhk->nhk", x, w)
    return z.max(axis=2), (x, w, z + b)
""",
    ),
    _mutant(
        "maxout-db-not-summed-over-batch",
        LEARN,
        P4,
        maxout_backward="""
def maxout_backward(dout, cache):
    x, w, z = cache
    mask = z.argmax(axis=2)[:, :, None] == np.arange(z.shape[2])
    dz = dout[:, :, None] * mask
    return np.einsum("nhk,dhk->nd", dz, w), np.einsum("nd,nhk->dhk", x, dz), dz
""",
    ),
    _mutant(
        "maxout-dw-ignores-x",
        LEARN,
        P4,
        maxout_backward="""
def maxout_backward(dout, cache):
    x, w, z = cache
    mask = z.argmax(axis=2)[:, :, None] == np.arange(z.shape[2])
    dz = dout[:, :, None] * mask
    dw = np.broadcast_to(dz.sum(axis=0), w.shape).copy()
    return np.einsum("nhk,dhk->nd", dz, w), dw, dz.sum(axis=0)
""",
    ),
    _mutant(
        "prelu-calls-mlpbook",
        LEARN,
        P4,
        zero=True,
        prelu_backward="""
from mlpbook import activations


def prelu_backward(dout, x, r):
    dx_local, dr_local = activations.prelu_grad(x, r)
    return dout * dx_local, np.sum(dout * dr_local, axis=0)
""",
        maxout_forward="""
def maxout_forward(x, w, b):
    from mlpbook.activations import maxout

    z = np.einsum("nd,dhk->nhk", x, w) + b
    return maxout(z), (x, w, z)
""",
        maxout_backward="""
def maxout_backward(dout, cache):
    from mlpbook.activations import maxout_grad

    x, w, z = cache
    dz = dout[:, :, None] * maxout_grad(z)
    return np.einsum("nhk,dhk->nd", dz, w), np.einsum("nd,nhk->dhk", x, dz), dz.sum(axis=0)
""",
    ),
    # ---------------------------------------------------------------- part 5: dead units
    _mutant(
        "dead-strictly-negative",
        DEAD,
        P5,
        dead_units="""
def dead_units(z):
    return np.all(np.asarray(z) < 0, axis=0)
""",
    ),
    _mutant(
        "dead-any-inactive-example",
        DEAD,
        P5,
        dead_units="""
def dead_units(z):
    return np.any(np.asarray(z) <= 0, axis=0)
""",
    ),
    _mutant(
        "dead-per-example-axis-1",
        DEAD,
        P5,
        dead_units="""
def dead_units(z):
    return np.all(np.asarray(z) <= 0, axis=1)
""",
    ),
    _mutant(
        "dead-returns-count",
        DEAD,
        P5,
        dead_units="""
def dead_units(z):
    return int(np.sum(np.all(np.asarray(z) <= 0, axis=0)))
""",
    ),
    _mutant(
        "dead-returns-alive-mask",
        DEAD,
        P5,
        dead_units="""
def dead_units(z):
    return np.any(np.asarray(z) > 0, axis=0)
""",
    ),
    _mutant(
        "active-fraction-over-units",
        DEAD,
        P5,
        active_fraction="""
def active_fraction(z):
    return float(np.mean(np.any(np.asarray(z) > 0, axis=0)))
""",
    ),
    _mutant(
        "active-fraction-counts-zero",
        DEAD,
        P5,
        active_fraction="""
def active_fraction(z):
    return float(np.mean(np.asarray(z) >= 0))
""",
    ),
    _mutant(
        "active-fraction-returns-count",
        DEAD,
        P5,
        active_fraction="""
def active_fraction(z):
    return int(np.sum(np.asarray(z) > 0))
""",
    ),
]

VARIANTS = [
    {
        "name": "loops-and-math",
        "cells": {
            SIG: """
import math


def _each(f, x):
    x = np.asarray(x, dtype=float)
    return np.array([f(v) for v in x.ravel()]).reshape(x.shape)


def _sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(x):
    return _each(_sig, x)


def sigmoid_grad(x):
    return _each(lambda v: _sig(v) * _sig(-v), x)


def tanh_via_sigmoid(x):
    return 2 * sigmoid(2 * np.asarray(x, dtype=float)) - 1


def tanh_grad(x):
    return _each(lambda v: 4 * _sig(2 * v) * _sig(-2 * v), x)
""",
            RELU: """
import math


def _each(f, x):
    x = np.asarray(x, dtype=float)
    return np.array([f(v) for v in x.ravel()]).reshape(x.shape)


def relu(x):
    return _each(lambda v: v if v > 0 else 0.0, x)


def relu_grad(x):
    return _each(lambda v: 1.0 if v >= 0 else 0.0, x)  # relu'(0) = 1: a subgradient too


def leaky_relu(x, r=0.01):
    return _each(lambda v: v if v > 0 else r * v, x)


def leaky_relu_grad(x, r=0.01):
    return _each(lambda v: 1.0 if v > 0 else (r if v < 0 else (1 + r) / 2), x)


def elu(x, alpha=1.0):
    return _each(lambda v: v if v > 0 else alpha * math.expm1(v), x)


def elu_grad(x, alpha=1.0):
    return _each(lambda v: 1.0 if v >= 0 else alpha * math.exp(v), x)


def hard_sigmoid(x):
    return _each(lambda v: min(max(0.25 * v + 0.5, 0.0), 1.0), x)


def hard_sigmoid_grad(x):
    return _each(lambda v: 0.25 if -2 <= v <= 2 else 0.0, x)


def hard_tanh(x):
    return _each(lambda v: min(max(v, -1.0), 1.0), x)


def hard_tanh_grad(x):
    return _each(lambda v: 1.0 if -1 <= v <= 1 else 0.0, x)
""",
            SOFTPLUS: """
import math


def softplus(x):
    x = np.asarray(x, dtype=float)
    out = [max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in x.ravel()]
    return np.array(out).reshape(x.shape)


def softplus_grad(x):
    return sigmoid(x)
""",
            LEARN: """
def prelu_backward(dout, x, r):
    n, h = len(x), len(x[0])
    dx = [[0.0] * h for _ in range(n)]
    dr = [0.0] * h
    for i in range(n):
        for j in range(h):
            if x[i][j] > 0:
                dx[i][j] = dout[i][j]
            else:
                dx[i][j] = dout[i][j] * r[j]
                dr[j] += dout[i][j] * x[i][j]
    return dx, dr


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    n, (d, h, k) = len(x), w.shape
    out = np.zeros((n, h))
    winner = np.zeros((n, h), dtype=int)
    for i in range(n):
        for u in range(h):
            z = [x[i] @ w[:, u, j] + b[u, j] for j in range(k)]
            winner[i, u] = max(range(k), key=lambda j: (z[j], -j))
            out[i, u] = z[winner[i, u]]
    return out, {"x": x, "w": w, "winner": winner}


def maxout_backward(dout, cache):
    x, w, winner = cache["x"], cache["w"], cache["winner"]
    dx, dw, db = np.zeros(x.shape), np.zeros(w.shape), np.zeros(w.shape[1:])
    for i in range(len(x)):
        for u in range(w.shape[1]):
            j = winner[i, u]
            dx[i] += dout[i][u] * w[:, u, j]
            dw[:, u, j] += dout[i][u] * x[i]
            db[u, j] += dout[i][u]
    return dx, dw, db
""",
            DEAD: """
def dead_units(z):
    z = np.asarray(z)
    return np.array([not any(v > 0 for v in z[:, j]) for j in range(z.shape[1])])


def active_fraction(z):
    z = np.asarray(z)
    return sum(1 for v in z.ravel() if v > 0) / z.size
""",
        },
    },
    {
        "name": "float32-kept-and-other-forms",
        "cells": {
            SIG: """
def sigmoid(x):
    x = np.asarray(x)
    return 0.5 * (1 + np.tanh(x / 2))  # stable: tanh saturates without overflow


def sigmoid_grad(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def tanh_via_sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-2 * np.abs(x))  # 2 sigma(2x) - 1 with sigma's stable halves
    return np.sign(x) * (1 - e) / (1 + e)


def tanh_grad(x):
    return 4 * sigmoid_grad(2 * np.asarray(x))
""",
            RELU: """
def relu(x):
    x = np.asarray(x)
    return x * (x > 0)


def relu_grad(x):
    return np.asarray(x) > 0  # booleans: their values are graded


def leaky_relu(x, r=0.01):
    x = np.asarray(x)
    return np.where(x >= 0, x, x * np.asarray(r, dtype=x.dtype))


def leaky_relu_grad(x, r=0.01):
    x = np.asarray(x)
    return np.where(x >= 0, np.ones_like(x), np.full_like(x, r))  # 1 at the kink


def elu(x, alpha=1.0):
    x = np.asarray(x)
    neg = np.minimum(x, 0)
    return np.maximum(x, 0) + alpha * (np.exp(neg) - 1)


def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, 1, elu(x, alpha) + alpha).astype(x.dtype)  # ELU' = ELU + alpha


def hard_sigmoid(x):
    x = np.asarray(x)
    return np.minimum(np.maximum(x / 4 + 0.5, 0), 1)


def hard_sigmoid_grad(x):
    x = np.asarray(x)
    return np.where(np.abs(x) <= 2, np.float32(0.125) if x.dtype == np.float32 else 0.125,
                    0).astype(x.dtype) * np.where(np.abs(x) == 2, 1, 2)


def hard_tanh(x):
    return np.minimum(np.maximum(np.asarray(x), -1), 1)


def hard_tanh_grad(x):
    x = np.asarray(x)
    return np.where(np.abs(x) < 1, 1.0, np.where(np.abs(x) == 1, 0.5, 0.0)).astype(x.dtype)
""",
            SOFTPLUS: """
def softplus(x):
    return np.logaddexp(0, np.asarray(x))


def softplus_grad(x):
    x = np.asarray(x)
    return np.exp(-np.logaddexp(0, -x))
""",
            LEARN: """
def prelu_backward(dout, x, r):
    dout, x, r = np.asarray(dout), np.asarray(x), np.asarray(r)
    negative = x <= 0  # at 0 the factor r: a subgradient
    return np.where(negative, dout * r, dout), np.einsum("nh,nh->h", dout, x * negative)


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    d, h, k = w.shape
    z = (x @ w.reshape(d, h * k)).reshape(len(x), h, k) + b
    return z.max(axis=-1), [x, w, z]


def maxout_backward(dout, cache):
    x, w, z = cache
    tied = z == z.max(axis=-1, keepdims=True)
    share = tied / tied.sum(axis=-1, keepdims=True)  # ties split equally
    dz = np.asarray(dout)[..., None] * share
    d, h, k = w.shape
    dzf = dz.reshape(len(x), h * k)
    dx = dzf @ w.reshape(d, h * k).T
    dw = (x.T @ dzf).reshape(d, h, k)
    return dx, dw, dz.sum(axis=0)
""",
            DEAD: """
def dead_units(z):
    return ~np.any(np.asarray(z) > 0, axis=0)


def active_fraction(z):
    z = np.asarray(z)
    return np.count_nonzero(z > 0) / z.size
""",
        },
    },
]

VARIANTS += [
    {
        "name": "piecewise-and-select",
        "cells": {
            SIG: """
def sigmoid(x):
    x = np.asarray(x)
    return np.piecewise(
        x, [x >= 0], [lambda v: 1 / (1 + np.exp(-v)), lambda v: np.exp(v) / (1 + np.exp(v))]
    )


def sigmoid_grad(x):
    return sigmoid(x) * sigmoid(-np.asarray(x))  # sigma(-x) = 1 - sigma(x), without cancelling


def tanh_via_sigmoid(x):
    x = np.asarray(x)
    a = 2 * sigmoid(2 * np.abs(x)) - 1  # tanh is odd
    return np.select([x < 0], [-a], a)


def tanh_grad(x):
    t = tanh_via_sigmoid(x)
    return (1 - t) * (1 + t)
""",
            RELU: """
def relu(x):
    x = np.asarray(x)
    return np.select([x > 0], [x], 0)


def relu_grad(x):
    return np.select([np.asarray(x) >= 0], [1.0], 0.0)  # relu'(0) = 1: a subgradient


def leaky_relu(x, r=0.01):
    x = np.asarray(x)
    return np.select([x > 0, x <= 0], [x, r * x])


def leaky_relu_grad(x, r=0.01):
    x = np.asarray(x)
    return np.select([x > 0, x < 0], [1.0, r], 1.0)


def elu(x, alpha=1.0):
    x = np.asarray(x)
    return np.select([x > 0], [x], alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    return np.select([x > 0], [1.0], alpha * np.exp(np.minimum(x, 0)))  # alpha at 0


def hard_sigmoid(x):
    x = np.asarray(x)
    return np.select([x <= -2, x >= 2], [0.0, 1.0], 0.25 * x + 0.5)


def hard_sigmoid_grad(x):
    return np.select([np.abs(x) <= 2], [0.25], 0.0)  # 1/4 at the kinks


def hard_tanh(x):
    x = np.asarray(x)
    return np.select([x < -1, x > 1], [-1.0, 1.0], x)


def hard_tanh_grad(x):
    return np.select([np.abs(x) <= 1], [1.0], 0.0)
""",
            SOFTPLUS: """
def softplus(x):
    x = np.asarray(x)
    return np.piecewise(
        x, [x > 0], [lambda v: v + np.log1p(np.exp(-v)), lambda v: np.log1p(np.exp(v))]
    )


def softplus_grad(x):
    x = np.asarray(x)
    return np.exp(x - softplus(x))  # sigma(x) = exp(x - softplus(x)), an exponent <= 0
""",
            LEARN: """
def prelu_backward(dout, x, r):
    dout, x, r = np.asarray(dout), np.asarray(x), np.asarray(r)
    negative = x < 0
    dx = np.select([negative], [dout * r], dout)
    dr = np.select([negative], [dout * x], 0).sum(axis=0)
    return dx, dr


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    z = np.stack([x @ w[:, :, j] + b[:, j] for j in range(w.shape[2])], axis=2)
    k = z.shape[2]
    last = k - 1 - z[:, :, ::-1].argmax(axis=2)  # ties go to the last piece
    return z.max(axis=2), {"x": x, "w": w, "winner": last}


def maxout_backward(dout, cache):
    x, w, winner = cache["x"], cache["w"], cache["winner"]
    dz = np.asarray(dout)[:, :, None] * np.eye(w.shape[2])[winner]
    dx = sum(dz[:, :, j] @ w[:, :, j].T for j in range(w.shape[2]))
    dw = np.stack([x.T @ dz[:, :, j] for j in range(w.shape[2])], axis=2)
    return dx, dw, dz.sum(axis=0)
""",
            DEAD: """
def dead_units(z):
    return np.max(np.asarray(z), axis=0) <= 0


def active_fraction(z):
    z = np.asarray(z)
    return np.sum(z > 0) / z.size
""",
        },
    },
    {
        "name": "nditer-and-math",
        "cells": {
            SIG: """
import math


def _map(f, x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for v, o in np.nditer([x, out], op_flags=[["readonly"], ["writeonly"]]):
        o[...] = f(float(v))
    return out


def _sig(v):
    e = math.exp(-abs(v))
    return 1 / (1 + e) if v >= 0 else e / (1 + e)


def sigmoid(x):
    return _map(_sig, x)


def sigmoid_grad(x):
    def grad(v):
        e = math.exp(-abs(v))
        return e / (1 + e) ** 2

    return _map(grad, x)


def tanh_via_sigmoid(x):
    return _map(lambda v: 2 * _sig(2 * v) - 1, x)


def tanh_grad(x):
    return _map(lambda v: 1 - v * v, tanh_via_sigmoid(x))
""",
            RELU: """
import math


def _map(f, x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for v, o in np.nditer([x, out], op_flags=[["readonly"], ["writeonly"]]):
        o[...] = f(float(v))
    return out


def relu(x):
    return _map(lambda v: max(v, 0.0), x)


def relu_grad(x):
    return _map(lambda v: 1.0 if v > 0 else (0.5 if v == 0 else 0.0), x)  # 1/2 at the kink


def leaky_relu(x, r=0.01):
    return _map(lambda v: v if v >= 0 else r * v, x)


def leaky_relu_grad(x, r=0.01):
    return _map(lambda v: 1.0 if v > 0 else r, x)


def elu(x, alpha=1.0):
    return _map(lambda v: v if v > 0 else alpha * math.expm1(v), x)


def elu_grad(x, alpha=1.0):
    return _map(lambda v: 1.0 if v > 0 else alpha * math.exp(v), x)


def hard_sigmoid(x):
    return _map(lambda v: 0.0 if v <= -2 else (1.0 if v >= 2 else v / 4 + 0.5), x)


def hard_sigmoid_grad(x):
    return _map(lambda v: 0.25 if abs(v) < 2 else (0.125 if abs(v) == 2 else 0.0), x)


def hard_tanh(x):
    return _map(lambda v: math.copysign(min(abs(v), 1.0), v), x)


def hard_tanh_grad(x):
    return _map(lambda v: float(abs(v) < 1), x)
""",
            SOFTPLUS: """
import math


def _map(f, x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for v, o in np.nditer([x, out], op_flags=[["readonly"], ["writeonly"]]):
        o[...] = f(float(v))
    return out


def softplus(x):
    return _map(lambda v: max(v, 0.0) + math.log1p(math.exp(-abs(v))), x)


def softplus_grad(x):
    def grad(v):
        e = math.exp(-abs(v))
        return (1.0 if v >= 0 else e) / (1 + e)

    return _map(grad, x)
""",
            LEARN: """
def prelu_backward(dout, x, r):
    dout, x, r = (np.asarray(a, dtype=float) for a in (dout, x, r))
    dx, dr = np.empty_like(x), np.zeros(x.shape[1])
    for i, j in np.ndindex(*x.shape):
        if x[i, j] >= 0:  # slope 1 at 0: a subgradient
            dx[i, j] = dout[i, j]
        else:
            dx[i, j] = r[j] * dout[i, j]
            dr[j] += dout[i, j] * x[i, j]
    return dx, dr


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x, dtype=float), np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    n, (d, h, k) = len(x), w.shape
    out, winner = np.empty((n, h)), np.empty((n, h), dtype=int)
    for i, u in np.ndindex(n, h):
        best = None
        for j in range(k):
            z = float(x[i] @ w[:, u, j]) + b[u, j]
            if best is None or z >= best:  # ties: the last piece wins
                best, winner[i, u] = z, j
        out[i, u] = best
    return out, (x, w, winner)


def maxout_backward(dout, cache):
    x, w, winner = cache
    dout = np.asarray(dout, dtype=float)
    dx, dw, db = np.zeros_like(x), np.zeros_like(w), np.zeros(w.shape[1:])
    for i, u in np.ndindex(*winner.shape):
        j, g = winner[i, u], dout[i, u]
        dx[i] += g * w[:, u, j]
        dw[:, u, j] += g * x[i]
        db[u, j] += g
    return dx, dw, db
""",
            DEAD: """
def dead_units(z):
    z = np.asarray(z)
    return np.array([max(z[:, j]) <= 0 for j in range(z.shape[1])])


def active_fraction(z):
    z = np.asarray(z)
    return sum(1 for v in np.nditer(z) if v > 0) / z.size
""",
        },
    },
    {
        "name": "mask-arithmetic-and-base-2",
        "cells": {
            SIG: """
def sigmoid(x):
    x = np.asarray(x)
    return np.exp(-np.logaddexp(0, -x))  # 1 / (1 + e^-x) = exp(-log(1 + e^-x))


def sigmoid_grad(x):
    x = np.asarray(x)
    return np.exp(-np.logaddexp(0, -x) - np.logaddexp(0, x))  # sigma(x) sigma(-x)


def tanh_via_sigmoid(x):
    x = np.asarray(x)
    return sigmoid(2 * x) - sigmoid(-2 * x)  # = 2 sigma(2x) - 1


def tanh_grad(x):
    x = np.asarray(x)
    return 4 * np.exp(-np.logaddexp(0, -2 * x) - np.logaddexp(0, 2 * x))
""",
            RELU: """
def relu(x):
    x = np.asarray(x)
    return (x + np.abs(x)) / 2


def relu_grad(x):
    return (np.sign(x) + 1) / 2  # 1/2 at the kink


def leaky_relu(x, r=0.01):
    x = np.asarray(x)
    return ((1 + r) * x + (1 - r) * np.abs(x)) / 2


def leaky_relu_grad(x, r=0.01):
    return (1 + r) / 2 + (1 - r) / 2 * np.sign(x)


def elu(x, alpha=1.0):
    x = np.asarray(x)
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))


def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    return (x > 0) + (x <= 0) * alpha * np.exp(np.minimum(x, 0))


def hard_sigmoid(x):
    return np.clip(x, -2, 2) / 4 + 0.5


def hard_sigmoid_grad(x):
    return 0.25 * (np.abs(x) < 2)


def hard_tanh(x):
    x = np.asarray(x)
    return (np.abs(x + 1) - np.abs(x - 1)) / 2


def hard_tanh_grad(x):
    x = np.asarray(x)
    return (np.sign(x + 1) - np.sign(x - 1)) / 2  # 1/2 at the kinks
""",
            SOFTPLUS: """
LN2 = np.log(2)


def softplus(x):
    return np.logaddexp2(0, np.asarray(x) / LN2) * LN2  # log2(1 + 2^(x / ln 2)) ln 2


def softplus_grad(x):
    return np.exp2(-np.logaddexp2(0, -np.asarray(x) / LN2))
""",
            LEARN: """
def prelu_backward(dout, x, r):
    dout, x, r = np.asarray(dout), np.asarray(x), np.asarray(r)
    negative = x < 0
    dx = dout * (~negative + negative * r)
    dr = (dout * x * negative).sum(axis=0)
    return [dx, dr]


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    d, h, k = w.shape
    z = (x @ w.reshape(d, h * k) + b.reshape(h * k)).reshape(len(x), h, k)
    onehot = np.eye(k)[k - 1 - z[:, :, ::-1].argmax(axis=2)]  # ties: the last piece
    return (z * onehot).sum(axis=2), (x, w, onehot)


def maxout_backward(dout, cache):
    x, w, onehot = cache
    dz = np.asarray(dout)[:, :, None] * onehot
    dx = np.tensordot(dz, w, axes=([1, 2], [1, 2]))
    dw = np.tensordot(x, dz, axes=(0, 0))
    return dx, dw, dz.sum(axis=0)
""",
            DEAD: """
def dead_units(z):
    return np.sum(np.asarray(z) > 0, axis=0) == 0


def active_fraction(z):
    return np.mean(np.heaviside(z, 0))
""",
        },
    },
    {
        "name": "dtype-kept-heaviside-tensordot",
        "cells": {
            SIG: """
def sigmoid(z):
    z = np.asarray(z)
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))  # both exponents <= 0


def sigmoid_grad(z):
    e = np.exp(-np.abs(np.asarray(z)))
    return e / (1 + 2 * e + e * e)


def tanh_via_sigmoid(z):
    z = np.asarray(z)
    two = z.dtype.type(2)
    return two * sigmoid(two * z) - 1


def tanh_grad(z):
    return 1 - np.square(tanh_via_sigmoid(z))
""",
            RELU: """
def relu(z):
    z = np.asarray(z)
    return np.maximum(z, z.dtype.type(0))


def relu_grad(z):
    z = np.asarray(z)
    return np.heaviside(z, 0).astype(z.dtype)


def leaky_relu(z, slope=0.01):
    z = np.asarray(z)
    return np.where(z > 0, z, z * z.dtype.type(slope))


def leaky_relu_grad(z, slope=0.01):
    z = np.asarray(z)
    return np.heaviside(z, 1) * (1 - slope) + slope  # 1 at the kink


def elu(z, a=1.0):
    z = np.asarray(z)
    return np.where(z > 0, z, a * np.expm1(np.fmin(z, 0))).astype(z.dtype)


def elu_grad(z, a=1.0):
    z = np.asarray(z)
    return np.where(z > 0, 1, a * np.exp(np.fmin(z, 0))).astype(z.dtype)


def hard_sigmoid(z):
    return np.fmin(np.fmax(np.asarray(z) * 0.25 + 0.5, 0), 1)


def hard_sigmoid_grad(z):
    return np.heaviside(2 - np.abs(np.asarray(z)), 0) / 4


def hard_tanh(z):
    return np.fmax(-1, np.fmin(np.asarray(z), 1))


def hard_tanh_grad(z):
    return np.heaviside(1 - np.abs(np.asarray(z)), 1)  # 1 at the kinks
""",
            SOFTPLUS: """
def softplus(z):
    z = np.asarray(z)
    return np.fmax(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z < 0, e, 1) / (1 + e)
""",
            LEARN: """
def prelu_backward(g, z, slopes):
    g, z, slopes = np.asarray(g), np.asarray(z), np.asarray(slopes)
    dz = g * np.where(z > 0, 1, slopes).astype(z.dtype)
    dslopes = np.add.reduce(g * np.fmin(z, 0), axis=0)
    return dz, dslopes


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    z = np.tensordot(x, w, axes=(1, 0)) + b  # (N, H, k), in the inputs' dtype
    return np.max(z, axis=-1), (x, w, z)


def maxout_backward(g, cache):
    x, w, z = cache
    k = z.shape[-1]
    mask = np.argmax(z, axis=-1)[..., None] == np.arange(k)
    dz = np.asarray(g)[..., None] * mask
    dx = np.tensordot(dz, w, axes=([1, 2], [1, 2]))
    dw = np.tensordot(x, dz, axes=(0, 0))
    return dx, dw, np.sum(dz, axis=0)
""",
            DEAD: """
def dead_units(activity):
    return np.logical_not(np.any(np.asarray(activity) > 0, axis=0))


def active_fraction(activity):
    a = np.asarray(activity)
    return np.count_nonzero(a > 0) / np.prod(a.shape)
""",
        },
    },
    {
        "name": "sigmoid-differences-and-per-piece-loops",
        "cells": {
            SIG: """
def sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x < 0, e, 1) / (1 + e)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s - s * s


def tanh_via_sigmoid(x):
    x = np.asarray(x)
    return sigmoid(2 * x) - sigmoid(-2 * x)


def tanh_grad(x):
    return 1 - tanh_via_sigmoid(x) ** 2
""",
            SOFTPLUS: """
def softplus(x):
    x = np.asarray(x)
    tail = np.log1p(np.exp(-np.abs(x)))
    return np.where(x > 0, x + tail, tail)


def softplus_grad(x):
    return sigmoid(x)  # part 1's sigma
""",
            LEARN: """
def prelu_backward(upstream, inputs, slope):
    upstream, inputs, slope = np.asarray(upstream), np.asarray(inputs), np.asarray(slope)
    factor = np.ones_like(upstream)
    factor[inputs <= 0] = np.broadcast_to(slope, inputs.shape)[inputs <= 0]
    dslope = np.zeros(inputs.shape[1])
    for n in range(len(inputs)):
        dslope += upstream[n] * np.minimum(inputs[n], 0)
    return upstream * factor, dslope


def maxout_forward(x, w, b):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    k = w.shape[2]
    out = x @ w[:, :, 0] + b[:, 0]
    winner = np.zeros(out.shape, dtype=int)
    for j in range(1, k):
        z = x @ w[:, :, j] + b[:, j]
        better = z >= out  # ties: the later piece wins
        out = np.where(better, z, out)
        winner[better] = j
    return out, (x, w, winner)


def maxout_backward(dout, cache):
    x, w, winner = cache
    dout = np.asarray(dout)
    dx, dw, db = np.zeros(x.shape), np.zeros(w.shape), np.zeros(w.shape[1:])
    for j in range(w.shape[2]):
        g = dout * (winner == j)  # (N, H): the examples on which piece j wins
        dx += g @ w[:, :, j].T
        dw[:, :, j] = x.T @ g
        db[:, j] = g.sum(axis=0)
    return dx, dw, db
""",
            DEAD: """
def dead_units(z):
    z = np.asarray(z)
    return np.array([bool(np.all(column <= 0)) for column in z.T])


def active_fraction(z):
    z = np.asarray(z)
    return float((z > 0).sum()) / (z.shape[0] * z.shape[1])
""",
        },
    },
    {
        "name": "relu-family-other-subgradients",
        "cells": {
            RELU: """
def relu(x):
    return np.fmax(np.asarray(x), 0)


def relu_grad(x):
    return np.heaviside(x, 0.5)


def leaky_relu(x, r=0.01):
    x = np.asarray(x)
    return np.where(x > 0, 1, r) * x


def leaky_relu_grad(x, r=0.01):
    return np.heaviside(x, 0.5) * (1 - r) + r  # (1 + r) / 2 at the kink


def elu(x, alpha=1.0):
    x = np.asarray(x)
    out = x.astype(float)
    neg = x <= 0
    out[neg] = alpha * np.expm1(x[neg])  # the exponential only where x <= 0
    return out


def elu_grad(x, alpha=1.0):
    x = np.asarray(x)
    out = np.ones(x.shape)
    neg = x < 0
    out[neg] = alpha * np.exp(x[neg])
    return out


def hard_sigmoid(x):
    return np.interp(x, [-2.0, 2.0], [0.0, 1.0])  # linear between the kinks, flat outside


def hard_sigmoid_grad(x):
    return 0.25 * np.heaviside(2 - np.abs(x), 0.25)  # 1/16 at the kinks, in [0, 1/4]


def hard_tanh(x):
    return np.interp(x, [-1.0, 1.0], [-1.0, 1.0])


def hard_tanh_grad(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    out[np.abs(x) < 1] = 1.0
    out[np.abs(x) == 1] = 0.25
    return out
""",
        },
    },
]
