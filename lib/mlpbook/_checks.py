"""Input validation shared by every module: clear errors that name what was expected."""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def _fmt(shape) -> str:
    """Format a shape spec such as ``("N", 3)`` as ``(N, 3)``."""
    inner = ", ".join(str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_shape(a, expected, name: str, dims: dict | None = None) -> dict:
    """Check that ``a`` has the shape ``expected`` and return the bound dimension names.

    Parameters
    ----------
    a : numpy.ndarray
        The array to check.
    expected : tuple
        One entry per axis: an int (that size exactly), a str (a named dimension such
        as ``"N"``, bound on first use, and equal wherever it appears again) or None (any).
    name : str
        The argument's name, used in the error message.
    dims : dict, optional
        Dimension names already bound by earlier checks; updated in place.

    Raises
    ------
    ValueError
        ``"x: expected shape (N, 3), got (5, 4)"`` and, where a named dimension
        disagrees, what it was bound to.
    """
    dims = {} if dims is None else dims
    shape = np.shape(a)
    if len(shape) != len(expected):
        raise ValueError(
            f"{name}: expected a {len(expected)}-D array of shape {_fmt(expected)}, "
            f"got a {len(shape)}-D array of shape {_fmt(shape)}"
        )
    for size, want in zip(shape, expected, strict=True):
        if want is None:
            continue
        if isinstance(want, str):
            bound = dims.setdefault(want, size)
            if bound != size:
                raise ValueError(
                    f"{name}: expected shape {_fmt(expected)} with {want}={bound}, "
                    f"got {_fmt(shape)}"
                )
        elif size != want:
            raise ValueError(f"{name}: expected shape {_fmt(expected)}, got {_fmt(shape)}")
    return dims


def as_float_array(a, name: str, dtype=None) -> np.ndarray:
    """Return ``a`` as a float32/float64 array (no copy when it already is one).

    Integer and boolean input is converted to ``dtype`` (float64 if None); other input
    (strings, objects, complex) raises a ``TypeError`` that names the argument.
    """
    arr = np.asarray(a)
    if dtype is not None:
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{name}: expected a real numeric array, got dtype {arr.dtype}")
        return arr.astype(dtype, copy=False)
    if arr.dtype in FLOAT_DTYPES:
        return arr
    if arr.dtype.kind in "iub" or arr.dtype.kind == "f":
        return arr.astype(np.float64)
    raise TypeError(f"{name}: expected a real numeric array, got dtype {arr.dtype}")


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise a ``ValueError`` if ``a`` holds NaN or infinity."""
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: expected finite values, got NaN or infinity")


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, raising a ``ValueError`` unless it is an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def check_probability(p, name: str, *, allow_one: bool = False) -> float:
    """Return ``p`` as a float in [0, 1) (or [0, 1] with ``allow_one``), else raise."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(f"{name}: expected a number in [0, 1), got {p!r}")
    hi_ok = p <= 1 if allow_one else p < 1
    if not (p >= 0 and hi_ok):
        rng = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name}: expected a number in {rng}, got {p!r}")
    return float(p)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; an int seeds a new one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name}: expected a numpy.random.Generator (for example np.random.default_rng(0)) "
        f"or an int seed, got {type(rng).__name__}"
    )


def check_labels(y, n: int, num_classes: int | None, name: str = "y") -> np.ndarray:
    """Check integer class labels of shape (N,), each in ``range(num_classes)``."""
    y = np.asarray(y)
    check_shape(y, (n,), name)
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{name}: expected integer class labels, got dtype {y.dtype}")
    if num_classes is not None and y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{name}: expected labels in 0..{num_classes - 1}, "
            f"got values from {y.min()} to {y.max()}"
        )
    return y
