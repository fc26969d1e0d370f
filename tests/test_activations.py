"""Tests for mlpbook.activations: definitions, identities, derivatives, kinks, stability."""

import dataclasses

import numpy as np
import pytest

from mlpbook import activations as A
from mlpbook.activations import ACTIVATIONS, get_activation

H = 1e-6  # centred-difference step
# every elementwise function and its derivative, by name
ELEMENTWISE = [f"{name}{suffix}" for name in ACTIVATIONS for suffix in ("", "_grad")]
DTYPES = [np.float32, np.float64]
EXTREMES = [-1e4, -1000.0, -710.0, -88.8, 88.8, 710.0, 1000.0, 1e4]


def rel_error(a, b, floor=1e-8):
    """Largest elementwise |a - b| / max(|a| + |b|, floor)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def centred_diff(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


# --- definitions and the identities the book states -----------------------------------------

NAIVE = {
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "hard_sigmoid": lambda x: np.maximum(np.minimum(0.25 * x + 0.5, 1), 0),
    "hard_tanh": lambda x: np.maximum(np.minimum(x, 1), -1),
    "relu": lambda x: np.maximum(0, x),
    "leaky_relu": lambda x: np.maximum(0, x) + 0.01 * np.minimum(0, x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "softplus": lambda x: np.log(1 + np.exp(x)),
    "step": lambda x: (x >= 0).astype(np.float64),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_matches_the_textbook_formula(name):
    x = np.linspace(-20, 20, 4001)
    np.testing.assert_allclose(getattr(A, name)(x), NAIVE[name](x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_at_zero(dtype):
    zero = np.zeros(3, dtype)
    assert np.all(A.sigmoid(zero) == 0.5)
    assert np.all(A.sigmoid_grad(zero) == 0.25)
    assert np.all(A.tanh_grad(zero) == 1.0)


def test_sigmoid_is_symmetric():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(A.sigmoid(-x), 1 - A.sigmoid(x), rtol=0, atol=1e-15)


def test_tanh_is_a_rescaled_sigmoid():
    x = np.linspace(-10, 10, 401)
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=1e-15)


def test_softplus_grad_is_sigmoid():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(A.softplus_grad(x), A.sigmoid(x), rtol=1e-15)


def test_softplus_and_relu_differences_are_the_identity():
    x = np.linspace(-50, 50, 1001)
    np.testing.assert_allclose(A.softplus(x) - A.softplus(-x), x, rtol=1e-14, atol=1e-14)
    assert np.array_equal(A.relu(x) - A.relu(-x), x)
    assert A.softplus(0.0) == pytest.approx(np.log(2), rel=1e-15)


def test_leaky_relu_with_zero_slope_is_relu():
    x = np.linspace(-3, 3, 61)  # includes 0
    assert np.array_equal(A.leaky_relu(x, r=0.0), A.relu(x))
    assert np.array_equal(A.leaky_relu_grad(x, r=0.0), A.relu_grad(x))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 3.0])
def test_elu_is_the_identity_for_positive_x(alpha):
    x = np.linspace(1e-3, 50, 501)
    assert np.array_equal(A.elu(x, alpha), x)
    assert np.all(A.elu_grad(x, alpha) == 1.0)
    assert A.elu(-50.0, alpha) == pytest.approx(-alpha, abs=1e-15)


def test_hard_sigmoid_is_the_clipped_tangent_of_sigmoid_at_zero():
    x = np.linspace(-5, 5, 1001)
    tangent = A.sigmoid(0.0) + A.sigmoid_grad(0.0) * x
    assert np.array_equal(A.hard_sigmoid(x), np.clip(tangent, 0, 1))


def test_hard_tanh_is_a_rescaled_hard_sigmoid():
    x = np.linspace(-3, 3, 601)  # includes the kinks at ±1
    np.testing.assert_allclose(A.hard_tanh(x), 2 * A.hard_sigmoid(2 * x) - 1, atol=1e-15)
    assert np.array_equal(A.hard_tanh_grad(x), 4 * A.hard_sigmoid_grad(2 * x))


@pytest.mark.parametrize(("dtype", "tol"), [(np.float32, 1e-6), (np.float64, 1e-14)])
def test_softmax_is_a_distribution_and_shift_invariant(dtype, tol):
    rng = np.random.default_rng(0)
    z = (5 * rng.standard_normal((6, 7))).astype(dtype)
    s = A.softmax(z)
    assert s.dtype == dtype
    np.testing.assert_allclose(s.sum(axis=1), 1, rtol=tol)
    naive = np.exp(z.astype(np.float64))
    np.testing.assert_allclose(s, naive / naive.sum(axis=1, keepdims=True), rtol=10 * tol)
    c = (100 * rng.standard_normal((6, 1))).astype(dtype)
    np.testing.assert_allclose(A.softmax(z + c), s, rtol=1e3 * tol, atol=tol)
    np.testing.assert_allclose(A.softmax(z, axis=0).sum(axis=0), 1, rtol=tol)


@pytest.mark.parametrize("r", [0.01, 0.25, 0.9])
def test_maxout_of_x_and_rx_is_leaky_relu(r):
    x = np.random.default_rng(1).standard_normal((8, 5))
    z = np.stack([x, r * x], axis=-1)
    assert np.array_equal(A.maxout(z), A.leaky_relu(x, r))
    mask = A.maxout_grad(z)  # chain rule through the pieces x and r·x
    assert np.array_equal(mask[..., 0] + r * mask[..., 1], A.leaky_relu_grad(x, r))


# --- derivatives against centred differences -----------------------------------------------

GRAD_CASES = [(name, {}) for name in ACTIVATIONS] + [
    ("leaky_relu", {"r": 0.3}),
    ("leaky_relu", {"r": 1.7}),
    ("leaky_relu", {"r": -0.5}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 0.0}),
]


@pytest.mark.parametrize(("name", "params"), GRAD_CASES, ids=lambda v: str(v))
def test_derivative_matches_centred_differences(name, params):
    act = get_activation(name, **params)
    x = np.random.default_rng(2).uniform(-3, 3, size=500)
    x = x[act.kink_distance(x) > 1e-3]
    assert rel_error(act.grad(x), centred_diff(act.fn, x)) < 1e-7


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_backward_matches_centred_differences(axis):
    rng = np.random.default_rng(3)
    z, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    dz = A.softmax_backward(A.softmax(z, axis), dout, axis)
    num = np.empty_like(z)
    for i in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[i] = H
        ds = A.softmax(z + step, axis) - A.softmax(z - step, axis)
        num[i] = np.sum(dout * ds) / (2 * H)
    assert rel_error(dz, num) < 1e-7


def test_prelu_grad_matches_centred_differences():
    rng = np.random.default_rng(4)
    x = rng.uniform(-3, 3, (6, 5))
    x[np.abs(x) < 1e-3] = 0.5
    r = np.array([-0.5, 0.0, 0.25, 1.0, 1.5])
    dx, dr = A.prelu_grad(x, r)
    assert dx.shape == dr.shape == (6, 5)
    # out[n, j] depends on x[n, j] and r[j] only, so shifting all of x (or r) at once is exact
    assert rel_error(dx, centred_diff(lambda x_: A.prelu(x_, r), x)) < 1e-7
    assert rel_error(dr, centred_diff(lambda r_: A.prelu(x, r_), r)) < 1e-7


def test_maxout_grad_matches_centred_differences():
    z = np.random.default_rng(5).standard_normal((5, 4, 3))
    assert np.min(np.diff(np.sort(z, axis=-1), axis=-1)) > 1e-4  # no near-ties
    num = np.empty_like(z)
    for j in range(z.shape[-1]):
        step = np.zeros_like(z)
        step[..., j] = H
        num[..., j] = (A.maxout(z + step) - A.maxout(z - step)) / (2 * H)
    assert rel_error(A.maxout_grad(z), num) < 1e-7


def test_maxout_grad_breaks_ties_like_argmax():
    z = np.random.default_rng(6).integers(0, 3, (20, 6, 4)).astype(np.float64)
    mask = A.maxout_grad(z)
    assert np.all(mask.sum(axis=-1) == 1)
    assert np.array_equal(mask.argmax(axis=-1), z.argmax(axis=-1))
    assert np.array_equal(A.maxout(z), z.max(axis=-1))
    assert np.array_equal(A.maxout_grad(np.array([[[1.0, 3.0, 3.0, 2.0]]])), [[[0, 1, 0, 0]]])


# --- kinks: the derivative takes the inactive side's value ------------------------------------

KINK_VALUES = [
    ("relu_grad", {}, 0.0, 0.0),
    ("relu", {}, 0.0, 0.0),
    ("leaky_relu_grad", {}, 0.0, 0.01),
    ("leaky_relu_grad", {"r": 0.2}, 0.0, 0.2),
    ("elu_grad", {}, 0.0, 1.0),
    ("elu_grad", {"alpha": 0.5}, 0.0, 0.5),
    ("hard_tanh_grad", {}, 1.0, 0.0),
    ("hard_tanh_grad", {}, -1.0, 0.0),
    ("hard_sigmoid_grad", {}, 2.0, 0.0),
    ("hard_sigmoid_grad", {}, -2.0, 0.0),
    ("step_grad", {}, 0.0, 0.0),
    ("step", {}, 0.0, 1.0),
    # just inside the open active interval
    ("relu_grad", {}, 1e-30, 1.0),
    ("hard_tanh_grad", {}, 1 - 1e-6, 1.0),
    ("hard_sigmoid_grad", {}, -2 + 1e-6, 0.25),
    ("step", {}, -1e-30, 0.0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params", "x", "expected"), KINK_VALUES)
def test_value_at_a_kink(name, params, x, expected, dtype):
    out = getattr(A, name)(np.array([x], dtype=dtype), **params)
    assert out.dtype == dtype
    assert out[0] == dtype(expected), f"{name}({x}) = {out[0]}, expected {expected}"


def test_prelu_grad_at_zero_takes_the_slope():
    dx, dr = A.prelu_grad(np.zeros((2, 3)), np.array([0.3, 0.7, 1.5]))
    assert np.array_equal(dx, [[0.3, 0.7, 1.5]] * 2)
    assert np.array_equal(dr, np.zeros((2, 3)))


# --- stability at extreme inputs ---------------------------------------------------------------


def _tail(x):
    return np.exp(-np.abs(x))


LIMITS = {  # the value for large |x|, to within rounding, computed in float64
    "sigmoid": lambda x: np.exp(np.minimum(x, 0)),
    "sigmoid_grad": _tail,
    "tanh": np.sign,
    "tanh_grad": lambda x: 4 * _tail(x) ** 2,
    "hard_sigmoid": lambda x: (x > 0).astype(np.float64),
    "hard_sigmoid_grad": np.zeros_like,
    "hard_tanh": np.sign,
    "hard_tanh_grad": np.zeros_like,
    "relu": lambda x: np.maximum(x, 0),
    "relu_grad": lambda x: (x > 0).astype(np.float64),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "leaky_relu_grad": lambda x: np.where(x > 0, 1.0, 0.01),
    "elu": lambda x: np.where(x > 0, x, -1.0),
    "elu_grad": lambda x: np.exp(np.minimum(x, 0)),
    "softplus": lambda x: np.maximum(x, 0) + _tail(x),
    "softplus_grad": lambda x: np.exp(np.minimum(x, 0)),
    "step": lambda x: (x >= 0).astype(np.float64),
    "step_grad": np.zeros_like,
}


def test_limits_cover_every_elementwise_function():
    assert sorted(LIMITS) == sorted(ELEMENTWISE)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", EXTREMES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_extreme_input_gives_the_right_finite_limit(name, value, dtype):
    x = np.array([value], dtype=dtype)
    with np.errstate(all="raise"):
        out = getattr(A, name)(x)
    assert out.dtype == dtype
    assert np.all(np.isfinite(out))
    eps = np.finfo(dtype).eps
    expected = LIMITS[name](x.astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=4 * eps, atol=eps)


def test_tails_keep_their_relative_precision():
    # stricter than finite limits: no cancellation in 1 - (something close to 1)
    x = np.array([-700.0, -100.0, -30.0])
    e = np.exp(x)
    np.testing.assert_allclose(A.sigmoid(x), e / (1 + e), rtol=1e-14)
    np.testing.assert_allclose(A.sigmoid_grad(-x), e / (1 + e) ** 2, rtol=1e-14)
    np.testing.assert_allclose(A.tanh_grad(-x / 2), 4 * e / (1 + e) ** 2, rtol=1e-14)
    np.testing.assert_allclose(A.softplus(x), np.log1p(e), rtol=1e-14)
    np.testing.assert_allclose(A.elu_grad(x, alpha=0.5), 0.5 * e, rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", EXTREMES)
def test_softmax_prelu_maxout_are_stable_at_extremes(value, dtype):
    z = np.array([[value, 0.0, -value], [value, value, value]], dtype=dtype)
    x = np.array([[value, -value]], dtype=dtype)
    with np.errstate(all="raise"):
        s = A.softmax(z)
        dz = A.softmax_backward(s, np.array([[1, 2, 3], [1, 2, 3]], dtype=dtype))
        outs = [s, dz, A.prelu(x, [0.5, 0.5]), *A.prelu_grad(x, [0.5, 0.5])]
        outs += [A.maxout(x[..., None]), A.maxout_grad(x[..., None])]
    assert all(o.dtype == dtype and np.all(np.isfinite(o)) for o in outs)
    winner = [[1.0, 0, 0]] if value > 0 else [[0, 0, 1.0]]
    np.testing.assert_allclose(s, [*winner, [1 / 3] * 3], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(dz, [[0, 0, 0], [-1 / 3, 0, 1 / 3]], rtol=1e-6, atol=1e-30)


# --- input handling ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_input_is_not_modified_and_output_is_new(name, dtype):
    x = np.array([[-3.0, -2.0, -1.0, 0.0], [0.5, 1.0, 2.0, 3.0]], dtype=dtype)
    before = x.copy()
    out = getattr(A, name)(x)
    assert np.array_equal(x, before)
    assert out.shape == x.shape and out.dtype == dtype
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_int_bool_and_list_input_give_float64(name):
    f = getattr(A, name)
    ints = np.array([-2, 0, 3])
    assert f(ints).dtype == np.float64
    assert np.array_equal(f(ints), f(ints.astype(np.float64)))
    assert f(np.array([True, False])).dtype == np.float64
    assert np.array_equal(f([-2, 0, 3]), f(ints))


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_any_shape_is_kept(name, shape):
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    out = getattr(A, name)(x)
    assert np.shape(out) == shape and out.dtype == np.float32


def test_float64_parameters_do_not_upcast_float32():
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    assert A.leaky_relu(x, np.float64(0.1)).dtype == np.float32
    assert A.leaky_relu_grad(x, np.float64(0.1)).dtype == np.float32
    assert A.elu(x, np.float64(0.5)).dtype == np.float32
    r64 = np.full(4, 0.1)
    assert A.prelu(x, r64).dtype == np.float32
    assert all(g.dtype == np.float32 for g in A.prelu_grad(x, r64))
    assert A.softmax(x).dtype == np.float32
    assert A.softmax_backward(A.softmax(x), x).dtype == np.float32


def test_shape_errors_name_expected_and_received_shapes():
    with pytest.raises(ValueError, match=r"r: expected shape \(H,\) with H=4, got \(3,\)"):
        A.prelu(np.zeros((2, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"x: expected a 2-D array of shape \(N, H\)"):
        A.prelu_grad(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"z: expected a 3-D array of shape \(N, H, k\)"):
        A.maxout(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dout: expected shape \(2, 3\), got \(3, 2\)"):
        A.softmax_backward(np.full((2, 3), 1 / 3), np.zeros((3, 2)))


# --- the registry --------------------------------------------------------------------------------

KINKS = {
    "sigmoid": (),
    "tanh": (),
    "hard_sigmoid": (-2.0, 2.0),
    "hard_tanh": (-1.0, 1.0),
    "relu": (0.0,),
    "leaky_relu": (0.0,),
    "elu": (0.0,),
    "softplus": (),
    "step": (0.0,),
}


def test_activations_lists_the_elementwise_names():
    assert tuple(KINKS) == ACTIVATIONS


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_registry_entry_is_the_plain_function(name):
    act = get_activation(name)
    x = np.linspace(-4, 4, 81)
    assert act.name == name and act.kinks == KINKS[name]
    assert np.array_equal(act.fn(x), getattr(A, name)(x))
    assert np.array_equal(act.grad(x), getattr(A, f"{name}_grad")(x))
    assert act.formula and act.derivative_formula


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_kinks_are_where_the_derivative_jumps_and_nowhere_else(name):
    # alpha = 0.5 so that ELU's derivative jumps at 0 (with alpha = 1 only f'' does)
    act = get_activation(name, **({"alpha": 0.5} if name == "elu" else {}))
    for k in act.kinks:  # f' jumps there, or f itself does (step) so that f' does not exist
        jump = max(abs(g(k + 1e-9) - g(k - 1e-9)) for g in (act.fn, act.grad))
        assert jump > 1e-3, f"no jump at {k}"
    x = np.linspace(-5, 5, 100_001)
    x = x[act.kink_distance(x) > 1e-3]
    neighbours = np.diff(x) < 2e-4  # consecutive grid points, not straddling a kink
    assert np.max(np.abs(np.diff(act.grad(x)))[neighbours]) < 1e-3


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_output_range_bounds_the_function_tightly(name):
    act = get_activation(name)
    lo, hi = act.output_range
    y = act.fn(np.linspace(-50, 50, 2001))
    assert np.all((lo <= y) & (y <= hi)), f"{name} leaves {act.output_range}"
    assert not np.isfinite(lo) or y.min() - lo < 1e-6
    assert not np.isfinite(hi) or hi - y.max() < 1e-6


def test_kink_distance():
    assert get_activation("hard_tanh").kink_distance(0.9) == pytest.approx(0.1)
    d = get_activation("hard_sigmoid").kink_distance(np.array([[-3.0, 0.0], [1.5, 2.0]]))
    assert np.array_equal(d, [[1.0, 2.0], [0.5, 0.0]])
    d = get_activation("relu").kink_distance(np.array([-0.25, 4.0], dtype=np.float32))
    assert d.dtype == np.float32 and np.array_equal(d, [0.25, 4.0])
    d = get_activation("sigmoid").kink_distance(np.zeros((2, 3)))
    assert d.shape == (2, 3) and np.all(d == np.inf)


def test_aliases():
    x = np.linspace(-4, 4, 9)
    assert get_activation("logistic").name == "sigmoid"
    assert np.array_equal(get_activation("logistic").fn(x), A.sigmoid(x))
    assert get_activation("hard_logistic").name == "hard_sigmoid"
    assert np.array_equal(get_activation("hard_logistic").grad(x), A.hard_sigmoid_grad(x))


def test_parameters_are_bound():
    leaky = get_activation("leaky_relu", r=0.1)
    assert np.array_equal(leaky.fn(np.array([-2.0, 3.0])), [-0.2, 3.0])
    assert np.array_equal(leaky.grad(np.array([-2.0, 0.0, 3.0])), [0.1, 0.1, 1.0])
    assert "r = 0.1" in leaky.formula
    assert leaky.output_range == (-np.inf, np.inf)
    assert get_activation("leaky_relu", r=0.0).output_range == (0.0, np.inf)
    assert get_activation("leaky_relu", r=-0.5).output_range == (0.0, np.inf)
    assert get_activation("leaky_relu", r=1.5).fn(-2.0) == -3.0
    elu = get_activation("elu", alpha=2.0)
    assert elu.fn(-50.0) == pytest.approx(-2.0) and elu.grad(0.0) == 2.0
    assert elu.output_range == (-2.0, np.inf)
    assert get_activation("sigmoid").formula == r"\sigma(x) = \frac{1}{1+e^{-x}}"


def test_activation_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_activation("relu").name = "tanh"


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*sigmoid, tanh.*step"):
        get_activation("swish")
    with pytest.raises(ValueError, match=r"expected one of: .*logistic"):
        get_activation(None)


def test_unexpected_parameter_says_which_are_taken():
    with pytest.raises(TypeError, match=r"'relu' takes no parameters; got r"):
        get_activation("relu", r=2)
    with pytest.raises(TypeError, match=r"'leaky_relu' takes only r; got alpha"):
        get_activation("leaky_relu", alpha=1.0)
    with pytest.raises(TypeError, match=r"'elu' takes only alpha; got r"):
        get_activation("elu", r=0.1)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("leaky_relu", {"r": np.nan}, r"r: expected a finite real number, got nan"),
        ("leaky_relu", {"r": np.inf}, r"r: expected a finite real number, got inf"),
        ("leaky_relu", {"r": "0.1"}, r"r: expected a finite real number, got '0.1'"),
        ("elu", {"alpha": -1.0}, r"alpha: expected a finite number >= 0, got -1.0"),
        ("elu", {"alpha": np.inf}, r"alpha: expected a finite real number, got inf"),
    ],
)
def test_bad_parameter_values_are_rejected(name, params, message):
    with pytest.raises(ValueError, match=message):
        get_activation(name, **params)
    with pytest.raises(ValueError, match=message):
        getattr(A, name)(np.zeros(3), **params)
