"""Toy data sets, splits and preprocessing for the book's experiments.

Shapes: inputs ``x`` of shape (N, D); class labels ``y`` of shape (N,) (int64);
regression targets ``y`` of shape (N, 1). Randomness comes only from an explicit
``rng`` (a ``numpy.random.Generator`` or an int seed). Nothing is downloaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import numpy as np

from mlpbook._checks import (
    as_float_array,
    check_labels,
    check_positive_int,
    check_probability,
    check_rng,
    check_shape,
)

# outputs for the inputs (0, 0), (0, 1), (1, 0), (1, 1)
_GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0),
          "nor": (1, 0, 0, 0), "xor": (0, 1, 1, 0), "xnor": (1, 0, 0, 1)}  # fmt: skip
LOGIC_GATES = tuple(_GATES)

_TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(np.pi * x),
    "cubic": lambda x: x**3 - x,
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),
    "abs": np.abs,
}
TARGET_FUNCTIONS = tuple(_TARGETS)


def _lookup(table: dict, name, what: str):
    key = name.lower() if isinstance(name, str) else name
    if key not in table:
        raise ValueError(f"unknown {what} {name!r}; valid names: {', '.join(table)}")
    return table[key]


def logic_gate(name: str, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The four binary inputs and a logic gate's outputs.

    Parameters
    ----------
    name : str
        One of ``LOGIC_GATES``: "and", "or", "nand", "nor", "xor", "xnor" (any case).

    Returns
    -------
    x, y : numpy.ndarray of shapes (4, 2) and (4,), int64
        The inputs (0, 0), (0, 1), (1, 0), (1, 1) and the gate's output for each.
    """
    labels = _lookup(_GATES, name, "logic gate")
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype), np.array(labels, dtype=np.int64)


def xor(dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: x of shape (4, 2), y of shape (4,) with labels 0/1."""
    return logic_gate("xor", dtype)


def _class_sizes(n: int, classes: int) -> np.ndarray:
    """Split n into near-equal parts; the remainder goes to the first classes."""
    return np.full(classes, n // classes) + (np.arange(classes) < n % classes)


def _check_noise(noise) -> float:
    if not noise >= 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    return float(noise)


def _labelled(parts, noise: float, rng: np.random.Generator):
    """Stack class j's points ``parts[j]``, add Gaussian noise, label and shuffle."""
    x = np.vstack(parts)
    x = x + rng.normal(0.0, noise, size=x.shape)
    y = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])
    perm = rng.permutation(len(y))
    return x[perm], y[perm]


def make_xor(n: int, *, noise: float = 0.1, rng) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around the four corners of the unit square, labelled by XOR.

    Class 0 ((0, 0) and (1, 1)) gets ``n - n // 2`` points, class 1 gets ``n // 2``;
    Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Returns
    -------
    x, y : numpy.ndarray of shapes (n, 2), float64, and (n,), int64, shuffled
    """
    n, noise, rng = check_positive_int(n, "n"), _check_noise(noise), check_rng(rng)
    n0, n1 = _class_sizes(n, 2)
    parts = [
        np.repeat([[0.0, 0.0], [1.0, 1.0]], _class_sizes(n0, 2), axis=0),
        np.repeat([[0.0, 1.0], [1.0, 0.0]], _class_sizes(n1, 2), axis=0),
    ]
    return _labelled(parts, noise, rng)


def make_moons(n: int, *, noise: float = 0.1, rng) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons`` geometry).

    Class 0 (``n - n // 2`` points) lies on the upper unit half circle, class 1
    (``n // 2``) on ``(1 - cos t, 0.5 - sin t)``, t in [0, π]; then Gaussian noise.

    Returns
    -------
    x, y : numpy.ndarray of shapes (n, 2), float64, and (n,), int64, shuffled
    """
    n, noise, rng = check_positive_int(n, "n"), _check_noise(noise), check_rng(rng)
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    return _labelled([outer, inner], noise, rng)


def make_circles(
    n: int, *, noise: float = 0.05, factor: float = 0.5, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's ``make_circles`` geometry).

    Class 0 (``n - n // 2`` points) lies on the unit circle, class 1 (``n // 2``) on
    the circle of radius ``factor``, evenly spaced; then Gaussian noise of std ``noise``.

    Returns
    -------
    x, y : numpy.ndarray of shapes (n, 2), float64, and (n,), int64, shuffled
    """
    n, noise, rng = check_positive_int(n, "n"), _check_noise(noise), check_rng(rng)
    if not 0 <= factor < 1:
        raise ValueError(f"factor: expected a number in [0, 1), got {factor!r}")
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    return _labelled([outer, factor * np.column_stack([np.cos(t1), np.sin(t1)])], noise, rng)


def make_spirals(
    n: int, *, classes: int = 3, noise: float = 0.2, turns: float = 1.0, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral data set).

    Arm j starts at the origin and winds ``turns`` times round it, radius growing from 0
    to 1; its angles are offset by ``2πj / classes`` and jittered by Gaussian noise of
    std ``noise`` (radians): ``(r sin θ, r cos θ)``. The n points are split evenly
    across classes, the remainder going to the first ones.

    Returns
    -------
    x, y : numpy.ndarray of shapes (n, 2), float64, and (n,), int64, shuffled
    """
    n, noise, rng = check_positive_int(n, "n"), _check_noise(noise), check_rng(rng)
    classes = check_positive_int(classes, "classes", minimum=2)
    sizes = _class_sizes(n, classes)
    r = np.concatenate([np.linspace(0.0, 1.0, m) for m in sizes])
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    theta = 2 * np.pi * (turns * r + y / classes) + rng.normal(0.0, noise, size=n)
    perm = rng.permutation(n)
    return np.column_stack([r * np.sin(theta), r * np.cos(theta)])[perm], y[perm]


def target_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """A vectorised 1-D target for the approximation chapter, meant for x in [-1, 1].

    ``"sine"``: sin(πx) (one full period on [-1, 1]); ``"cubic"``: x³ - x;
    ``"step"``: 0 for x < 0 and 1 for x ≥ 0; ``"abs"``: ``|x|``.
    """
    return _lookup(_TARGETS, name, "target function")


def make_regression_1d(
    name: str, n: int, *, noise: float = 0.0, low: float = -1.0, high: float = 1.0, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """Samples of a target function: ``y = f(x) + noise · ε`` with ε ~ N(0, 1).

    With ``rng`` the inputs are uniform on [low, high] (then sorted); without it they
    form an evenly spaced grid, handy for drawing the target (noise then must be 0).

    Returns
    -------
    x, y : numpy.ndarray of shape (n, 1), float64, x sorted
    """
    f = target_function(name)
    n, noise = check_positive_int(n, "n"), _check_noise(noise)
    if not low < high:
        raise ValueError(f"expected low < high, got low={low!r}, high={high!r}")
    if rng is None:
        if noise:
            raise ValueError("noise > 0 needs an rng (a numpy.random.Generator or int seed)")
        x, eps = np.linspace(low, high, n), 0.0
    else:
        rng = check_rng(rng)
        x = np.sort(rng.uniform(low, high, size=n))
        eps = noise * rng.standard_normal(n)
    y = np.asarray(f(x), dtype=np.float64) + eps
    return x[:, None], y[:, None]


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as err:
        raise ImportError(
            "load_digits needs scikit-learn (it ships the 8x8 digits): "
            "pip install scikit-learn, or pip install 'mlpbook[data]'"
        ) from err
    bunch = sk_load_digits()
    x = bunch.data.astype(np.float64) / 16.0
    x.flags.writeable = False  # the cache must never change under a caller
    y = bunch.target.astype(np.int64)
    y.flags.writeable = False
    return x, y


def load_digits(*, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits, read from a local file.

    Returns
    -------
    x : numpy.ndarray of shape (1797, 64)
        Pixel intensities 0..16 scaled to [0, 1], rows are images in reading order.
    y : numpy.ndarray of shape (1797,), int64
        The digit, 0..9.
    """
    x, y = _digits_arrays()
    return x.astype(dtype, copy=True), y.copy()


def one_hot(y, num_classes: int | None = None) -> np.ndarray:
    """Class labels of shape (N,) as one-hot rows of shape (N, C), float64."""
    n = check_shape(y, ("N",), "y")["N"]
    if num_classes is not None:
        num_classes = check_positive_int(num_classes, "num_classes")
    y = check_labels(y, n, num_classes)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    out = np.zeros((y.shape[0], num_classes))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _allocate(total: int, quotas: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Round quotas to ints summing to ``total`` (largest remainder), each <= its cap."""
    counts = np.minimum(np.floor(quotas).astype(np.int64), caps)
    for _ in range(total - counts.sum()):
        gap = np.where(counts < caps, quotas - counts, -np.inf)
        counts[np.argmax(gap)] += 1
    return counts


def _split_indices(y, n: int, fractions, rng, stratify: bool) -> list[np.ndarray]:
    """Index arrays for the splits (last one = the rest), stratified when y is labels."""
    y = np.asarray(y)
    if stratify and y.ndim == 1 and y.dtype.kind in "iub":
        groups = [np.flatnonzero(y == c) for c in np.unique(y)]
    else:
        groups = [np.arange(n)]
    groups = [rng.permutation(g) for g in groups] or [np.arange(0)]
    sizes = np.array([len(g) for g in groups])
    taken = np.zeros_like(sizes)
    splits = []
    for frac in fractions:
        # the split's total is fixed first, then shared out in proportion to class sizes
        total = round(frac * n)
        counts = _allocate(total, total * sizes / max(n, 1), sizes - taken)
        splits.append(
            np.concatenate([g[t : t + c] for g, t, c in zip(groups, taken, counts, strict=True)])
        )
        taken += counts
    splits.append(np.concatenate([g[t:] for g, t in zip(groups, taken, strict=True)]))
    return [rng.permutation(idx) for idx in splits]


def train_val_test_split(x, y, *, val: float = 0.15, test: float = 0.15, rng, stratify=True):
    """Shuffle and split into training, validation and test sets.

    Parameters
    ----------
    x : numpy.ndarray of shape (N, ...)
    y : numpy.ndarray of shape (N,) or (N, 1)
        With integer labels and ``stratify``, each class keeps its proportion in every
        split (within one sample).
    val, test : float
        Fractions of N, each >= 0 with ``val + test < 1``; 0 gives an empty split.

    Returns
    -------
    (x_train, y_train), (x_val, y_val), (x_test, y_test)
    """
    dims = check_shape(x, ("N",) + (None,) * (np.ndim(x) - 1), "x")
    check_shape(y, ("N",) + (None,) * (np.ndim(y) - 1), "y", dims)
    val, test = check_probability(val, "val"), check_probability(test, "test")
    if val + test >= 1:
        raise ValueError(f"expected val + test < 1 (something left to train on), got {val + test}")
    x, y = np.asarray(x), np.asarray(y)
    val_idx, test_idx, train_idx = _split_indices(y, len(y), (val, test), check_rng(rng), stratify)
    return tuple((x[i], y[i]) for i in (train_idx, val_idx, test_idx))


def train_test_split(x, y, *, test: float = 0.2, rng, stratify=True):
    """Shuffle and split into ``(x_train, y_train), (x_test, y_test)``; see train_val_test_split."""
    train, _, held_out = train_val_test_split(x, y, val=0, test=test, rng=rng, stratify=stratify)
    return train, held_out


def kfold_indices(n: int, k: int, *, rng=None, shuffle: bool = True, labels=None):
    """K-fold cross-validation indices, optionally stratified.

    Every index in ``0..n-1`` is in exactly one validation fold; fold sizes differ by at
    most one. ``rng`` is needed when ``shuffle`` is true.

    With ``labels`` (one class label per example) the folds are **stratified**: the
    examples of each class are shuffled (if ``shuffle``) and dealt to the folds in turn,
    so each class's count differs by at most one between folds and every fold keeps the
    class proportions of the whole set as closely as the counts allow.

    Returns
    -------
    list of (train_idx, val_idx)
        k pairs of sorted int64 index arrays, of lengths n - m and m.
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k", minimum=2)
    if k > n:
        raise ValueError(f"k: expected 2 <= k <= n = {n}, got {k}")
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng (a numpy.random.Generator or int seed)")
    generator = check_rng(rng) if shuffle else None
    if labels is None:
        order = generator.permutation(n) if shuffle else np.arange(n)
        folds = np.array_split(order, k)
    else:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(
                f"labels: expected shape ({n},), one label per example, got {labels.shape}"
            )
        # classes one after the other, each shuffled; position j goes to fold j mod k
        order = np.concatenate(
            [
                generator.permutation(members) if shuffle else members
                for members in (np.flatnonzero(labels == c) for c in np.unique(labels))
            ]
        )
        folds = [order[i::k] for i in range(k)]
    return [
        (np.sort(np.concatenate(folds[:i] + folds[i + 1 :])), np.sort(fold))
        for i, fold in enumerate(folds)
    ]


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1.

    Fit it on the training set only, then apply the same ``mean_`` and ``scale_`` to the
    validation and test sets. Fitting on all the data would let statistics of the
    held-out samples leak into training, so the held-out score would no longer measure
    performance on data the model has never seen.

    Attributes
    ----------
    mean_ : numpy.ndarray of shape (D,)
    scale_ : numpy.ndarray of shape (D,)
        The standard deviation, with 1 for constant features (they become 0, not NaN).
    """

    mean_: np.ndarray | None = None
    scale_: np.ndarray | None = None

    def fit(self, x) -> Standardizer:
        """Learn the per-feature mean and scale from ``x`` of shape (N, D)."""
        x = as_float_array(x, "x")
        check_shape(x, ("N", "D"), "x")
        if x.shape[0] == 0:
            raise ValueError("x: expected at least one sample to fit on, got shape (0, D)")
        mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)
        # rounding leaves a tiny non-zero std on constant columns; treat it as zero
        tiny = 10 * np.finfo(x.dtype).eps * np.maximum(np.abs(mean), 1.0)
        self.mean_, self.scale_ = mean, np.where(std > tiny, std, 1.0)
        return self

    def _checked(self, x) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("Standardizer is not fitted yet: call fit(x_train) first")
        x = as_float_array(x, "x")
        check_shape(x, ("N", self.mean_.shape[0]), "x")
        return x

    def transform(self, x) -> np.ndarray:
        """Standardise ``x`` of shape (N, D) with the fitted statistics."""
        x = self._checked(x)
        return ((x - self.mean_) / self.scale_).astype(x.dtype, copy=False)

    def fit_transform(self, x) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``; x of shape (N, D)."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x) -> np.ndarray:
        """Undo ``transform``: x of shape (N, D) back in the original units."""
        x = self._checked(x)
        return (x * self.scale_ + self.mean_).astype(x.dtype, copy=False)


def minibatches(n: int, batch_size: int, *, rng=None) -> Iterator[np.ndarray]:
    """Yield index arrays covering ``0..n-1`` in batches of ``batch_size``.

    The order is shuffled when ``rng`` is given; the last batch may be smaller.
    """
    n = check_positive_int(n, "n", minimum=0)
    batch_size = check_positive_int(batch_size, "batch_size")
    order = np.arange(n) if rng is None else check_rng(rng).permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]
