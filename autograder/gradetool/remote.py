"""Tests that student code cannot fake: the test cells run outside the student's kernel.

nbgrader runs a notebook's test cells in the kernel that ran the student's code, and counts
a test as passed when its cell printed no error. That kernel is the student's: their code
can register an input transformer that empties every test, patch ``numpy.allclose`` or the
test helpers, install an exception handler that hides errors, or print what looks like a
pass. No check made *inside* that process can be trusted.

So grading uses two kernels per submission:

- the **student kernel** runs the student's cells (sandboxed, see `gradetool.sandbox`);
- the **checker kernel** runs the instructor's cells: the source notebook's set-up cells
  and its test cells, taken from ``solutions/``, never from the submission.

When a test cell uses a name the checker does not define itself (``perceptron_predict``,
``W1``), the grader asks the student kernel for it. Plain data (None, bools, numbers,
strings, bytes, lists, tuples, dicts, sets, numpy arrays and scalars of numeric dtypes) is
copied: the checker decodes it with `decode`, which builds nothing but those types. Anything
else (a function, a class, an object) stays in the student kernel and the checker gets a
`Remote` handle: calling it, reading or setting an attribute, indexing it, each is one
request to the student kernel, whose answer is again plain data or a handle. The requests
travel checker → grader → student kernel → grader → checker as JSON text, on the stdin
channels of both kernels (the grader, in between, enforces the time limits); in the student
kernel one `serve_loop` per test answers them outside IPython's ``run_cell``.

What the student's code can do, then, is choose the data its functions return: exactly what
it is graded on. It never sees the test code (hidden tests included), cannot change how the
checker compares, and cannot reach the checker, whose verdict alone is scored. A request
that gets no valid answer (the kernel died, was killed, sent garbage or nothing) raises in
the test: the test fails, closed.

This module holds both ends: `serve_loop` runs in the student kernel, `bind` and `Remote`
in the checker, and `encode`/`decode` on both sides.
"""

from __future__ import annotations

import base64
import builtins
import json
import keyword
import math
import traceback

PROMPT = "\x1egradetool-request:"  # how a checker request starts (on the stdin channel)
REPLY = "\x1egradetool-reply:"  # how the student kernel's answer starts (on its stdin channel)
STOP = "\x1egradetool-stop"  # the grader's last input to the student kernel's serve loop
MAX_DEPTH = 32  # nesting of lists, tuples, dicts
MAX_ITEMS = 1_000_000  # entries of containers in one message
MAX_BYTES = 64 << 20  # bytes of array data and characters of strings in one message
MAX_MESSAGE = 2_000  # characters of an error message kept
NUMERIC_KINDS = "biufc"  # numpy dtype kinds that cross: bool, int, uint, float, complex


class RemoteError(Exception):
    """The student's code raised an exception that is not a built-in one (or a request failed).

    Attributes
    ----------
    ename : str
        The exception's class name in the student kernel.
    where : str
        The function in which it was raised (for messages).
    """

    def __init__(self, ename: str, evalue: str, where: str = "") -> None:
        super().__init__(evalue or ename)
        self.ename, self.evalue, self.where = ename, evalue, where


class RemoteTimeout(RemoteError):
    """A call into the student's kernel ran over its time and was stopped."""

    is_timeout = True  # how `mlpbook.grading.run` tells it from the student's own errors


class RemoteKernelDied(RemoteError):
    """The student's kernel died (or was killed) during a request."""


class DecodeError(ValueError):
    """A message is not plain data as `encode` writes it."""


# ------------------------------------------------------------------------------- the codec


def encode(obj, handle=None, _depth: int = 0, _count: list | None = None):
    """``obj`` as JSON-ready plain data.

    Parameters
    ----------
    obj : object
    handle : callable, optional
        Called with an object that is not plain data; returns its encoding (a handle).
        Without it such an object raises TypeError.

    Raises
    ------
    TypeError
        For an object that is not plain data, when there is no ``handle``.
    ValueError
        For data nested deeper than `MAX_DEPTH` or larger than `MAX_ITEMS`/`MAX_BYTES`.
    """
    import numpy as np

    count = _count if _count is not None else [0, 0]
    count[0] += 1
    if count[0] > MAX_ITEMS or _depth > MAX_DEPTH:
        raise ValueError("the data is too large or too deeply nested to send")
    kind = type(obj)
    if obj is None or kind is bool:
        return obj
    if kind is str:
        count[1] += len(obj)
        if count[1] > MAX_BYTES:
            raise ValueError("the data is too large to send")
        return obj
    if kind is int:
        return obj if abs(obj) < 1 << 53 else {"__int__": str(obj)}
    if kind is float:
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if kind is complex:
        return {"__complex__": [encode(obj.real), encode(obj.imag)]}
    if kind is bytes:
        count[1] += len(obj)
        if count[1] > MAX_BYTES:
            raise ValueError("the data is too large to send")
        return {"__bytes__": base64.b64encode(obj).decode("ascii")}
    if kind is np.ndarray and obj.dtype.kind in NUMERIC_KINDS:
        count[1] += obj.nbytes
        if count[1] > MAX_BYTES:
            raise ValueError("the arrays are too large to send")
        data = np.ascontiguousarray(obj).tobytes()
        return {"__nd__": [obj.dtype.str, list(obj.shape), base64.b64encode(data).decode("ascii")]}
    numeric_scalar = isinstance(obj, np.generic) and type(obj).__module__ == "numpy"
    if numeric_scalar and obj.dtype.kind in NUMERIC_KINDS:
        data = base64.b64encode(obj.tobytes()).decode("ascii")
        return {"__np__": [obj.dtype.str, data]}
    if kind in (list, tuple, set, frozenset):
        items = [encode(v, handle, _depth + 1, count) for v in obj]
        if kind is list:
            return items
        return {"__tuple__" if kind is tuple else "__set__": items}
    if kind is dict:
        pairs = [
            [encode(k, handle, _depth + 1, count), encode(v, handle, _depth + 1, count)]
            for k, v in obj.items()
        ]
        return {"__dict__": pairs}
    plain = _plain(obj)
    if plain is not _NOT_PLAIN:  # a subclass of a plain type: sent as the value it holds
        return encode(plain, handle, _depth, count)
    if handle is None:
        raise TypeError(
            f"only plain data (numbers, strings, lists, tuples, dicts, numpy arrays) can be "
            f"passed to the student's code, not a {kind.__name__}"
        )
    return handle(obj)


_NOT_PLAIN = object()


def _plain(obj):
    """The plain value an instance of a subclass of a plain type holds, else `_NOT_PLAIN`.

    A namedtuple (or ``typing.NamedTuple``) is the tuple it holds, an ``OrderedDict`` or a
    ``defaultdict`` the dict, ``np.matrix`` (any ndarray subclass) the array, an ``IntEnum``
    the int: what plain nbgrader's comparisons see in them too. The base types' own methods
    read the values, so a subclass's overrides (``__iter__``, ``__eq__``) play no part.
    """
    import numpy as np

    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in NUMERIC_KINDS:
            return np.ndarray.view(obj, np.ndarray)
        return _NOT_PLAIN
    if isinstance(obj, np.generic):  # a scalar type made from numpy's: its value
        if obj.dtype.kind in NUMERIC_KINDS and obj.dtype.fields is None:
            return np.asarray(obj).view(np.ndarray)[()].copy()
        return _NOT_PLAIN
    for base, convert in _PLAIN_BASES:
        if isinstance(obj, base):
            return convert(obj)
    return _NOT_PLAIN


_PLAIN_BASES = (
    (int, int.__int__),
    (float, float.__float__),
    (complex, lambda z: complex(float(z.real), float(z.imag))),
    (str, str.__str__),
    (bytes, lambda b: bytes(memoryview(b))),
    (list, lambda seq: list(list.__iter__(seq))),
    (tuple, lambda seq: tuple(tuple.__iter__(seq))),
    (set, lambda seq: set(set.__iter__(seq))),
    (frozenset, lambda seq: frozenset(frozenset.__iter__(seq))),
    (dict, lambda mapping: dict(dict.items(mapping))),
)


def decode(data, make_remote=None, _depth: int = 0, _count: list | None = None):
    """Plain Python and numpy objects from `encode`'s output; nothing else is ever built.

    Parameters
    ----------
    data : object
        Parsed JSON.
    make_remote : callable, optional
        Called with a handle's fields (a dict) to make the object that stands for it.

    Raises
    ------
    DecodeError
        For anything `encode` does not write, or data over the size limits.
    """
    import numpy as np

    count = _count if _count is not None else [0, 0]
    count[0] += 1
    if count[0] > MAX_ITEMS or _depth > MAX_DEPTH:
        raise DecodeError("the data is too large or too deeply nested")
    kind = type(data)
    if kind is str:
        count[1] += len(data)
        if count[1] > MAX_BYTES:
            raise DecodeError("the data is too large")
        return data
    if data is None or kind in (bool, int):
        return data
    if kind is float:
        return data
    if kind is list:
        return [decode(v, make_remote, _depth + 1, count) for v in data]
    if kind is not dict or len(data) != 1:
        raise DecodeError(f"unexpected {kind.__name__} in the data")
    ((tag, value),) = data.items()
    try:
        if tag == "__int__":
            return int(_str(value))
        if tag == "__float__":
            text = _str(value)
            if text not in ("nan", "inf", "-inf"):
                raise DecodeError(f"not a special float: {text!r}")
            return float(text)
        if tag == "__complex__":
            re_, im = value
            return complex(_real(re_), _real(im))
        if tag == "__bytes__":
            return base64.b64decode(_str(value), validate=True)
        if tag in ("__tuple__", "__set__"):
            if type(value) is not list:
                raise DecodeError(f"{tag} holds a {type(value).__name__}")
            items = [decode(v, make_remote, _depth + 1, count) for v in value]
            return tuple(items) if tag == "__tuple__" else set(items)
        if tag == "__dict__":
            if type(value) is not list:
                raise DecodeError("__dict__ holds no list")
            out = {}
            for pair in value:
                if type(pair) is not list or len(pair) != 2:
                    raise DecodeError("a __dict__ entry is not a pair")
                key = decode(pair[0], make_remote, _depth + 1, count)
                out[key] = decode(pair[1], make_remote, _depth + 1, count)
            return out
        if tag == "__nd__":
            dtype_str, shape, b64 = value
            dtype = _dtype(dtype_str)
            if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
                raise DecodeError("an array's shape is not a list of sizes")
            raw = base64.b64decode(_str(b64), validate=True)
            count[1] += len(raw)
            if count[1] > MAX_BYTES:
                raise DecodeError("the arrays are too large")
            size = math.prod(shape)
            if size * dtype.itemsize != len(raw):
                raise DecodeError("an array's data does not match its shape")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if tag == "__np__":
            dtype_str, b64 = value
            dtype = _dtype(dtype_str)
            raw = base64.b64decode(_str(b64), validate=True)
            if len(raw) != dtype.itemsize:
                raise DecodeError("a numpy scalar's data does not match its dtype")
            return np.frombuffer(raw, dtype=dtype)[0]
        if tag == "__ref__":
            if make_remote is None or type(value) is not dict:
                raise DecodeError("an object handle where only data is allowed")
            return make_remote(_handle_fields(value))
    except DecodeError:
        raise
    except (TypeError, ValueError) as exc:  # a malformed entry (unpacking, base64, int())
        raise DecodeError(f"malformed {tag}: {exc}") from None
    raise DecodeError(f"unknown tag {tag!r}")


def _str(value) -> str:
    if type(value) is not str:
        raise DecodeError(f"expected a string, not a {type(value).__name__}")
    return value


def _real(value) -> float:
    if type(value) in (int, float):
        return float(value)
    if type(value) is dict:
        return float(decode(value))
    raise DecodeError("a complex part is not a number")


def _dtype(text):
    import numpy as np

    try:
        dtype = np.dtype(_str(text))
    except TypeError as exc:
        raise DecodeError(f"not a dtype: {text!r}") from exc
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None:
        raise DecodeError(f"arrays of dtype {dtype} do not cross")
    return dtype


def _handle_fields(value: dict) -> dict:
    ref = value.get("ref")
    if type(ref) is not int:
        raise DecodeError("a handle without a reference number")
    return {
        "ref": ref,
        "type": str(value.get("type", "object"))[:200],
        "name": str(value.get("name", ""))[:200],
        "callable": value.get("callable") is True,
    }


def dumps(data) -> str:
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def loads(text: str):
    """Parse a message: JSON without NaN/Infinity literals (those travel tagged)."""

    def _reject(name):
        raise DecodeError(f"the constant {name} is not allowed")

    try:
        return json.loads(text, parse_constant=_reject)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DecodeError(f"not valid JSON: {exc}") from None


# ---------------------------------------------------------------- the student kernel's end

_refs: dict[int, object] = {}  # handle number → the student's object (in the student kernel)


def _handle(obj) -> dict:
    ref = next((number for number, held in _refs.items() if held is obj), None)
    if ref is None:
        ref = len(_refs) + 1
        _refs[ref] = obj
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or ""
    return {
        "__ref__": {
            "ref": ref,
            "type": type(obj).__name__,
            "name": name if isinstance(name, str) else "",
            "callable": callable(obj),
        }
    }


def _target(request: dict):
    try:
        return _refs[request["ref"]]
    except KeyError:
        raise LookupError(f"no object with handle {request.get('ref')!r}") from None


def _arg_values(request: dict):
    args = decode(request.get("args", []), _local_ref)
    kwargs = decode(request.get("kwargs", {"__dict__": []}), _local_ref)
    return args, kwargs


def _local_ref(fields: dict):
    return _refs[fields["ref"]]


def _mutable(value) -> bool:
    import numpy as np

    return type(value) in (list, dict, set) or type(value) is np.ndarray


def _dispatch(request: dict) -> dict:
    op = request.get("op")
    if op == "export":
        ns = _user_ns()
        values = {}
        for name in request.get("names", []):
            if name in ns:
                values[name] = encode(ns[name], _handle)
        return {"values": values}
    if op == "call":
        args, kwargs = _arg_values(request)
        caught = None
        if request.get("catch_warnings") is True:
            value, caught = _call_catching_warnings(_target(request), args, kwargs)
        else:
            value = _target(request)(*args, **kwargs)
        # send back the arguments that can change in place, so the test sees what it would
        # see in one process (a function that modifies its input)
        after = [encode(a, _handle) if _mutable(a) else None for a in args]
        after_kw = {k: encode(v, _handle) for k, v in kwargs.items() if _mutable(v)}
        reply = {"value": encode(value, _handle), "args": after, "kwargs": after_kw}
        if caught is not None:
            reply["warnings"] = caught
        return reply
    if op == "getattr":
        return {"value": encode(getattr(_target(request), request["name"]), _handle)}
    if op == "setattr":
        args, _ = _arg_values(request)
        setattr(_target(request), request["name"], args[0])
        return {"value": None}
    if op == "getitem":
        args, _ = _arg_values(request)
        return {"value": encode(_target(request)[args[0]], _handle)}
    if op == "len":
        return {"value": len(_target(request))}
    raise LookupError(f"unknown request {op!r}")


def _call_catching_warnings(func, args, kwargs) -> tuple:
    """``func(*args, **kwargs)`` and the warnings it raised, as ``Class: message`` strings.

    numpy's floating-point errors (overflow, invalid, divide by zero; not underflow) warn
    during the call unless the function itself says otherwise (``np.errstate`` in it wins).
    """
    import warnings

    import numpy as np

    errors = np.errstate(over="warn", invalid="warn", divide="warn")
    with warnings.catch_warnings(record=True) as caught, errors:
        warnings.simplefilter("always")
        value = func(*args, **kwargs)
    seen = []
    for w in caught[:20]:
        text = f"{w.category.__name__}: {w.message}"[:MAX_MESSAGE]
        if text not in seen:
            seen.append(text)
    return value, seen


def _user_ns() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _error(exc: BaseException) -> dict:
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        where = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    lines = traceback.format_exception_only(type(exc), exc)
    return {
        "error": {
            "ename": type(exc).__name__,
            "evalue": str(exc)[:MAX_MESSAGE],
            "where": where,
            "text": "".join(lines)[:MAX_MESSAGE],
        }
    }


def answer(request_text: str) -> str:
    """The answer to one request from the checker, as text (runs in the student kernel)."""
    try:
        reply = _dispatch(loads(request_text))
    except BaseException as exc:  # KeyboardInterrupt too: the grader interrupted a call
        reply = _error(exc)
    try:
        return dumps(reply)
    except (TypeError, ValueError) as exc:
        return dumps(_error(exc))


def serve_loop() -> None:
    """Answer the checker's requests until the grader says stop (runs in the student kernel).

    The grader runs this as one cell at the start of a test; requests and answers then
    travel on the kernel's stdin channel (an ``input_request`` whose prompt is the answer,
    an ``input_reply`` whose value is the next request), outside IPython's ``run_cell``:
    a call costs two messages, not a cell. An interrupt while waiting ends the loop.
    """
    from IPython import get_ipython

    read = get_ipython().kernel.raw_input
    text = read(REPLY)  # ready
    while text != STOP:
        text = read(REPLY + answer(text))


def block_modules(names: list[str], why: str) -> None:
    """Make ``names`` (and their submodules) unimportable in this kernel, saying ``why``.

    Where the sandbox cannot hide the files (grading without it), this import hook is
    what keeps a submission from using the modules that hold the answers. Code in the
    kernel can remove it again: the sandbox's hiding is the real barrier.
    """
    import sys

    blocked = tuple(names)

    def covered(fullname: str) -> bool:
        return any(fullname == n or fullname.startswith(n + ".") for n in blocked)

    class _Blocker:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if covered(fullname):
                raise ImportError(f"{fullname} {why}", name=fullname)
            return None

    for name in [m for m in sys.modules if covered(m)]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Blocker())


# ----------------------------------------------------------------------- the checker's end

_bound: dict[str, object] = {}  # names the checker got from the student kernel → value
_student_code = [""]  # the submission's code cells, as the grader read them
CELL_SEPARATOR = "\n# -- next cell --\n"  # as `mlpbook.grading.find_forbidden_in_source` reads


def set_student_code(code: str) -> None:
    """Give the checker the student's code (from the submitted notebook), to read."""
    _student_code[0] = code


def start_checker(code: str, seed: int | None) -> None:
    """Set up the checker for one submission (runs in the checker).

    ``code`` is the student's code, to read; ``seed`` the submission's seed for the hidden
    tests' random cases (`mlpbook.grading.case_rng`), which never reaches the student
    (None: the tests' fixed default, also in a checker that graded another submission).
    """
    set_student_code(code)
    _set_case_seed(None if seed is None else int(seed))


def _set_case_seed(seed: int | None) -> None:
    import sys

    grading = sys.modules.get("mlpbook.grading")
    if grading is None and seed is None:
        return  # never imported: its default holds
    if grading is None:
        from mlpbook import grading
    set_seed = getattr(grading, "set_case_seed", None)
    if set_seed is not None:
        set_seed(seed)


# A checker kernel is kept for the next submission of its worker (`gradetool.kernels`):
# `snapshot_checker` records its state once, before its first submission; `reset_checker`
# brings it back to that state after each one, so that nothing of a submission (its names,
# the values and handles taken from its kernel, what its tests changed) reaches the next.
_snapshot: dict = {}
_session = [0]  # which submission the checker serves: handles of earlier ones are refused


def snapshot_checker() -> None:
    """Record the fresh checker's state (runs in the checker, before any submission)."""
    import os
    import random
    import sys
    import warnings

    import numpy as np

    _snapshot.clear()
    _snapshot.update(
        cwd=os.getcwd(),
        files=sorted(os.listdir(".")),
        path=list(sys.path),
        environ=dict(os.environ),
        builtins=dict(vars(builtins)),
        warnings=list(warnings.filters),
        np_err=np.geterr(),
        np_print=np.get_printoptions(),
        np_random=np.random.get_state(),  # noqa: NPY002 (the global state tests may change)
        random=random.getstate(),
    )


def reset_checker() -> None:
    """Bring the checker back to its `snapshot_checker` state (runs in the checker).

    Cleared: the user's namespace, IPython's history, output cache and execution count
    (`InteractiveShell.reset`), this module's student code, bound names and handles (a
    handle of an earlier submission raises), `mlpbook.grading`'s declared answer modules
    and case seed; restored: the working directory (files the tests wrote are deleted: the
    assignment's are written again), ``sys.path``, ``os.environ``, the built-ins, the
    warning filters (and what they already showed), numpy's error handling, print options
    and global random state, Python's ``random``; matplotlib's figures are closed.

    Raises
    ------
    RuntimeError
        Without a snapshot, or when the state could not be restored.
    """
    import os
    import random
    import shutil
    import sys
    import warnings

    import numpy as np
    from IPython import get_ipython

    if not _snapshot:
        raise RuntimeError("the checker has no snapshot to reset to")
    _session[0] += 1
    _bound.clear()
    set_student_code("")
    get_ipython().reset(new_session=True)
    own = sys.modules.get("mlpbook.grading.own")
    declared = getattr(own, "_declared", None)
    if isinstance(declared, list):
        declared.clear()
    _set_case_seed(None)
    os.chdir(_snapshot["cwd"])
    for name in os.listdir("."):
        if name in _snapshot["files"]:
            continue
        path = os.path.join(".", name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    sys.path[:] = _snapshot["path"]
    os.environ.clear()
    os.environ.update(_snapshot["environ"])
    names = vars(builtins)
    for name in [n for n in names if n not in _snapshot["builtins"]]:
        del names[name]
    names.update(_snapshot["builtins"])
    warnings.filters[:] = _snapshot["warnings"]
    forget = getattr(warnings, "_filters_mutated", None)  # forget the warnings already shown
    if forget is not None:  # ("default", "once"): every module's registry goes stale
        forget()
    else:
        for module in list(sys.modules.values()):
            registry = getattr(module, "__warningregistry__", None)
            if isinstance(registry, dict):
                registry.clear()
    np.seterr(**_snapshot["np_err"])
    np.set_printoptions(**_snapshot["np_print"])
    np.random.set_state(_snapshot["np_random"])  # noqa: NPY002
    random.setstate(_snapshot["random"])
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    if set(os.listdir(".")) - set(_snapshot["files"]):
        raise RuntimeError("the checker's working directory could not be cleared")


class Remote:
    """An object that lives in the student's kernel; every use is a request to it."""

    __slots__ = (
        "_gradetool_bound_as",
        "_gradetool_meta",
        "_gradetool_ref",
        "_gradetool_session",
    )

    def __init__(self, fields: dict) -> None:
        object.__setattr__(self, "_gradetool_ref", fields["ref"])
        object.__setattr__(self, "_gradetool_meta", fields)
        object.__setattr__(self, "_gradetool_bound_as", None)  # the test's name for it
        object.__setattr__(self, "_gradetool_session", _session[0])  # its submission

    @property
    def __name__(self) -> str:
        meta = object.__getattribute__(self, "_gradetool_meta")
        return meta["name"] or meta["type"]

    def __remote_request__(self, op: str, **fields):
        return request({"op": op, "ref": _ref_of(self), **fields})

    def __remote_call__(
        self,
        args: tuple,
        kwargs: dict,
        timeout: float | None = None,
        catch_warnings: bool = False,
    ):
        """Call the student's object; arrays it modified in place are updated here too.

        With ``catch_warnings``, return ``(value, warnings)``: the warnings the call raised,
        as ``"RuntimeWarning: overflow encountered in exp"`` strings.
        """
        fields = {"catch_warnings": True} if catch_warnings else {}
        reply = self.__remote_request__(
            "call",
            args=encode(list(args), _remote_handle),
            kwargs=encode(dict(kwargs), _remote_handle),
            timeout=timeout,
            raw=True,
            **fields,
        )
        for arg, after in zip(args, reply.get("args") or [], strict=False):
            if after is not None:
                _update(arg, decode(after, Remote))
        for key, after in (reply.get("kwargs") or {}).items():
            if key in kwargs:
                _update(kwargs[key], decode(after, Remote))
        value = decode(reply.get("value"), Remote)
        if not catch_warnings:
            return value
        caught = reply.get("warnings", [])
        if type(caught) is not list or not all(type(w) is str for w in caught):
            raise RemoteError("GradingError", "the student kernel sent invalid warnings")
        return value, [w[:MAX_MESSAGE] for w in caught[:20]]

    def __remote_find_forbidden__(self, forbidden, trusted):
        """`mlpbook.grading.find_forbidden`, on the code the student submitted, read here:
        the student's kernel cannot falsify it. (The student's kernel is not asked: what it
        answers cannot be trusted, and the answers' modules are hidden from it anyway.)"""
        from mlpbook.grading import find_forbidden_in_source

        names = [f if isinstance(f, str) else _dotted(f) for f in forbidden]
        name = object.__getattribute__(self, "_gradetool_bound_as") or self.__name__
        return find_forbidden_in_source(_student_code[0], name, names, trusted)

    def __call__(self, *args, **kwargs):
        return self.__remote_call__(args, kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # numpy and copy probe for dunders: answer locally
        return self.__remote_request__("getattr", name=name)

    def __setattr__(self, name: str, value) -> None:
        self.__remote_request__("setattr", name=name, args=encode([value], _remote_handle))

    def __getitem__(self, key):
        return self.__remote_request__("getitem", args=encode([key], _remote_handle))

    def __len__(self) -> int:
        value = self.__remote_request__("len")
        if type(value) is not int or value < 0:
            raise RemoteError("GradingError", "the student kernel sent an invalid length")
        return value

    def __deepcopy__(self, memo):
        return self  # it lives in the other kernel: a copy would be the same handle

    def __copy__(self):
        return self

    def __repr__(self) -> str:
        meta = object.__getattribute__(self, "_gradetool_meta")
        return f"<the student's {meta['type']} {meta['name']}>".replace(" >", ">")


def _ref_of(handle: Remote) -> int:
    """The handle's number in the student's kernel; a handle of an earlier submission (in a
    checker kept for the next one) raises: its number means another object there."""
    if object.__getattribute__(handle, "_gradetool_session") != _session[0]:
        raise RemoteError("GradingError", "a handle to an earlier submission's object")
    return object.__getattribute__(handle, "_gradetool_ref")


def _remote_handle(obj) -> dict:
    if type(obj) is Remote:
        return {"__ref__": {"ref": _ref_of(obj)}}
    raise TypeError(
        f"only plain data (numbers, strings, lists, tuples, dicts, numpy arrays) and the "
        f"student's own objects can be passed to the student's code, not a "
        f"{type(obj).__name__}"
    )


def _dotted(obj) -> str:
    return getattr(obj, "__name__", None) or f"{obj.__module__}.{obj.__qualname__}"


def _update(arg, after) -> None:
    """Make ``arg`` (the checker's copy of an argument) hold what the student's holds now."""
    import numpy as np

    if type(arg) is np.ndarray and type(after) is np.ndarray:
        if arg.shape == after.shape and arg.flags.writeable:
            with np.errstate(all="ignore"):
                arg[...] = after.astype(arg.dtype, copy=False)
    elif type(arg) is list and type(after) is list:
        arg[:] = after
    elif (type(arg) is dict and type(after) is dict) or (type(arg) is set and type(after) is set):
        arg.clear()
        arg.update(after)


def request(req: dict):
    """Send a request to the student kernel (through the grader) and return its value.

    Raises
    ------
    RemoteError
        The student's code raised (as the matching built-in exception when there is one),
        or the answer was not valid; `RemoteTimeout` and `RemoteKernelDied` for a call that
        was stopped or a kernel that died.
    """
    raw = req.pop("raw", False)
    from IPython import get_ipython

    text = get_ipython().kernel.raw_input(PROMPT + dumps(req))
    try:
        reply = loads(text)
        if type(reply) is not dict:
            raise DecodeError("the answer is not a dict")
        if "grader" in reply:  # from the grader itself: the call was stopped
            what = str(reply["grader"].get("status", ""))
            message = str(reply["grader"].get("message", ""))
            cls = RemoteTimeout if what == "timeout" else RemoteKernelDied
            raise cls("TimeoutError" if what == "timeout" else "DeadKernelError", message)
        if "error" in reply:
            raise _student_exception(reply["error"])
        if raw:
            return reply
        return decode(reply.get("value"), Remote)
    except DecodeError as exc:
        raise RemoteError(
            "GradingError", f"the answer of the student's kernel could not be read ({exc})"
        ) from None


def _student_exception(error) -> BaseException:
    """The student's exception as a built-in exception of the same class, or RemoteError."""
    if type(error) is not dict:
        return RemoteError("GradingError", "the student kernel sent an invalid error")
    ename, evalue = str(error.get("ename", "Exception"))[:200], str(error.get("evalue", ""))
    where = str(error.get("where", ""))[:200]
    cls = getattr(builtins, ename, None)
    exc: BaseException
    if (
        isinstance(cls, type)
        and issubclass(cls, Exception)
        and not issubclass(cls, (Warning, StopIteration, StopAsyncIteration))
    ):
        try:
            exc = cls(evalue[:MAX_MESSAGE])
        except Exception:
            exc = RemoteError(ename, evalue[:MAX_MESSAGE], where)
    else:
        exc = RemoteError(ename, evalue[:MAX_MESSAGE], where)
    exc.remote_where = where  # the function the student's code raised in
    return exc


def wanted_names(source: str) -> list[str]:
    """The names a test cell may take from the student: the names it reads, plus strings
    that are names (``globals()["W1"]``), minus Python's built-ins and keywords."""
    import ast
    import re

    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax (a magic): fall back on the identifiers in it
        found = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    else:
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.isidentifier()
            ):
                found.add(node.value)
    return sorted(
        n for n in found if not keyword.iskeyword(n) and not hasattr(builtins, n) and n != "_"
    )


def bind(payload_text: str, names: list[str]) -> None:
    """Define in the checker the student's values of ``names`` (runs in the checker).

    A name the checker defined itself (a set-up cell's or an earlier test's) is not
    replaced. A name bound earlier from the student and not found now is removed.
    """
    from IPython import get_ipython

    ns = get_ipython().user_ns
    for name, value in list(_bound.items()):  # settle: names a test has since reassigned
        if ns.get(name, _MISSING) is not value:
            del _bound[name]
    reply = loads(payload_text)
    if type(reply) is not dict:
        raise RemoteError("GradingError", "the student kernel sent an invalid answer")
    if "grader" in reply or "error" in reply:
        if "error" in reply:
            raise _student_exception(reply["error"])
        raise RemoteKernelDied("DeadKernelError", str(reply["grader"].get("message", "")))
    values = reply.get("values")
    if type(values) is not dict:
        raise RemoteError("GradingError", "the student kernel sent an invalid answer")
    for name in names:
        if name in ns and name not in _bound:
            continue  # the instructor's own: never replaced by the student's
        if name in values:
            try:
                value = decode(values[name], Remote)
            except DecodeError as exc:
                raise RemoteError(
                    "GradingError", f"{name} could not be read from the student's kernel: {exc}"
                ) from None
            if type(value) is Remote:
                object.__setattr__(value, "_gradetool_bound_as", name)
            ns[name] = _bound[name] = value
        elif name in _bound:
            del _bound[name]
            ns.pop(name, None)


_MISSING = object()


def checker_code(function: str, *args) -> str:
    """The code that calls ``function`` of this module in a kernel, with literal args."""
    call = ", ".join(repr(a) for a in args)
    return f"__import__({__name__!r}, fromlist=['_']).{function}({call})"


def is_request(prompt: str) -> bool:
    return isinstance(prompt, str) and prompt.startswith(PROMPT)


def request_text(prompt: str) -> str:
    return prompt[len(PROMPT) :]


def grader_reply(status: str, message: str) -> str:
    """The answer the grader gives the checker when a request could not be completed."""
    return dumps({"grader": {"status": status, "message": message}})


__all__ = [
    "Remote",
    "RemoteError",
    "RemoteKernelDied",
    "RemoteTimeout",
    "bind",
    "checker_code",
    "decode",
    "encode",
    "reset_checker",
    "serve_loop",
    "snapshot_checker",
    "wanted_names",
]
