"""Tests for mlpbook.grading's check_call, check_raises, numpy warnings and message widths."""

import collections
import warnings

import numpy as np
import pytest

from mlpbook import grading


def message(check, *args, **kwargs) -> str:
    """The message ``check`` fails with, as raised (lines not joined)."""
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def flat(text: str) -> str:
    return " ".join(text.split("\n"))


def update(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if np.dot(x_i, w) + b >= 0 else 0)
    return np.asarray(w) + lr * error * np.asarray(x_i), b + lr * error


def wrong_sign(w, b, x_i, y_i, lr=1.0):
    error = y_i - (1 if np.dot(x_i, w) + b >= 0 else 0)
    return np.asarray(w) - lr * error * np.asarray(x_i), b - lr * error


CASE = {"w": np.zeros(2), "b": 0.0, "x_i": np.ones(2), "y_i": 0}
EXPECTED = {"w_new": [-1.0, -1.0], "b_new": -1.0}
MISTAKES = {
    "The hint of another mistake.": {"w_new": [5.0, 5.0]},
    "Your update has the wrong sign.": {"w_new": [1.0, 1.0], "b_new": 1.0},
}


# ---------------------------------------------------------------------------- check_call


def test_check_call_accepts_a_right_answer_and_returns_nothing():
    result = grading.check_call(
        update, CASE, EXPECTED, returns=("w_new", "b_new"), mistakes=MISTAKES
    )
    assert result is None


def test_check_call_puts_the_hint_first_then_every_wrong_value():
    text = flat(
        message(
            grading.check_call,
            wrong_sign,
            CASE,
            EXPECTED,
            returns=("w_new", "b_new"),
            mistakes=MISTAKES,
        )
    )
    assert text == (
        "Your update has the wrong sign. perceptron_update"[
            : len("Your update has the wrong sign.")
        ]
        + " wrong_sign(w=[0, 0], b=0, x_i=[1, 1], y_i=0) returned w_new = [1, 1]: expected "
        "[-1, -1]. It returned b_new = 1: expected -1."
    )


def test_a_partial_mistake_matches_only_when_it_explains_a_wrong_value():
    def bias_stays(w, b, x_i, y_i, lr=1.0):
        return update(w, b, x_i, y_i, lr)[0], b

    bias = {"The bias never moves.": {"b_new": 0.0}}
    text = flat(
        message(
            grading.check_call,
            bias_stays,
            CASE,
            EXPECTED,
            returns=("w_new", "b_new"),
            mistakes=bias,
        )
    )
    assert text.startswith("The bias never moves. bias_stays(")
    # the same mistake does not explain a wrong w_new when b_new is right
    other = {"w": np.zeros(2), "b": 0.0, "x_i": np.ones(2), "y_i": 1}  # right: no change
    text = flat(
        message(
            grading.check_call,
            wrong_sign,
            CASE,
            {"w_new": [-1, -1], "b_new": -1.0},
            returns=("w_new", "b_new"),
            mistakes={"Wrong bias.": {"b_new": 0.0}},
        )
    )
    assert not text.startswith("Wrong bias.")
    grading.check_call(bias_stays, other, {"w_new": [0, 0]}, returns=("w_new", "b_new"))


def test_check_call_single_value_list_and_named_tuple_and_dict():
    def predict(x, w, b):
        return (np.asarray(x) @ w + b >= 0).astype(int)

    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    grading.check_call(predict, {"x": x, "w": np.ones(2), "b": -1.5}, [0, 1])
    text = flat(
        message(
            grading.check_call,
            predict,
            {"x": x, "w": np.ones(2), "b": 0.0},
            [0, 1],
            mistakes={"Step of 0 is 1.": [1, 1]},
        )
    )
    assert (
        text == "Step of 0 is 1. predict(x=[[0, 0], [1, 1]], w=[1, 1], b=0) returned [1, 1]: "
        "expected [0, 1]."
    )

    Result = collections.namedtuple("Result", "w b converged epochs")

    def train(x, y):
        return Result(np.array([2.0, 1.0]), -3.0, True, np.int64(6))

    grading.check_call(
        train,
        {"x": x, "y": [0, 1]},
        {"w": [2, 1], "b": -3.0, "converged": True, "epochs": 6},
        returns=("w", "b", "converged", "epochs"),
    )
    text = flat(
        message(
            grading.check_call,
            train,
            {"x": x, "y": [0, 1]},
            {"converged": False},
            returns=("w", "b", "converged", "epochs"),
        )
    )
    assert text.endswith("returned converged = True: expected False.")
    text = flat(
        message(
            grading.check_call, train, {"x": x, "y": [0, 1]}, {"epochs": 6.0}, returns=("w", "b")
        )
    )
    assert "returned a Result of 4 values" in text

    def stats(x):
        return {"mean": 1.0, "var": 2.0}

    grading.check_call(stats, {"x": x}, {"mean": 1.0}, returns=dict)
    assert "without the key 'std'" in flat(
        message(grading.check_call, stats, {"x": x}, {"std": 1.0}, returns=dict)
    )
    assert "expected a dict with the keys 'mean'" in flat(
        message(
            grading.check_call,
            predict,
            {"x": x, "w": np.ones(2), "b": 0.0},
            {"mean": 1},
            returns=dict,
        )
    )


def test_leaves_bool_int_close_and_subgradient():
    def const(value):
        return value

    grading.check_call(const, {"value": np.bool_(True)}, True)
    assert "a bool (True or False)" in flat(message(grading.check_call, const, {"value": 1}, True))
    grading.check_call(const, {"value": 6.0}, 6)
    assert "whole number 6" in flat(message(grading.check_call, const, {"value": 6.5}, 6))
    grading.check_call(const, {"value": 1.05}, grading.Close(1.0, rtol=0.1))
    message(grading.check_call, const, {"value": 1.05}, 1.0)
    for inside in (0.0, 0.3, 1.0):  # relu'(0): any value in [0, 1]
        grading.check_call(
            const, {"value": np.array([inside, 1.0])}, grading.Subgradient([0, 1], [1, 1])
        )
    text = flat(
        message(
            grading.check_call,
            const,
            {"value": np.array([1.5, 1.0])},
            grading.Subgradient([0, 1], [1, 1]),
        )
    )
    assert "between the one-sided derivatives [0, 1] and [1, 1]" in text
    # where the one-sided derivatives agree it is an exact check
    message(
        grading.check_call,
        const,
        {"value": np.array([0.5, 0.9])},
        grading.Subgradient([0, 1], [1, 1]),
    )
    grading.check_subgradient(0.5, 0.0, 1.0, call="relu_grad(z=0)")
    message(grading.check_subgradient, -0.1, 0.0, 1.0, call="relu_grad(z=0)")


def test_float32_inputs_are_passed_and_compared_at_float32_precision():
    seen = []

    def affine(x, w):
        seen.append((x.dtype, w.dtype))
        return x @ w

    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(20, 30)), rng.normal(size=30)
    grading.check_call(affine, {"x": x, "w": w}, x @ w, float32=True)
    assert seen[-1] == (np.float32, np.float32)
    message(grading.check_call, affine, {"x": x, "w": w}, x @ w + 1e-3, float32=True)
    grading.check_call(affine, {"x": x, "w": w}, x @ w, dtype=np.float32)
    # float64 keeps the strict default tolerance
    message(grading.check_call, affine, {"x": x, "w": w}, x @ w * (1 + 1e-4))


def test_failing_arguments_are_shown_whole_and_exact():
    def f(x, seed):
        return x * 0 + 1

    x = np.random.default_rng(1).normal(size=20).astype(np.float32)
    text = flat(message(grading.check_call, f, {"x": x, "seed": 3}, np.zeros(20)))
    call = text[: text.index(" returned")]
    assert "…" not in call and "float32" in call
    shown = call[len("f(x=[") : call.index("]")].split(", ")
    assert np.array_equal(np.array(shown, dtype=np.float32), x)


# ---------------------------------------------------------------------------- check_raises


def test_check_raises():
    def strict(p):
        if not 0 <= p < 1:
            raise ValueError(f"p must be in [0, 1), got {p}")
        return p

    grading.check_raises(strict, {"p": 1.0}, ValueError)
    grading.check_raises(strict, {"p": 1.0}, ValueError, match=r"\[0, 1\)")
    grading.check_raises(strict, {"p": 1.0}, Exception)  # a subclass counts
    text = flat(message(grading.check_raises, strict, {"p": 0.5}, hint="Check that 0 <= p < 1."))
    assert (
        text
        == "Check that 0 <= p < 1. strict(p=0.5) returned 0.5: expected it to raise a ValueError."
    )
    text = flat(message(grading.check_raises, strict, {"p": 2.0}, match="between"))
    assert "Expected a message that says 'between'" in text

    def wrong_type(p):
        raise TypeError("no")

    assert "raised TypeError: no. Expected a ValueError." in flat(
        message(grading.check_raises, wrong_type, {"p": 2.0})
    )

    def todo(p):
        raise NotImplementedError()

    assert "todo is not implemented yet" in flat(message(grading.check_raises, todo, {"p": 2}))


def test_check_raises_by_name_for_a_remote_exception():
    class RemoteError(Exception):
        def __init__(self, ename, text):
            super().__init__(text)
            self.ename = ename

    class Handle:
        __name__ = "dropout"

        def __remote_call__(self, args, kwargs, timeout=None, catch_warnings=False):
            raise RemoteError("ValueError", "p must be < 1")

    grading.check_raises(Handle(), {"p": 1.0}, ValueError, match="< 1")
    message(grading.check_raises, Handle(), {"p": 1.0}, TypeError)


# ---------------------------------------------------------------------------- numpy warnings


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # underflows to 0 for large |z|: allowed
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


HINT = "Compute it in a way that cannot overflow (exp of a negative number only)."


def test_numpy_warnings_become_a_teaching_failure():
    z = np.array([-1000.0, 0.0, 1000.0])
    text = flat(
        message(grading.check_call, naive_sigmoid, {"z": z}, [0.0, 0.5, 1.0], numpy_warnings=HINT)
    )
    assert text == (
        "naive_sigmoid overflowed: RuntimeWarning: overflow encountered in exp, in "
        "naive_sigmoid(z=[-1000, 0, 1000]). " + HINT
    )
    grading.check_call(
        stable_sigmoid, {"z": np.array([-1e5, 0.0, 1e5])}, [0.0, 0.5, 1.0], numpy_warnings=HINT
    )
    with warnings.catch_warnings():  # without numpy_warnings the naive one passes
        warnings.simplefilter("ignore")
        grading.check_call(naive_sigmoid, {"z": z}, [0.0, 0.5, 1.0])
    text = flat(message(grading.run, lambda x: np.log(x), x=np.array([0.0]), numpy_warnings=True))
    assert "divided by zero: RuntimeWarning: divide by zero encountered in log" in text
    text = flat(message(grading.run, lambda x: x - x, x=np.array([np.inf]), numpy_warnings=True))
    assert "produced an invalid value (nan)" in text


def test_numpy_warnings_of_a_remote_call():
    calls = []

    class Handle:
        __name__ = "sigmoid"

        def __remote_call__(self, args, kwargs, timeout=None, catch_warnings=False):
            calls.append(catch_warnings)
            value = np.array([0.0, 0.5, 1.0])
            if catch_warnings:
                return value, ["RuntimeWarning: overflow encountered in exp"]
            return value

    text = flat(message(grading.run, Handle(), z=np.array([-1000.0, 0, 1000]), numpy_warnings=HINT))
    assert text.startswith("sigmoid overflowed: RuntimeWarning: overflow encountered in exp, in")
    assert text.endswith(HINT)
    got, _ = grading.run(Handle(), z=np.zeros(3))
    assert calls == [True, False] and got.tolist() == [0.0, 0.5, 1.0]


# ---------------------------------------------------------------------------- widths

LONG_HINT = (
    "Your update has the wrong sign: the rule is w ← w + lr·(y − ŷ)·x, so a false alarm "
    "(y = 0, ŷ = 1) subtracts x, and a missed one adds it; the bias moves the same way."
)
BIG = np.random.default_rng(0).normal(size=(20, 20)).astype(np.float32)


def _kinds():
    """One failing call of every check, with long hints and long arguments."""
    x = np.random.default_rng(3).normal(size=19)
    yield message(
        grading.check_call,
        wrong_sign,
        {"w": x, "b": 0.123456789, "x_i": x, "y_i": 0},
        {"w_new": x * 0, "b_new": 5.0},
        returns=("w_new", "b_new"),
        mistakes={LONG_HINT: {"b_new": -0.876543211}},
    )
    yield message(
        grading.check_close,
        BIG,
        BIG + 1,
        call="f(x=" + grading.fmt(BIG) + ")",
        mistakes={LONG_HINT: BIG},
    )
    yield message(grading.check_close, [[1.0]], [1.0], call="g()", what="w")
    yield message(grading.check_close, None, [1.0], call="g()")
    yield message(grading.check_bool, 1, True, call="g()", what="converged")
    yield message(grading.check_int, 5, 6, call="train(" + "x" * 200 + ")", mistakes={LONG_HINT: 5})
    yield message(grading.check_shape, np.ones((3, 3)), (2,), what="W1", where=LONG_HINT)
    yield message(grading.unpack, np.ones(30), ["w", "b"], call="f(" + "a" * 90 + ")")
    yield message(grading.run, lambda x: 1 / 0, x=x)
    yield message(grading.run, lambda x: x.__iadd__(1), x=np.zeros(19))
    yield message(grading.run, naive_sigmoid, z=np.array([-1e4]), numpy_warnings=LONG_HINT)
    yield message(grading.check_raises, lambda p: p, {"p": x}, hint=LONG_HINT)
    yield message(
        grading.check_moments,
        np.ones(50000),
        call="init(shape=(200, 250), seed=0)",
        mean=0.0,
        var=1.0,
    )
    yield message(
        grading.check_support,
        np.arange(40000.0),
        call="dropout_mask(" + "y" * 80 + ")",
        values={0, 2},
        hint=LONG_HINT,
    )
    yield message(
        grading.check_fraction,
        np.ones(40000),
        0.5,
        call="mask()",
        of="kept units",
        mistakes={LONG_HINT: 1.0},
    )
    yield message(
        grading.check_reproducible, lambda seed: np.random.default_rng().random(3), {"seed": 0}
    )
    yield message(grading.assert_own_implementation, naive_sigmoid, forbidden=[np.exp])

    def perceptron_predict(x, w, b):
        raise NotImplementedError()

    yield message(grading.run, perceptron_predict, x=BIG, w=BIG[0], b=0.0, timeout=1)


def test_every_message_fits_nbgrader_validate():
    """nbgrader validate shows "    AssertionError: " + the message, cut after 87 characters."""
    texts = list(_kinds())
    assert len(texts) == 18
    for text in texts:
        first, *others = text.split("\n")
        assert len(first) <= 67, first
        assert all(len(line) <= 83 for line in others), text
        assert all(line.strip() for line in text.split("\n")), text


def test_wrap_keeps_every_word():
    text = "word " * 60 + "x" * 200
    wrapped = grading.wrap(text.strip(), "second paragraph")
    assert wrapped.split("\n")[-1] == "second paragraph"
    assert "".join(wrapped.split()) == "".join((text + "second paragraph").split())


def test_a_cache_of_arrays_of_different_shapes_is_compared_item_by_item():
    cache = (np.ones((2, 3)), np.ones((3, 4, 2)), {"z": np.zeros(4)}, [1.0, 2])

    def reads(dout, cache):
        x, w, _, _ = cache
        return float(dout.sum() + x.sum() + w.sum())

    def writes(dout, cache):
        cache[2]["z"][1] = 5.0
        return 1.0

    grading.check_call(reads, {"dout": np.ones(3), "cache": cache}, 33.0)
    text = flat(message(grading.check_call, writes, {"dout": np.ones(3), "cache": cache}, 1.0))
    assert "writes(dout=[1, 1, 1], cache=" in text and "modified its argument cache" in text
