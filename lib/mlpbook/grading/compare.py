"""Comparing what came back with what was expected, and naming the mistake it looks like.

Each expected value (a *leaf*) is one of: a Python bool (the answer must be a bool), a
Python int (a whole number), `Close` (numbers within a tolerance of its own), `Subgradient`
(any value between two one-sided derivatives) or anything else numeric (numbers within
the check's tolerance, in any container and dtype).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._text import _is_numeric, _num, fail, fmt
from .calling import _call, unpack


@dataclass(frozen=True)
class Close:
    """An expected value with a tolerance of its own: ``|got - value| <= atol + rtol·|value|``."""

    value: object
    rtol: float = 1e-5
    atol: float = 1e-6


@dataclass(frozen=True)
class Subgradient:
    """At a kink, any value between the one-sided derivatives ``left`` and ``right`` is a
    right answer (elementwise, for arrays); where ``left == right`` it is that value."""

    left: object
    right: object


def _what(what: str) -> str:
    return f"{what} = " if what else ""


def _shape_text(shape: tuple) -> str:
    return "a number" if shape == () else f"an array of shape {shape}"


def _floats(value) -> np.ndarray | None:
    """``value`` as a float64 array, or None if it does not hold numbers."""
    if value is None or not _is_numeric(value):
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _bounds(leaf, rtol, atol):
    """(low, high) arrays every entry must lie within, and the exact value to show."""
    if isinstance(leaf, Close):
        rtol, atol, leaf = leaf.rtol, leaf.atol, leaf.value
    if isinstance(leaf, Subgradient):
        left = np.asarray(leaf.left, dtype=np.float64)
        right = np.asarray(leaf.right, dtype=np.float64)
        lo, hi = np.minimum(left, right), np.maximum(left, right)
    else:
        lo = hi = np.asarray(leaf, dtype=np.float64)
    tol = atol + rtol * np.maximum(np.abs(lo), np.abs(hi))
    return lo - tol, hi + tol, lo, hi


def _problem(got, leaf, *, what: str, rtol: float, atol: float) -> str | None:
    """What is wrong with ``got`` (a sentence that follows "returned "), or None."""
    if isinstance(leaf, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return (
                f"{_what(what)}{fmt(got)} (a {type(got).__name__}): expected {bool(leaf)}, a "
                "bool (True or False)."
            )
        return None if bool(got) == bool(leaf) else f"{_what(what)}{got}: expected {leaf}."
    if isinstance(leaf, int):
        whole = (
            isinstance(got, numbers.Real)
            and not isinstance(got, (bool, np.bool_))
            and float(got).is_integer()
        )
        if not whole:
            return (
                f"{_what(what)}{fmt(got)} (a {type(got).__name__}): expected the whole "
                f"number {leaf}."
            )
        return None if int(got) == leaf else f"{_what(what)}{int(got)}: expected {leaf}."
    lo, hi, low, high = _bounds(leaf, rtol, atol)
    shown = fmt(leaf.value if isinstance(leaf, Close) else low)
    if isinstance(leaf, Subgradient) and not np.array_equal(low, high):
        shown = (
            f"a value between the one-sided derivatives {fmt(low)} and {fmt(high)} (at a "
            "kink any value between them is right)"
        )
    if got is None:
        return f"{_what(what)}None: expected {shown}. Did you forget a `return`?"
    arr = _floats(got)
    if arr is None:
        return f"{_what(what)}{fmt(got)} (a {type(got).__name__}): expected numbers, {shown}."
    if arr.shape != lo.shape:
        return (
            f"{_what(what)}{fmt(got)}, {_shape_text(arr.shape)}: expected "
            f"{_shape_text(lo.shape)}, {shown}."
        )
    wrong = ~((arr >= lo) & (arr <= hi))  # nan is wrong
    if not wrong.any():
        return None
    return f"{_what(what)}{fmt(got)}: expected {shown}.{_where(arr, low, wrong)}"


def _where(got: np.ndarray, expected: np.ndarray, wrong: np.ndarray) -> str:
    """For arrays too long to show whole: how many entries differ, and the first one."""
    if got.size <= 12:
        return ""
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    index = first[0] if len(first) == 1 else first
    return (
        f" {int(wrong.sum())} of {got.size} entries differ, the first at index {index}: "
        f"{_num(got[first])} instead of {_num(expected[first])}."
    )


def _matches(got, wrong, *, rtol: float, atol: float) -> bool:
    try:
        return _problem(got, wrong, what="", rtol=rtol, atol=atol) is None
    except (TypeError, ValueError):
        return False


def _hint(values: Mapping, failing: set, mistakes: Mapping | None, rtol, atol) -> str:
    """The first mistake that explains a wrong value: every entry it gives matches what
    came back, and one of them is a value that is wrong."""
    for hint, wrong in (mistakes or {}).items():
        if not (set(wrong) & failing) or not set(wrong) <= set(values):
            continue
        if all(_matches(values[k], v, rtol=rtol, atol=atol) for k, v in wrong.items()):
            return hint
    return ""


def _check(values: Mapping, expected: Mapping, *, call: str, mistakes, rtol, atol) -> None:
    """Compare each named value with its expected leaf; raise one message for them all."""
    problems = {}
    for key, leaf in expected.items():
        found = _problem(values[key], leaf, what=key, rtol=rtol, atol=atol)
        if found:
            problems[key] = found
    if not problems:
        return
    hint = _hint(values, set(problems), mistakes, rtol, atol)
    first, *others = problems.values()
    raise fail(f"{call} returned {first}", *(f"It returned {p}" for p in others), hint=hint)


def _single(mistakes: Mapping | None, key: str = "") -> dict:
    return {hint: {key: wrong} for hint, wrong in (mistakes or {}).items()}


def check_close(
    got,
    expected,
    *,
    call: str,
    what: str = "",
    mistakes: Mapping[str, object] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Check that ``got`` holds the numbers ``expected`` in the same shape, within tolerance.

    Parameters
    ----------
    got : array_like or number
        What the student's function returned (list, tuple, any int/bool/float dtype).
    expected : array_like, number, Close or Subgradient
    call : str
        The call that produced ``got`` (from `run`).
    what : str
        The name of the returned value in the message (``"w_new"``).
    mistakes : dict of {hint: answer}, optional
        Answers a known mistake gives; when ``got`` equals one, its hint opens the message.
    rtol, atol : float
        ``|got - expected| <= atol + rtol·|expected|`` elementwise.
    """
    if isinstance(expected, (bool, np.bool_, int)) and not isinstance(expected, np.ndarray):
        expected = float(expected)  # numbers here, whatever their type
    _check(
        {what: got},
        {what: expected},
        call=call,
        mistakes=_single(mistakes, what),
        rtol=rtol,
        atol=atol,
    )


def check_subgradient(
    got,
    left,
    right,
    *,
    call: str,
    what: str = "",
    mistakes: Mapping[str, object] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Check that ``got`` lies between ``left`` and ``right`` (elementwise), the one-sided
    derivatives at a kink: any subgradient is right. As `check_close` where they agree."""
    check_close(
        got, Subgradient(left, right), call=call, what=what, mistakes=mistakes, rtol=rtol, atol=atol
    )


def check_bool(
    got, expected: bool, *, call: str, what: str = "", mistakes: Mapping | None = None
) -> None:
    """Check that ``got`` is the boolean ``expected`` (a Python or numpy bool)."""
    _check(
        {what: got},
        {what: bool(expected)},
        call=call,
        mistakes=_single(mistakes, what),
        rtol=0,
        atol=0,
    )


def check_int(
    got, expected: int, *, call: str, what: str = "", mistakes: Mapping | None = None
) -> None:
    """Check that ``got`` is the whole number ``expected`` (int, numpy int, or 3.0)."""
    wrongs = {h: int(w) for h, w in (mistakes or {}).items()}
    _check(
        {what: got},
        {what: int(expected)},
        call=call,
        mistakes=_single(wrongs, what),
        rtol=0,
        atol=0,
    )


def check_shape(value, shape: tuple, *, what: str, where: str = "") -> None:
    """Check that ``value`` (an array, a nested list or a number) holds numbers of ``shape``.

    ``what`` names the value (``"W1"``); ``where`` optionally says where it comes from.
    """
    shape = tuple(shape)
    prefix = f"{where}: " if where else ""
    if value is None or not _is_numeric(value):
        raise fail(
            f"{prefix}{what} is {fmt(value)} (a {type(value).__name__}): expected numbers, "
            f"{_shape_text(shape)}."
        )
    if np.shape(value) != shape:
        raise fail(
            f"{prefix}{what} = {fmt(value)} is {_shape_text(np.shape(value))}: expected "
            f"{_shape_text(shape)}."
        )


def _cast(value, dtype):
    """Float arrays and numpy floats in ``dtype``; everything else as it is."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(dtype)
    if isinstance(value, np.floating):
        return dtype(value)
    return value


def check_call(
    func,
    args: Mapping[str, object],
    expected,
    *,
    returns=None,
    mistakes: Mapping[str, object] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    float32: bool = False,
    dtype=None,
    timeout: float | None = 10.0,
    timeout_hint: str = "",
    numpy_warnings: bool | str = False,
) -> None:
    """Call ``func`` through `run`, unpack what it returns and compare it with ``expected``.

    Parameters
    ----------
    func : callable
        The student's function.
    args : dict of {name: value}
        The arguments, passed by position in this order; the names only make messages
        readable.
    expected : leaf, or dict of {name: leaf}
        With ``returns=None`` the one value the function returns; otherwise a dict (names
        left out are not checked). A leaf is a Python bool (checked as by `check_bool`), a
        Python int (`check_int`), `Close`, `Subgradient`, or numbers (`check_close`).
    returns : None, tuple of str, or dict
        None: the function returns one value. A tuple of names: it returns a tuple of that
        many values (checked by `unpack`). ``dict``: it returns a dict with the keys of
        ``expected``.
    mistakes : dict of {hint: answer}, optional
        Known mistakes: ``answer`` is the value the mistake returns (``returns=None``) or a
        dict of {name: value} giving some of the values; a mistake matches when every value
        it gives matches what came back, and its hint then opens the message.
    rtol, atol : float
        The tolerance of the numbers: ``|got - expected| <= atol + rtol·|expected|``.
    float32, dtype
        ``float32=True`` (or ``dtype=np.float32``) passes the float arrays of ``args`` in
        that dtype and widens the tolerance to its precision (1000 eps, 1.2e-4 for float32);
        ``expected`` is computed in float64 by the test, from the same values.
    timeout, timeout_hint, numpy_warnings
        As for `run`.

    Returns
    -------
    None
        Nothing: a test cell's last line must not show an output.
    """
    dtype = np.float32 if float32 else dtype
    if dtype is not None:
        args = {k: _cast(v, dtype) for k, v in args.items()}
        eps = float(np.finfo(dtype).eps)
        rtol, atol = max(rtol, 1000 * eps), max(atol, 1000 * eps)
    result, call = _call(
        func, args, timeout=timeout, timeout_hint=timeout_hint, numpy_warnings=numpy_warnings
    )
    if returns is None:
        _check(
            {"": result},
            {"": expected},
            call=call,
            mistakes=_single(mistakes),
            rtol=rtol,
            atol=atol,
        )
        return
    if returns is dict:
        if not isinstance(result, Mapping):
            raise fail(
                f"{call} returned a {type(result).__name__}, {fmt(result)}: expected a dict "
                f"with the keys {', '.join(map(repr, expected))}."
            )
        missing = [k for k in expected if k not in result]
        if missing:
            raise fail(
                f"{call} returned a dict without the key{'s' * (len(missing) > 1)} "
                f"{', '.join(map(repr, missing))}: it has {', '.join(map(repr, result))}."
            )
        values = {k: result[k] for k in expected}
    else:
        values = dict(zip(returns, unpack(result, returns, call=call), strict=True))
    _check(values, expected, call=call, mistakes=mistakes, rtol=rtol, atol=atol)
