"""The perceptron and its limits: McCulloch–Pitts units, Rosenblatt's rule, Novikoff's bound.

Vocabulary: inputs ``x`` of shape (N, D), weights ``w`` of shape (D,), bias ``b`` (a float),
labels ``y`` of shape (N,) in {0, 1}. The unit predicts ŷ = step(x·w + b).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from . import activations
from ._checks import as_float_array, check_positive_int, check_rng, check_shape

__all__ = ["NonConvergenceWarning", "Perceptron", "PerceptronResult", "mcculloch_pitts"]
__all__ += ["novikoff_bound", "perceptron_predict", "perceptron_update", "step", "train_perceptron"]


class NonConvergenceWarning(UserWarning):
    """The perceptron still made mistakes after ``max_epochs`` epochs."""


def step(z) -> np.ndarray:
    """Heaviside step, 1 where z ≥ 0 and 0 elsewhere: step(0) = 1.

    A McCulloch–Pitts unit fires when its input *reaches* the threshold, hence ≥.

    Parameters
    ----------
    z : array_like of any shape

    Returns
    -------
    numpy.ndarray of int64, same shape as ``z``, with values in {0, 1}.
    """
    # the activations chapter's step returns floats; labels here are ints
    return activations.step(z).astype(np.int64)


def _as_scalar(v, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(v).__name__}")
    return float(v)


def _check_lr(lr) -> float:
    if _as_scalar(lr, "lr") <= 0:
        raise ValueError(f"lr: expected a positive number, got {lr!r}")
    return float(lr)


def _check_labels01(y, n: int, name: str = "y") -> np.ndarray:
    """Return labels of shape (N,) as int64, raising unless every one is 0 or 1."""
    y = np.asarray(y)
    check_shape(y, (n,), name)
    if y.dtype.kind not in "biuf" or not np.all((y == 0) | (y == 1)):
        found = np.unique(y)[:5].tolist() if y.dtype.kind in "biuf" else y.dtype
        raise ValueError(
            f"{name}: expected labels in {{0, 1}}, got {found}; "
            "map {-1, +1} labels to {0, 1} first, e.g. with (y + 1) // 2"
        )
    return y.astype(np.int64)


def perceptron_predict(x, w, b) -> np.ndarray:
    """ŷ = step(x·w + b), the perceptron's 0/1 prediction for each row of ``x``.

    Parameters
    ----------
    x : array_like of shape (N, D)
    w : array_like of shape (D,)
    b : float

    Returns
    -------
    numpy.ndarray of int64, shape (N,), values in {0, 1}.
    """
    x, w = as_float_array(x, "x"), as_float_array(w, "w")
    dims = check_shape(x, ("N", "D"), "x")
    check_shape(w, ("D",), "w", dims)
    return step(x @ w + _as_scalar(b, "b"))


def _update(w: np.ndarray, b: float, x_i: np.ndarray, y_i: int, lr: float):
    """Rosenblatt's rule without validation: returns (w_new, b_new, mistake)."""
    err = y_i - (1 if x_i @ w + b >= 0 else 0)  # +1 false negative, −1 false positive, 0 right
    return w + (lr * err) * x_i, float(b + lr * err), err != 0


def perceptron_update(w, b, x_i, y_i, lr=1.0) -> tuple[np.ndarray, float]:
    """One step of Rosenblatt's rule on the sample (x_i, y_i).

    ŷ = step(w·x_i + b);  w ← w + lr·(y_i − ŷ)·x_i;  b ← b + lr·(y_i − ŷ)

    Nothing changes when ŷ = y_i; a false negative (y_i = 1, ŷ = 0) adds lr·x_i, a false
    positive (y_i = 0, ŷ = 1) subtracts it. The inputs are not modified.

    Parameters
    ----------
    w : array_like of shape (D,)
    b : float
    x_i : array_like of shape (D,)
    y_i : {0, 1}
    lr : float, > 0

    Returns
    -------
    w_new : numpy.ndarray of shape (D,)
        A new array.
    b_new : float
    """
    w, x_i = as_float_array(w, "w"), as_float_array(x_i, "x_i")
    dims = check_shape(w, ("D",), "w")
    check_shape(x_i, ("D",), "x_i", dims)
    (y_i,) = _check_labels01([y_i], 1, "y_i")
    lr = _check_lr(lr)
    w_new, b_new, _ = _update(w, _as_scalar(b, "b"), x_i, int(y_i), lr)
    return w_new, b_new


@dataclass(frozen=True, eq=False)
class PerceptronResult:
    """What `train_perceptron` returns.

    Attributes
    ----------
    w : numpy.ndarray of shape (D,)
        Final weights.
    b : float
        Final bias.
    converged : bool
        True if an epoch ended with zero mistakes.
    epochs : int
        Epochs run, counting the final mistake-free one when converged.
    mistakes : list of int
        Mistakes (updates) in each epoch; ``len(mistakes) == epochs``.
    history : list of (numpy.ndarray of shape (D,), float)
        (w, b) after each epoch, for animating the decision boundary.
    """

    w: np.ndarray
    b: float
    converged: bool
    epochs: int
    mistakes: list[int]
    history: list[tuple[np.ndarray, float]]


def train_perceptron(
    x, y, *, lr=1.0, max_epochs=100, w0=None, b0=0.0, shuffle=False, rng=None
) -> PerceptronResult:
    """Train a perceptron with Rosenblatt's rule, one sample at a time.

    Each epoch visits every sample once, in order (or in a fresh random order from ``rng``
    when ``shuffle``), and applies `perceptron_update`. Training stops after the first
    epoch without a mistake. If that never happens within ``max_epochs`` it does not raise:
    it warns `NonConvergenceWarning` and returns ``converged=False``. On linearly separable
    data it always converges (see `novikoff_bound`); on XOR it never does.

    Parameters
    ----------
    x : array_like of shape (N, D)
    y : array_like of shape (N,), labels in {0, 1}
    lr : float, > 0
    max_epochs : int, >= 1
    w0 : array_like of shape (D,), optional
        Initial weights; zeros if None. Not modified.
    b0 : float
    shuffle : bool
    rng : numpy.random.Generator or int, required when ``shuffle`` (ignored otherwise)

    Returns
    -------
    PerceptronResult
    """
    x = as_float_array(x, "x")
    dims = check_shape(x, ("N", "D"), "x")
    y = _check_labels01(y, dims["N"])
    max_epochs = check_positive_int(max_epochs, "max_epochs")
    lr = _check_lr(lr)
    if w0 is None:
        w = np.zeros(dims["D"])
    else:
        w = as_float_array(w0, "w0").astype(np.float64)  # a copy: w0 is not modified
        check_shape(w, ("D",), "w0", dims)
    b = _as_scalar(b0, "b0")
    rng = check_rng(rng) if shuffle else None

    mistakes: list[int] = []
    history: list[tuple[np.ndarray, float]] = []
    for _ in range(max_epochs):
        order = rng.permutation(dims["N"]) if shuffle else range(dims["N"])
        count = 0
        for i in order:
            w, b, wrong = _update(w, b, x[i], y[i], lr)
            count += wrong
        mistakes.append(int(count))
        history.append((w.copy(), b))
        if count == 0:
            break
    converged = mistakes[-1] == 0
    if not converged:
        warnings.warn(
            f"the perceptron did not converge in {max_epochs} epochs "
            f"({mistakes[-1]} mistakes in the last one): the data may not be linearly "
            "separable (XOR is not)",
            NonConvergenceWarning,
            stacklevel=2,
        )
    return PerceptronResult(w, b, converged, len(mistakes), mistakes, history)


class Perceptron:
    """A thin scikit-learn-like wrapper around `train_perceptron`.

    Parameters
    ----------
    **kw
        Defaults for `train_perceptron` (``lr``, ``max_epochs``, ``shuffle``, ``rng``, …).

    Attributes
    ----------
    w_ : numpy.ndarray of shape (D,)
    b_ : float
    result_ : PerceptronResult
        Set by `fit`.
    """

    def __init__(self, **kw):
        self.params = kw

    def fit(self, x, y, **kw) -> Perceptron:
        """Train on x of shape (N, D) and y of shape (N,); ``kw`` overrides the defaults."""
        self.result_ = train_perceptron(x, y, **{**self.params, **kw})
        self.w_, self.b_ = self.result_.w, self.result_.b
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "result_"):
            raise RuntimeError("this Perceptron is not fitted yet: call fit(x, y) first")

    def decision_function(self, x) -> np.ndarray:
        """z = x·w + b, of shape (N,), for x of shape (N, D); ŷ = 1 exactly where z ≥ 0."""
        self._check_fitted()
        x = as_float_array(x, "x")
        check_shape(x, ("N", self.w_.shape[0]), "x")
        return x @ self.w_ + self.b_

    def predict(self, x) -> np.ndarray:
        """ŷ = step(x·w + b), int64 of shape (N,), for x of shape (N, D)."""
        self._check_fitted()
        return perceptron_predict(x, self.w_, self.b_)


def mcculloch_pitts(x, weights, threshold):
    """The 1943 McCulloch–Pitts unit: fixed weights, fires (1) when Σᵢ wᵢxᵢ ≥ threshold.

    AND is weights (1, 1) with threshold 2, OR is (1, 1) with 1, NOT is (−1,) with 0.
    (The 1943 paper made inhibition absolute; a negative weight is the usual modern reading.)

    Parameters
    ----------
    x : array_like of shape (D,) or (N, D)
        Binary inputs.
    weights : array_like of shape (D,)
    threshold : float

    Returns
    -------
    int (0 or 1) for x of shape (D,); numpy.ndarray of int64, shape (N,), for (N, D).
    """
    x, weights = as_float_array(x, "x"), as_float_array(weights, "weights")
    dims = check_shape(weights, ("D",), "weights")
    check_shape(x, ("D",) if x.ndim == 1 else ("N", "D"), "x", dims)
    fires = (x @ weights >= _as_scalar(threshold, "threshold")).astype(np.int64)
    return int(fires) if x.ndim == 1 else fires


def novikoff_bound(x, y, w_star, b_star) -> float:
    """The perceptron convergence theorem's bound (R/γ)² on the number of mistakes.

    With augmented inputs (xᵢ, 1) and signs sᵢ = 2yᵢ − 1, for a separating (w*, b*):

        R = maxᵢ ‖(xᵢ, 1)‖,   γ = minᵢ sᵢ (w*·xᵢ + b*) / ‖(w*, b*)‖  (must be > 0).

    Novikoff (1962): `train_perceptron` started from w0 = 0, b0 = 0 (any lr, since then lr
    only rescales w and b) makes at most (R/γ)² mistakes in total, in any order of samples.
    A tighter bound comes from the (w*, b*) with the largest margin γ.

    Parameters
    ----------
    x : array_like of shape (N, D)
    y : array_like of shape (N,), labels in {0, 1}
    w_star : array_like of shape (D,)
    b_star : float

    Raises
    ------
    ValueError
        If (w*, b*) does not separate the data, i.e. γ ≤ 0.
    """
    x, w_star = as_float_array(x, "x"), as_float_array(w_star, "w_star")
    dims = check_shape(x, ("N", "D"), "x")
    check_shape(w_star, ("D",), "w_star", dims)
    s = 2 * _check_labels01(y, dims["N"]) - 1
    x_aug = np.hstack([x, np.ones((dims["N"], 1))])
    v = np.append(w_star, _as_scalar(b_star, "b_star"))
    norm = np.linalg.norm(v)
    gamma = np.min(s * (x_aug @ v)) / norm if norm > 0 else 0.0
    if not gamma > 0:
        raise ValueError(
            f"(w_star, b_star) does not separate the data: its margin γ = {gamma:.3g} ≤ 0"
        )
    r = np.max(np.linalg.norm(x_aug, axis=1))
    return float((r / gamma) ** 2)
