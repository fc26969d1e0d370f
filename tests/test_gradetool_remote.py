"""gradetool.remote: only plain data crosses from the student's kernel to the checker."""

import collections
import enum
import json
import typing
import warnings

import numpy as np
import pytest

from gradetool import remote
from mlpbook import grading

DATA = [
    None,
    True,
    0,
    -(2**70),
    1.5,
    float("nan"),
    float("-inf"),
    "text",
    b"\x00bytes",
    1 + 2j,
    [1, [2.0, "x"]],
    (1, (2, None)),
    {1, 2},
    {"a": 1, 2: [3], (4, 5): None},
    np.arange(6, dtype=np.float32).reshape(2, 3),
    np.array([True, False]),
    np.zeros((0, 3), dtype=np.int8),
    np.float32(2.5),
    np.int64(-3),
    np.bool_(True),
]


def roundtrip(value):
    """`value` as the checker gets it from the student kernel."""
    return remote.decode(remote.loads(remote.dumps(remote.encode(value))))


@pytest.mark.parametrize("value", DATA, ids=lambda v: type(v).__name__)
def test_plain_data_comes_back_equal_and_of_the_same_type(value):
    back = roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value) and back.flags.writeable
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value


class Sneaky:
    def __eq__(self, other):
        return True


class FakeArray(np.ndarray):
    pass


@pytest.mark.parametrize(
    "value",
    [Sneaky(), print, np, np.array([Sneaky()], dtype=object)],
    ids=["object-with-eq", "function", "module", "object-array"],
)
def test_anything_else_is_refused_or_a_handle_never_an_object(value):
    with pytest.raises(TypeError, match="only plain data"):
        remote.encode(value)
    handles = []
    encoded = remote.encode(
        value, handle=lambda obj: handles.append(obj) or {"__ref__": {"ref": 1}}
    )
    assert handles == [value] and encoded == {"__ref__": {"ref": 1}}
    with pytest.raises(remote.DecodeError, match="handle where only data"):
        remote.decode(encoded)


@pytest.mark.parametrize(
    "text",
    [
        '{"__pickle__": "gASV"}',
        '{"a": 1}',
        '{"__nd__": ["|O", [1], "AAAAAAAAAAA="]}',
        '{"__nd__": ["<f8", [2], "AAAAAAAAAAA="]}',  # one float64 of data for two
        '{"__nd__": ["<f8", [-1], ""]}',
        '{"__np__": ["<f8", "AAAA"]}',
        '{"__float__": "1e308"}',
        '{"__tuple__": {"x": 1}}',
        '{"__dict__": [[1]]}',
        '{"__int__": 5}',
        "NaN",
        '{"__nd__": ["V8", [1], "AAAAAAAAAAA="]}',
        '{"__bytes__": "not base64!"}',
    ],
)
def test_malformed_or_dangerous_data_is_rejected(text):
    with pytest.raises(remote.DecodeError):
        remote.decode(remote.loads(text))


def test_size_and_depth_are_bounded(monkeypatch):
    nested = []
    for _ in range(remote.MAX_DEPTH + 5):
        nested = [nested]
    with pytest.raises(ValueError, match="too"):
        remote.encode(nested)
    with pytest.raises(remote.DecodeError, match="too"):
        remote.decode(json.loads(json.dumps(nested)))
    big = remote.encode(np.zeros(20))
    monkeypatch.setattr(remote, "MAX_BYTES", 100)
    with pytest.raises(ValueError, match="too large"):
        remote.encode(np.zeros(20))
    with pytest.raises(remote.DecodeError, match="too large"):
        remote.decode(big)


def test_wanted_names_are_the_names_a_test_reads_and_name_strings():
    code = (
        "from mlpbook import grading\n"
        "got = f(x, key='W1')\n"
        "for name in ('B1', 'not a name'):\n"
        "    assert name in globals(), len(got)\n"
        "lambda: helper\n"
    )
    assert remote.wanted_names(code) == ["B1", "W1", "f", "got", "helper", "name", "x"]
    assert "print" not in remote.wanted_names("%time print(f(1))") and "f" in remote.wanted_names(
        "%time print(f(1))"
    )


def test_student_errors_become_built_in_exceptions_or_remote_errors():
    exc = remote._student_exception({"ename": "NotImplementedError", "evalue": "", "where": "f"})
    assert type(exc) is NotImplementedError and exc.remote_where == "f"
    exc = remote._student_exception({"ename": "ValueError", "evalue": "bad shape"})
    assert type(exc) is ValueError and str(exc) == "bad shape"
    for name in ("MyError", "SystemExit", "KeyboardInterrupt", "UserWarning", "GeneratorExit"):
        exc = remote._student_exception({"ename": name, "evalue": "x"})
        assert type(exc) is remote.RemoteError and exc.ename == name
    assert type(remote._student_exception("junk")) is remote.RemoteError


class FakeRemote:
    """Stands for `remote.Remote` in grading's checks, without a kernel."""

    __name__ = "f"

    def __init__(self, behaviour):
        self.behaviour = behaviour

    def __remote_call__(self, args, kwargs, timeout=None):
        return self.behaviour(args, timeout)

    def __remote_find_forbidden__(self, forbidden, trusted):
        return ("f", "mlpbook.perceptron.perceptron_predict") if "bad" in trusted else None


def test_grading_run_reads_remote_timeouts_errors_and_in_place_changes():
    def timeout(args, limit):
        raise remote.RemoteTimeout("TimeoutError", f"did not return within {limit}")

    with pytest.raises(AssertionError, match=r"did not return within 5 s\. Stop"):
        grading.run(FakeRemote(timeout), x=1, timeout=5, timeout_hint="Stop")

    def not_implemented(args, limit):
        exc = NotImplementedError()
        exc.remote_where = "helper"
        raise exc

    with pytest.raises(AssertionError, match=r"(?s)helper is not implemented yet.* in\shelper"):
        grading.run(FakeRemote(not_implemented), x=1)

    def custom(args, limit):
        raise remote.RemoteError("ShapeError", "wrong", "f")

    with pytest.raises(AssertionError, match=r"raised ShapeError: wrong$"):
        grading.run(FakeRemote(custom), x=1)

    def in_place(args, limit):
        args[0][0] = 99.0  # what Remote.__remote_call__ does with the student's copy
        return 0

    with pytest.raises(AssertionError, match="modified its argument x"):
        grading.run(FakeRemote(in_place), x=np.zeros(2))
    assert grading.run(FakeRemote(lambda args, limit: args[0] + 1), x=1) == (2, "f(x=1)")


def test_grading_own_implementation_asks_the_remote_side():
    grading.assert_own_implementation(FakeRemote(None), forbidden=["mlpbook.perceptron"])
    with pytest.raises(AssertionError, match=r"uses the library's answer: f →\smlpbook"):
        grading.assert_own_implementation(
            FakeRemote(None), forbidden=["mlpbook.perceptron"], trusted=["bad"]
        )


def test_a_remote_handle_answers_dunder_probes_locally():
    handle = remote.Remote({"ref": 1, "type": "function", "name": "f", "callable": True})
    assert handle.__name__ == "f" and repr(handle) == "<the student's function f>"
    with pytest.raises(AttributeError):
        handle.__array_interface__  # numpy probes this: no request is sent
    import copy

    assert copy.deepcopy(handle) is handle
    assert np.asarray(handle, dtype=object).shape == ()


Pair = collections.namedtuple("Pair", "w b")


class Typed(typing.NamedTuple):
    w: object
    b: float


class Level(enum.IntEnum):
    HIGH = 3


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingList(list):
    def __iter__(self):
        return iter([0, 0, 0])


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (Pair(np.ones(2), 0.5), (np.ones(2), 0.5)),
        (Typed([1, 2], 2.0), ([1, 2], 2.0)),
        (collections.OrderedDict(a=1, b=[2]), {"a": 1, "b": [2]}),
        (collections.defaultdict(int, {1: 2}), {1: 2}),
        (collections.Counter("aab"), {"a": 2, "b": 1}),
        (Level.HIGH, 3),
        (LyingFloat(2.5), 2.5),
        (LyingList([1, 2]), [1, 2]),
        (np.array([[1.0, 2.0]]).view(np.matrix), np.array([[1.0, 2.0]])),
        (np.zeros(2).view(FakeArray), np.zeros(2)),
        (np.ma.masked_array([1.0, 2.0], mask=[0, 1]), np.array([1.0, 2.0])),
    ],
    ids=lambda v: type(v).__name__,
)
def test_subclasses_of_plain_types_arrive_as_the_plain_values_they_hold(value, plain):
    back = roundtrip(value)
    assert type(back) is type(plain)
    if isinstance(plain, np.ndarray):
        assert back.shape == plain.shape and np.array_equal(back, plain)
    elif isinstance(plain, tuple):
        for got, want in zip(back, plain, strict=True):
            assert type(got) is type(want) and np.array_equal(got, want)
    else:
        assert back == plain


def test_a_call_reports_the_numpy_warnings_it_raised_when_asked():
    def overflows(x):
        return np.exp(x)

    def careful(x):
        with np.errstate(over="ignore"):
            return np.exp(x)

    def underflows(x):
        return np.exp(-x)

    def call(func, catch):
        ref = remote._handle(func)["__ref__"]["ref"]
        args = remote.encode([np.array([1000.0])])
        fields = {"catch_warnings": True} if catch else {}
        return remote._dispatch({"op": "call", "ref": ref, "args": args, **fields})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert call(overflows, True)["warnings"] == ["RuntimeWarning: overflow encountered in exp"]
        assert "warnings" not in call(overflows, False)
    assert call(careful, True)["warnings"] == []  # the function's own errstate wins
    assert call(underflows, True)["warnings"] == []  # underflow to 0 is not a mistake
