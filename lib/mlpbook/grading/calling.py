"""Calling the student's function: time limit, unimplemented parts, modified arguments,
numpy warnings, and exceptions it must raise."""

from __future__ import annotations

import contextlib
import copy
import re
import signal
import threading
import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from ._text import describe_call, fail, fmt

# the RuntimeWarnings numpy gives for floating-point errors, and what they mean
NUMPY_ERRORS = {
    "overflow encountered": "overflowed",
    "invalid value encountered": "produced an invalid value (nan)",
    "divide by zero encountered": "divided by zero",
}


class _Timeout(BaseException):
    """Raised in the student's function when its time is up.

    Not an Exception, so that an ``except Exception`` in student code does not swallow it.
    """


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Interrupt the block after ``seconds`` with `_Timeout` (Unix, main thread only)."""
    usable = (
        seconds is not None
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _scalars(items) -> bool:
    """Whether ``items`` holds only Python numbers, strings and None, in lists and tuples."""
    atoms = (int, float, str, bool, type(None))
    return all(type(v) in atoms or (type(v) in (tuple, list) and _scalars(v)) for v in items)


def _changed(before, after) -> bool:
    """Whether an argument changed during the call; containers (a layer's cache: a tuple
    of arrays of different shapes) are compared item by item."""
    plain = type(before) is type(after) and isinstance(before, (tuple, list))
    if plain and _scalars(before) and _scalars(after):
        # numbers and strings only (a graph of 10,000 tuples): Python's == is exact and fast
        return before != after
    if isinstance(before, (tuple, list)) and isinstance(after, (tuple, list)):
        return len(before) != len(after) or any(map(_changed, before, after))
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return before.keys() != after.keys() or any(_changed(before[k], after[k]) for k in before)
    try:
        return not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True)
    except (TypeError, ValueError):
        try:
            return bool(before != after)
        except (TypeError, ValueError):
            return True


def _name(func) -> str:
    return getattr(func, "__name__", type(func).__name__)


def _invoke(func, values: tuple, timeout: float | None, catch: bool):
    """``func(*values)``, here or in the student's process: ``(result, warnings)``."""
    # a function that lives in another process (the course's grader runs the tests apart
    # from the student's code): that process enforces the time limit
    remote_call = getattr(type(func), "__remote_call__", None)
    if remote_call is not None:
        if catch:
            value, caught = remote_call(func, values, {}, timeout, catch_warnings=True)
            return value, [str(w) for w in caught or ()]
        return remote_call(func, values, {}, timeout), []
    with _time_limit(timeout):
        if not catch:
            return func(*values), []
        # underflow stays quiet: exp(-800) = 0 is the right answer, not a mistake
        with (
            warnings.catch_warnings(record=True) as caught,
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"),
        ):
            warnings.simplefilter("always")
            value = func(*values)
        return value, [f"{w.category.__name__}: {w.message}" for w in caught]


def _call(
    func,
    args: Mapping[str, object],
    *,
    timeout: float | None = 10.0,
    timeout_hint: str = "",
    numpy_warnings: bool | str = False,
    describe: str | None = None,
):
    """`run`, with the arguments as a dict."""
    name = _name(func)
    call = describe or describe_call(name, args)
    before = {k: copy.deepcopy(v) for k, v in args.items()}
    try:
        result, caught = _invoke(func, tuple(args.values()), timeout, bool(numpy_warnings))
    except NotImplementedError as exc:
        culprit = _raised_in(exc)  # maybe a function of another part, called by this one
        raise fail(
            f"{culprit} is not implemented yet: {call} raised NotImplementedError"
            f"{'' if culprit == name else ' in ' + culprit}. Replace "
            f"`raise NotImplementedError()` in {culprit} with your code."
        ) from exc
    except _Timeout:
        raise fail(_late(call, timeout, timeout_hint)) from None
    except Exception as exc:
        if getattr(exc, "is_timeout", False):
            raise fail(_late(call, timeout, timeout_hint)) from None
        raise fail(f"{call} raised {_exception_name(exc)}: {exc}") from exc
    for key, value in args.items():
        if _changed(before[key], value):
            raise fail(
                f"{call} modified its argument {key}: it held {fmt(before[key])} before the "
                f"call and {fmt(value)} after it. Leave the inputs alone and build new "
                f"arrays ({key} = {key} + …, not {key} += …)."
            )
    errors = [w for w in caught if any(m in w for m in NUMPY_ERRORS)]
    if errors:
        what = next(v for m, v in NUMPY_ERRORS.items() if m in errors[0])
        hint = numpy_warnings if isinstance(numpy_warnings, str) else ""
        raise fail(f"{name} {what}: {errors[0]}, in {call}.", hint)
    return result, call


def _late(call: str, timeout: float | None, hint: str) -> str:
    return f"{call} did not return within {timeout:g} s." + (f" {hint}" if hint else "")


def run(
    func,
    /,
    *,
    timeout: float | None = 10.0,
    timeout_hint: str = "",
    numpy_warnings: bool | str = False,
    describe: str | None = None,
    **args,
):
    """Call ``func`` with ``args`` and return ``(result, call)``, ``call`` its description.

    The arguments are passed by position, in the order given, so a student's own parameter
    names do not matter; their names here only make the message readable.

    Parameters
    ----------
    func : callable
        The student's function (or a handle on it in the student's process).
    timeout : float or None
        Seconds the call may take (where a timer can be set: Unix, main thread).
    timeout_hint : str
        A sentence to add when the call runs out of time.
    numpy_warnings : bool or str
        Fail if numpy warns of an overflow, an invalid value or a division by zero during
        the call (underflow is allowed); a string is the hint the message ends with.
    describe : str, optional
        The call's description in messages, in place of every argument in full: for
        arguments too large to show usefully (a network's cache), e.g.
        ``"mlp_backward(dscores, cache, params, 'relu')"``.
    **args
        The arguments, in order.

    Raises
    ------
    AssertionError
        If the function is not implemented yet, raises an exception, does not return within
        ``timeout`` seconds, modifies one of its arguments or, with ``numpy_warnings``, makes
        numpy warn.
    """
    return _call(
        func,
        args,
        timeout=timeout,
        timeout_hint=timeout_hint,
        numpy_warnings=numpy_warnings,
        describe=describe,
    )


def _exception_name(exc: BaseException) -> str:
    """The exception's class name (as the student's process named it, for a remote one)."""
    return getattr(exc, "ename", None) or type(exc).__name__


def _raised_in(exc: BaseException) -> str:
    """The name of the function in which ``exc`` was raised."""
    remote_where = getattr(exc, "remote_where", None)
    if remote_where:
        return remote_where
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name


def unpack(result, names: Iterable[str], *, call: str) -> tuple:
    """Check that ``result`` is a tuple (or list) of ``len(names)`` values and return it."""
    names = tuple(names)
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        kind = f"a {type(result).__name__}"
        if isinstance(result, (tuple, list)):
            kind += f" of {len(result)} values"
        raise fail(
            f"{call} returned {kind}, {fmt(result)}: expected a tuple of {len(names)} values "
            f"({', '.join(names)}), e.g. `return {', '.join(names)}`."
        )
    return tuple(result)


def _names_of(exception) -> set[str]:
    """The class names that count as ``exception`` (its subclasses' too): an exception
    raised in the student's process arrives with its class name only."""
    classes = list(exception) if isinstance(exception, tuple) else [exception]
    names = set()
    while classes:
        cls = classes.pop()
        if cls.__name__ not in names:
            names.add(cls.__name__)
            classes += cls.__subclasses__()
    return names


def check_raises(
    func,
    args: Mapping[str, object],
    exception: type[BaseException] | tuple = ValueError,
    *,
    match: str | None = None,
    hint: str = "",
    timeout: float | None = 10.0,
) -> None:
    """Check that ``func(*args.values())`` raises ``exception`` (a subclass counts too).

    Parameters
    ----------
    func : callable
    args : dict of {name: value}
        The arguments, passed by position; the names only make the message readable.
    exception : exception class or tuple of them
    match : str, optional
        A regular expression the exception's message must contain (`re.search`).
    hint : str
        What the student should do, put first in the message when the check fails.
    timeout : float or None
        As for `run`.
    """
    call = describe_call(_name(func), args)
    wanted = _names_of(exception)
    classes = exception if isinstance(exception, tuple) else (exception,)
    label = " or ".join(c.__name__ for c in classes)
    try:
        result, _ = _invoke(func, tuple(args.values()), timeout, False)
    except NotImplementedError as exc:
        if "NotImplementedError" in wanted:
            return
        culprit = _raised_in(exc)
        raise fail(
            f"{culprit} is not implemented yet: {call} raised NotImplementedError. Replace "
            f"`raise NotImplementedError()` in {culprit} with your code."
        ) from exc
    except _Timeout:
        raise fail(_late(call, timeout, "")) from None
    except Exception as exc:
        if getattr(exc, "is_timeout", False):
            raise fail(_late(call, timeout, "")) from None
        ename = _exception_name(exc)
        if ename not in wanted:
            raise fail(f"{call} raised {ename}: {exc}. Expected a {label}.", hint=hint) from exc
        if match is not None and not re.search(match, str(exc)):
            raise fail(
                f"{call} raised {ename}: {exc}. Expected a message that says {match!r}.",
                hint=hint,
            ) from exc
        return
    raise fail(f"{call} returned {fmt(result)}: expected it to raise a {label}.", hint=hint)
