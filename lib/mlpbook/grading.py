"""Checks for the graded notebooks' test cells, with failure messages that teach.

Every check raises an ``AssertionError`` (so nbgrader gives the test cell no points) whose
message says what was called, what was expected, what came back and, when the answer
matches a known mistake, which mistake it is::

    perceptron_update(w=[0, 0], b=0, x_i=[1, 1], y_i=0) returned w_new = [1, 1]: expected
    [-1, -1]. Your update has the wrong sign: the rule is w ← w + lr·(y − ŷ)·x, […]

A test cell calls the student's function through `run` (which names the call, turns an
exception into a message and checks that the arguments were left alone), then compares
what came back with `check_close`, `check_bool` or `check_int`. Comparisons are
dtype-agnostic: lists, tuples, int, bool, float32 and float64 arrays are all accepted when
they hold the right numbers in the right shape.

`assert_own_implementation` checks that a graded function does not use the library's
answer (``mlpbook.perceptron`` for chapter 1). It reads the function's code, not its
behaviour: it catches honest shortcuts and copied calls, it is not a sandbox.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import functools
import importlib
import numbers
import signal
import sys
import threading
import types
from collections.abc import Callable, Iterable, Mapping

import numpy as np

__all__ = [
    "assert_own_implementation",
    "check_bool",
    "check_close",
    "check_int",
    "check_shape",
    "describe_call",
    "find_forbidden",
    "find_forbidden_in_source",
    "fmt",
    "run",
    "unpack",
]


# ---------------------------------------------------------------------------- formatting


def fmt(value, *, max_items: int = 12) -> str:
    """A short, readable form of a value for a message: ``[0, 1.5]``, ``2.5``, ``None``.

    Numbers show 6 significant digits (``2.0`` shows as ``2``). Arrays with more than
    ``max_items`` entries are summarised (``[0, 1, 1, …, 0, 1, 1] (shape (50,))``), and a
    float dtype other than float64 is named, since float32 vs float64 can matter.
    """
    if value is None or isinstance(value, (bool, np.bool_, str)):
        return repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, numbers.Real):
        return _num(value)
    if isinstance(value, (np.ndarray, list)) and _is_numeric(value):
        arr = np.asarray(value)
        text = _nested(arr, summarise=arr.size > max_items)
        extra = []
        if arr.size > max_items:
            extra.append(f"shape {arr.shape}")
        if isinstance(value, np.ndarray) and arr.dtype.kind == "f" and arr.dtype != np.float64:
            extra.append(arr.dtype.name)
        return text + (f" ({', '.join(extra)})" if extra else "")
    if isinstance(value, (tuple, list)):
        inner = ", ".join(fmt(v, max_items=max_items) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _num(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    return f"{float(x):.6g}"


def _nested(arr: np.ndarray, summarise: bool, edge: int = 3) -> str:
    """``[[1, 2], [3, 4]]``, with the middle of long axes replaced by ``…``."""
    if arr.ndim == 0:
        return _num(arr.item())
    items = list(arr)
    if summarise and len(items) > 2 * edge:
        parts = [_nested(a, summarise) for a in items[:edge]]
        parts += ["…"] + [_nested(a, summarise) for a in items[-edge:]]
    else:
        parts = [_nested(a, summarise) for a in items]
    return "[" + ", ".join(parts) + "]"


def _is_numeric(value) -> bool:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biuf"


def _what(what: str) -> str:
    return f"{what} = " if what else ""


def _hint(got, mistakes: Mapping[str, object] | None, compare: Callable) -> str:
    """The first known mistake whose answer equals ``got``, as a sentence to append."""
    for hint, wrong in (mistakes or {}).items():
        with contextlib.suppress(TypeError, ValueError):
            if compare(got, wrong):
                return f" {hint}"
    return ""


# ---------------------------------------------------------------------------- calling


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


def describe_call(name: str, args: Mapping[str, object]) -> str:
    """``name(a=…, b=…)`` with every argument formatted by `fmt`."""
    return f"{name}(" + ", ".join(f"{k}={fmt(v, max_items=8)}" for k, v in args.items()) + ")"


def _changed(before, after) -> bool:
    try:
        return not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True)
    except (TypeError, ValueError):
        return before != after


def run(func, /, *, timeout: float | None = 10.0, timeout_hint: str = "", **args):
    """Call ``func`` with ``args`` and return ``(result, call)``, ``call`` its description.

    The arguments are passed by position, in the order given, so a student's own parameter
    names do not matter; their names here only make the message readable.

    Raises
    ------
    AssertionError
        If the function is not implemented yet, raises an exception, does not return within
        ``timeout`` seconds (where a timer can be set: Unix, main thread), or modifies one of
        its arguments.
    """
    name = getattr(func, "__name__", type(func).__name__)
    call = describe_call(name, args)
    before = {k: copy.deepcopy(v) for k, v in args.items()}
    # a function that lives in another process (the course's grader runs the tests apart
    # from the student's code): that process enforces the time limit
    remote_call = getattr(type(func), "__remote_call__", None)
    try:
        if remote_call is not None:
            result = remote_call(func, tuple(args.values()), {}, timeout)
        else:
            with _time_limit(timeout):
                result = func(*args.values())
    except NotImplementedError as exc:
        culprit = _raised_in(exc)  # maybe a function of another part, called by this one
        raise AssertionError(
            f"{culprit} is not implemented yet: {call} raised NotImplementedError"
            f"{'' if culprit == name else ' in ' + culprit}. Replace "
            f"`raise NotImplementedError()` in {culprit} with your code."
        ) from exc
    except _Timeout:
        hint = f" {timeout_hint}" if timeout_hint else ""
        raise AssertionError(f"{call} did not return within {timeout:g} s.{hint}") from None
    except Exception as exc:
        if getattr(exc, "is_timeout", False):
            hint = f" {timeout_hint}" if timeout_hint else ""
            raise AssertionError(f"{call} did not return within {timeout:g} s.{hint}") from None
        raise AssertionError(f"{call} raised {_exception_name(exc)}: {exc}") from exc
    for key, value in args.items():
        if _changed(before[key], value):
            raise AssertionError(
                f"{call} modified its argument {key}: it held {fmt(before[key])} before the "
                f"call and {fmt(value)} after it. Leave the inputs alone and build new "
                f"arrays ({key} = {key} + …, not {key} += …)."
            )
    return result, call


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
        raise AssertionError(
            f"{call} returned {kind}, {fmt(result)}: expected a tuple of {len(names)} values "
            f"({', '.join(names)}), e.g. `return {', '.join(names)}`."
        )
    return tuple(result)


# ---------------------------------------------------------------------------- comparing


def _as_numbers(got, expected, *, call: str, what: str) -> np.ndarray:
    """``got`` as a float array, or an AssertionError that says why it cannot be one."""
    if got is None:
        raise AssertionError(
            f"{call} returned None{' for ' + what if what else ''}: expected "
            f"{fmt(expected)}. Did you forget a `return`?"
        )
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or not _is_numeric(got):
        raise AssertionError(
            f"{call} returned {_what(what)}{fmt(got)} (a {type(got).__name__}): expected "
            f"numbers, {fmt(expected)}."
        )
    return arr


def _shape_text(shape: tuple) -> str:
    return "a number" if shape == () else f"an array of shape {shape}"


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
    expected : array_like or number
    call : str
        The call that produced ``got`` (from `run`).
    what : str
        The name of the returned value in the message (``"w_new"``).
    mistakes : dict of {hint: answer}, optional
        Answers a known mistake gives; when ``got`` equals one, its hint ends the message.
    rtol, atol : float
        ``|got - expected| <= atol + rtol·|expected|`` elementwise.
    """
    exp = np.asarray(expected, dtype=np.float64)

    def same(a, b) -> bool:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))

    arr = _as_numbers(got, expected, call=call, what=what)
    if arr.shape != exp.shape:
        raise AssertionError(
            f"{call} returned {_what(what)}{fmt(got)}, {_shape_text(arr.shape)}: expected "
            f"{_shape_text(exp.shape)}, {fmt(expected)}.{_hint(arr, mistakes, same)}"
        )
    if not same(arr, exp):
        raise AssertionError(
            f"{call} returned {_what(what)}{fmt(got)}: expected {fmt(expected)}."
            f"{_where(arr, exp, rtol, atol)}{_hint(arr, mistakes, same)}"
        )


def _where(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """For arrays too long to show whole: how many entries differ, and the first one."""
    if got.size <= 12:
        return ""
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    index = first[0] if len(first) == 1 else first
    return (
        f" {int(wrong.sum())} of {got.size} entries differ, the first at index {index}: "
        f"{_num(got[first])} instead of {_num(expected[first])}."
    )


def check_shape(value, shape: tuple, *, what: str, where: str = "") -> None:
    """Check that ``value`` (an array, a nested list or a number) holds numbers of ``shape``.

    ``what`` names the value (``"W1"``); ``where`` optionally says where it comes from.
    """
    shape = tuple(shape)
    prefix = f"{where}: " if where else ""
    if value is None or not _is_numeric(value):
        raise AssertionError(
            f"{prefix}{what} is {fmt(value)} (a {type(value).__name__}): expected numbers, "
            f"{_shape_text(shape)}."
        )
    if np.shape(value) != shape:
        raise AssertionError(
            f"{prefix}{what} = {fmt(value)} is {_shape_text(np.shape(value))}: expected "
            f"{_shape_text(shape)}."
        )


def check_bool(
    got, expected: bool, *, call: str, what: str = "", mistakes: Mapping | None = None
) -> None:
    """Check that ``got`` is the boolean ``expected`` (a Python or numpy bool)."""
    if not isinstance(got, (bool, np.bool_)):
        raise AssertionError(
            f"{call} returned {_what(what)}{fmt(got)} (a {type(got).__name__}): expected "
            f"{expected}, a bool (True or False)."
        )
    if bool(got) != bool(expected):
        hint = _hint(bool(got), mistakes, lambda a, b: a == b)
        raise AssertionError(f"{call} returned {_what(what)}{got}: expected {expected}.{hint}")


def check_int(
    got, expected: int, *, call: str, what: str = "", mistakes: Mapping | None = None
) -> None:
    """Check that ``got`` is the whole number ``expected`` (int, numpy int, or 3.0)."""
    whole = (
        isinstance(got, numbers.Real)
        and not isinstance(got, (bool, np.bool_))
        and float(got).is_integer()
    )
    if not whole:
        raise AssertionError(
            f"{call} returned {_what(what)}{fmt(got)} (a {type(got).__name__}): expected "
            f"the whole number {expected}."
        )
    if int(got) != int(expected):
        hint = _hint(int(got), mistakes, lambda a, b: a == int(b))
        raise AssertionError(f"{call} returned {_what(what)}{int(got)}: expected {expected}.{hint}")


# ---------------------------------------------------------------------------- own work


def _resolve(name: str):
    """A dotted name as a module (``"mlpbook.perceptron"``) or an object in one."""
    try:
        return importlib.import_module(name)
    except ImportError:
        module, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(module), attr)


class _Finder:
    """Walks a function's code and what it refers to, looking for forbidden objects."""

    def __init__(self, forbidden, trusted):
        self.modules: list[str] = []
        self.objects: dict[int, str] = {}
        for item in forbidden:
            obj = _resolve(item) if isinstance(item, str) else item
            if isinstance(obj, types.ModuleType):
                self.modules.append(obj.__name__)
            else:
                label = item if isinstance(item, str) else _qualname(obj)
                self.objects[id(obj)] = label
        self.trusted = set(trusted)
        self.seen: set[int] = set()

    def in_modules(self, name) -> bool:
        return isinstance(name, str) and any(
            name == m or name.startswith(m + ".") for m in self.modules
        )

    def forbidden(self, obj) -> str | None:
        """How ``obj`` is forbidden (its name), or None."""
        if id(obj) in self.objects:
            return self.objects[id(obj)]
        if isinstance(obj, types.ModuleType):
            return f"the module {obj.__name__}" if self.in_modules(obj.__name__) else None
        if callable(obj) and self.in_modules(getattr(obj, "__module__", None)):
            return _qualname(obj)
        kind = type(obj)
        if self.in_modules(getattr(kind, "__module__", None)):
            return f"an instance of {_qualname(kind)}"
        return None

    def walk(self, obj, path: tuple, home: str, depth: int = 0) -> tuple | None:
        """The path to the first forbidden object reachable from ``obj``, or None."""
        found = self.forbidden(obj)
        if found:
            return (*path, found)
        if id(obj) in self.seen or depth > 50:
            return None
        self.seen.add(id(obj))
        if isinstance(obj, types.FunctionType):
            if depth > 0 and obj.__name__ in self.trusted:
                return None  # another graded part: checked in its own test
            return self.walk_function(obj, path, home, depth)
        if isinstance(obj, types.MethodType):
            return self.walk(obj.__func__, path, home, depth + 1) or self.walk(
                obj.__self__, path, home, depth + 1
            )
        if isinstance(obj, functools.partial):
            parts = (obj.func, *obj.args, *obj.keywords.values())
            return self.walk_many(parts, path, home, depth)
        if isinstance(obj, (staticmethod, classmethod)):
            return self.walk(obj.__func__, path, home, depth + 1)
        if isinstance(obj, property):
            return self.walk_many((obj.fget, obj.fset, obj.fdel), path, home, depth)
        if isinstance(obj, type):
            if obj.__module__ != home:
                return None
            return self.walk_many(vars(obj).values(), path, home, depth)
        if isinstance(obj, (list, tuple, set, frozenset)) and len(obj) <= 100:
            return self.walk_many(obj, path, home, depth)
        if isinstance(obj, dict) and len(obj) <= 100:
            return self.walk_many(obj.values(), path, home, depth)
        if getattr(type(obj), "__module__", None) == home:  # an instance of the student's class
            attributes = getattr(obj, "__dict__", {})
            return self.walk_many((type(obj), *attributes.values()), path, home, depth)
        return None

    def walk_many(self, objs, path, home, depth):
        for item in objs:
            found = self.walk(item, path, home, depth + 1)
            if found:
                return found
        return None

    def walk_function(self, func, path, home, depth):
        path = (*path, func.__name__)
        cells = []
        for cell in func.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                cells.append(cell.cell_contents)
        defaults = (*(func.__defaults__ or ()), *(func.__kwdefaults__ or {}).values())
        return self.walk_code(func.__code__, func.__globals__, path, home, depth) or (
            self.walk_many((*cells, *defaults), path, home, depth)
        )

    def walk_code(self, code, namespace, path, home, depth):
        names = code.co_names
        for name in names:
            if self.in_modules(name):  # import mlpbook.perceptron (in the function)
                return (*path, f"import {name}")
            if name in namespace:
                value = namespace[name]
            elif hasattr(builtins, name):
                continue
            elif name in sys.modules:  # import inside the function binds a local name
                value = sys.modules[name]
            else:
                continue
            found = self.walk(value, path, home, depth + 1)
            if found:
                return found
            if isinstance(value, types.ModuleType):
                found = self.walk_attributes(value, names, (*path, name), 0)
                if found:
                    return found
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found = self.walk_code(const, namespace, path, home, depth)
                if found:
                    return found
            elif self.in_modules(const):
                return (*path, f"the string {const!r}")
        return None

    def walk_attributes(self, module, names, path, level):
        """Attributes of a module the code may reach (``mlpbook.perceptron.train…``)."""
        for attr in names:
            value = getattr(module, attr, None)
            if value is None:
                continue
            found = self.forbidden(value)
            if found:
                return (*path, found)
            if isinstance(value, types.ModuleType) and level < 2:
                found = self.walk_attributes(value, names, (*path, attr), level + 1)
                if found:
                    return found
        return None


def _qualname(obj) -> str:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    return f"{module}.{name}" if module else name


def find_forbidden(func, forbidden: Iterable, trusted: Iterable[str] = ()) -> tuple | None:
    """How ``func`` reaches a forbidden object: a path of names, or None if it does not.

    Parameters
    ----------
    func : callable
        The student's function.
    forbidden : iterable of str, module or object
        Modules (every object defined in them is forbidden too, and so are their instances)
        and single objects, as objects or dotted names (``"mlpbook.perceptron"``).
    trusted : iterable of str
        Names of the student's other graded functions: calls to them are allowed and not
        followed, since each is checked in its own part.

    What is read: the names the code uses (globals, builtins shadowed by globals, imports
    inside the function, attributes of modules it refers to), nested functions, closures,
    default values, partials, methods of the student's own classes, and helper functions,
    recursively. A string constant naming a forbidden module counts too.
    """
    remote = getattr(type(func), "__remote_find_forbidden__", None)
    if remote is not None:  # the function lives in another process: it is looked at there
        return remote(func, list(forbidden), list(trusted))
    finder = _Finder(forbidden, trusted)
    home = getattr(func, "__module__", None) or "__main__"
    name = getattr(func, "__name__", repr(func))
    found = finder.forbidden(func)
    if found:
        return (name, found)
    return finder.walk(func, (), home)


def find_forbidden_in_source(
    code: str, name: str, forbidden: Iterable, trusted: Iterable[str] = ()
) -> tuple | None:
    """`find_forbidden` on source code, without running it: for a function that lives in
    another process, whose objects cannot be trusted to describe themselves.

    Parameters
    ----------
    code : str
        The student's code (their cells, one after another; IPython magics are skipped).
    name : str
        The graded function (or class) defined in ``code``.
    forbidden, trusted
        As for `find_forbidden`; forbidden objects are matched by their dotted names.

    What is read: imports (``import mlpbook.perceptron as p``,
    ``from mlpbook import perceptron``, inside functions too), the names and attribute
    chains the function's definition uses (body, defaults, decorators), the helpers,
    classes and module-level assignments those names refer to (recursively), and string
    constants naming a forbidden module. Like `find_forbidden`, it reads code: code built
    at run time (``__import__("mlp" + "book")``) escapes it.
    """
    import ast

    finder = _Finder(forbidden, trusted)
    objects = set(finder.objects.values())

    def bad(dotted: str) -> str | None:
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in objects or finder.in_modules(prefix):
                return prefix
        # a re-export (`mlpbook.X` defined in a forbidden module): look it up, importing
        # only the library the forbidden names belong to
        roots = {m.split(".")[0] for m in finder.modules} | {o.split(".")[0] for o in objects}
        if parts[0] in roots and len(parts) > 1:
            with contextlib.suppress(Exception):
                obj = importlib.import_module(parts[0])
                for attr in parts[1:]:
                    obj = getattr(obj, attr)
                return finder.forbidden(obj)
        return None

    defs: dict[str, list] = {}  # module-level name → the nodes that bind it
    imports: dict[str, str] = {}  # module-level name → what it was imported as (dotted)
    trees = []
    for chunk in _code_chunks(code):
        try:
            trees.append(ast.parse(chunk))
        except SyntaxError:
            continue
    for tree in trees:
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.update(_imported(node))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs.setdefault(node.name, []).append(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name):
                            defs.setdefault(leaf.id, []).append(node)
    trusted_names = set(trusted)
    seen: set[str] = set()

    def walk(label: str, nodes: list, path: tuple, depth: int) -> tuple | None:
        if label in seen:
            return None
        seen.add(label)
        path = (*path, label)
        for node in nodes:
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    for target in _imported(inner).values():
                        if bad(target):
                            return (*path, f"import {target}")
                elif isinstance(inner, ast.Constant) and finder.in_modules(inner.value):
                    return (*path, f"the string {inner.value!r}")
                elif isinstance(inner, (ast.Name, ast.Attribute)):
                    chain = _chain(inner)
                    if chain is None:
                        continue
                    head, _, rest = chain.partition(".")
                    if head in imports:
                        full = imports[head] + ("." + rest if rest else "")
                        found = bad(full)
                        if found:
                            return (*path, found)
                    elif head in defs and head != label:
                        if head in trusted_names:
                            continue  # another graded part: checked in its own test
                        found = walk(head, defs[head], path, depth + 1)
                        if found:
                            return found
        return None

    if name not in defs:
        return None
    return walk(name, defs[name], (), 0)


def _code_chunks(code: str) -> list[str]:
    """The cells of ``code`` (joined by the grader with a marker line), magics removed."""
    chunks = code.split("\n# -- next cell --\n")
    out = []
    for chunk in chunks:
        lines = [line for line in chunk.splitlines() if not line.lstrip().startswith(("%", "!"))]
        out.append("\n".join(lines))
    return out


def _imported(node) -> dict[str, str]:
    """The names an import statement binds → the dotted names they stand for."""
    import ast

    out = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                out[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                out[top] = top
                out.setdefault("\0" + alias.name, alias.name)  # the import itself is checked
    else:
        module = node.module or ""
        for alias in node.names:
            target = f"{module}.{alias.name}" if module else alias.name
            out[alias.asname or alias.name] = module if alias.name == "*" else target
    return out


def _chain(node) -> str | None:
    """``a.b.c`` for an attribute chain on a name, else None."""
    import ast

    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def assert_own_implementation(func, *, forbidden: Iterable, trusted: Iterable[str] = ()) -> None:
    """Raise an AssertionError if ``func`` uses one of the ``forbidden`` objects.

    See `find_forbidden`. The message names the chain of calls that reaches it.
    """
    forbidden = list(forbidden)
    path = find_forbidden(func, forbidden, trusted)
    if path is None:
        return
    names = ", ".join(f if isinstance(f, str) else _qualname(f) for f in forbidden)
    name = getattr(func, "__name__", repr(func))
    raise AssertionError(
        f"{name} uses the library's answer: {' → '.join(path)}. This part is graded on your "
        f"own code, so it scores 0 while it uses {names}: write it yourself with numpy "
        "(and your own functions)."
    )
