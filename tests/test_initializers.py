"""Initializers: variances of the papers, fans, reproducibility, and clear errors."""

import math

import numpy as np
import pytest

from mlpbook import initializers as init

# fan_in = 800 ≠ fan_out = 600: He (2/800), Glorot (2/1400) and "fan_out" (2/600) all differ
# by far more than the tolerance below.
SHAPE = (800, 600)
FAN_IN, FAN_OUT = SHAPE
GLOROT_VAR = 2.0 / (FAN_IN + FAN_OUT)
HE_VAR = 2.0 / FAN_IN

# Kurtosis E[x⁴]/σ⁴ of each family: 3 for a normal, 9/5 for a uniform.
KURTOSIS = {"normal": 3.0, "uniform": 1.8}

# name -> (initializer with its keyword arguments, family, target variance)
RANDOM_CASES = {
    "normal": (lambda s, r, **kw: init.normal(s, r, std=0.05, **kw), "normal", 0.05**2),
    "uniform": (lambda s, r, **kw: init.uniform(s, r, limit=0.2, **kw), "uniform", 0.2**2 / 3),
    "xavier_normal": (init.xavier_normal, "normal", GLOROT_VAR),
    "xavier_uniform": (init.xavier_uniform, "uniform", GLOROT_VAR),
    "he_normal": (init.he_normal, "normal", HE_VAR),
    "he_uniform": (init.he_uniform, "uniform", HE_VAR),
}


def var_tolerance(var, family, n):
    """Six standard errors of the sample variance: SE(s²) = σ²·√((κ − 1)/n), κ the kurtosis."""
    return 6.0 * var * math.sqrt((KURTOSIS[family] - 1.0) / n)


def assert_variance(w, target, family):
    """Mean within 6 standard errors (6σ/√n) of 0 and variance within 6 SE of ``target``."""
    n = w.size
    var = float(np.var(w, dtype=np.float64))
    tol = var_tolerance(target, family, n)
    assert abs(var - target) < tol, f"variance {var:.6g}, expected {target:.6g} ± {tol:.2g}"
    mean = float(np.mean(w, dtype=np.float64))
    mean_tol = 6.0 * math.sqrt(target / n)
    assert abs(mean) < mean_tol, f"mean {mean:.3g}, expected 0 ± {mean_tol:.2g}"


@pytest.mark.parametrize("name", RANDOM_CASES)
def test_variance_matches_the_paper(name, rng):
    """Each random initializer's sample variance and mean match its target on 480k draws."""
    fn, family, target = RANDOM_CASES[name]
    w = fn(SHAPE, rng)
    assert w.shape == SHAPE
    assert_variance(w, target, family)


@pytest.mark.parametrize("name", [n for n, c in RANDOM_CASES.items() if c[1] == "uniform"])
def test_uniform_initializers_are_bounded_and_reach_their_limit(name, rng):
    """A uniform draw stays within ±limit and gets within 1e-4·limit of both ends."""
    fn, _, target = RANDOM_CASES[name]
    limit = math.sqrt(3.0 * target)
    w = fn(SHAPE, rng)
    assert np.all(np.abs(w) <= limit)
    # P(max < (1 − 1e-4)·limit) = (1 − 5e-5)^480000 ≈ e^−24.
    assert w.max() > (1 - 1e-4) * limit
    assert w.min() < -(1 - 1e-4) * limit


@pytest.mark.parametrize("name", [n for n, c in RANDOM_CASES.items() if c[1] == "normal"])
def test_normal_initializers_have_gaussian_tails(name, rng):
    """A normal draw is not truncated: 0.27% of entries lie beyond 3σ, some beyond 4σ."""
    fn, _, target = RANDOM_CASES[name]
    sigma = math.sqrt(target)
    w = fn(SHAPE, rng)
    n = w.size
    p3 = math.erfc(3 / math.sqrt(2))
    frac = float(np.mean(np.abs(w) > 3 * sigma))
    # Binomial proportion: six standard errors √(p(1 − p)/n).
    assert abs(frac - p3) < 6 * math.sqrt(p3 * (1 - p3) / n), f"fraction beyond 3σ: {frac}"
    # About 30 entries expected beyond 4σ; none at all has probability e^−30.
    assert np.abs(w).max() > 4 * sigma


@pytest.mark.parametrize("shape", [(800, 600), (300, 1600)])
def test_he_uses_fan_in_and_glorot_uses_both_fans(shape, rng):
    """Rectangular shapes in both orientations tell fan_in, fan_out and their sum apart."""
    d, h = shape
    assert_variance(init.he_normal(shape, rng), 2.0 / d, "normal")
    assert_variance(init.he_uniform(shape, rng), 2.0 / d, "uniform")
    assert_variance(init.xavier_normal(shape, rng), 2.0 / (d + h), "normal")
    assert_variance(init.xavier_uniform(shape, rng), 2.0 / (d + h), "uniform")


def test_xavier_normal_variance_is_two_not_six_over_fan_sum(rng):
    """Common mistake: Var = 6/(fan_in + fan_out) belongs to a², not to Xavier normal's σ²."""
    w = init.xavier_normal(SHAPE, rng)
    ratio = float(np.var(w)) * (FAN_IN + FAN_OUT)
    assert ratio == pytest.approx(2.0, rel=0.02), f"Var·(fan_in + fan_out) = {ratio}"
    limit = math.sqrt(6.0 / (FAN_IN + FAN_OUT))
    assert np.abs(init.xavier_uniform(SHAPE, rng)).max() <= limit


@pytest.mark.parametrize("gain", [0.5, 3.0])
def test_gain_multiplies_the_standard_deviation(gain, rng):
    """Var = gain²/fan_in for He and gain²·2/(fan_in + fan_out) for Glorot (numpy-ml's bug)."""
    assert_variance(init.he_normal(SHAPE, rng, gain=gain), gain**2 / FAN_IN, "normal")
    assert_variance(init.he_uniform(SHAPE, rng, gain=gain), gain**2 / FAN_IN, "uniform")
    assert_variance(init.xavier_normal(SHAPE, rng, gain=gain), gain**2 * GLOROT_VAR, "normal")
    assert_variance(init.xavier_uniform(SHAPE, rng, gain=gain), gain**2 * GLOROT_VAR, "uniform")


def test_fans_of_1d_2d_and_3d_shapes():
    """(D, H[, k]) has fans (D, H); a 1-D (H,) or an int H has fan_in = fan_out = H."""
    assert init.fans((5, 7)) == (5, 7)
    assert init.fans((5, 7, 3)) == (5, 7)
    assert init.fans((7,)) == (7, 7)
    assert init.fans(7) == (7, 7)
    assert init.fans((np.int64(4), np.int32(6))) == (4, 6)


def test_3d_shape_draws_with_the_fans_of_its_first_two_axes(rng):
    """Maxout's (D, H, k) weights: the k pieces do not enter the fans."""
    shape = (400, 150, 8)
    w = init.he_normal(shape, rng)
    assert w.shape == shape
    assert_variance(w, 2.0 / 400, "normal")
    assert_variance(init.xavier_uniform(shape, rng), 2.0 / 550, "uniform")


def test_1d_shape_draws_with_fan_in_equal_to_its_length(rng):
    """A (H,) parameter: He variance 2/H, Glorot variance 2/(2H) = 1/H."""
    n = 480_000
    assert_variance(init.he_normal((n,), rng), 2.0 / n, "normal")
    assert_variance(init.xavier_normal(n, rng), 1.0 / n, "normal")


@pytest.mark.parametrize("name", RANDOM_CASES)
def test_same_seed_same_array_different_seed_different_array(name):
    """Generators with one seed give identical arrays; an int seed is such a generator."""
    fn = RANDOM_CASES[name][0]
    a = fn((6, 5), np.random.default_rng(7))
    b = fn((6, 5), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fn((6, 5), 7), a)
    assert not np.array_equal(fn((6, 5), np.random.default_rng(8)), a)


def test_one_generator_gives_fresh_draws_on_each_call(rng):
    """Two layers initialised from one generator get different weights."""
    assert not np.array_equal(init.he_normal((4, 3), rng), init.he_normal((4, 3), rng))


@pytest.mark.parametrize("name", sorted(set(init.INITIALIZERS) - {"identity"}))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_honoured(name, dtype, rng):
    """Every initializer returns the requested dtype and shape."""
    w = init.get_initializer(name)((4, 3), rng, dtype)
    assert w.dtype == dtype
    assert w.shape == (4, 3)


def test_deterministic_initializers_are_exact():
    """zeros, ones, constant and identity give exactly the documented arrays."""
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones((3,)), np.ones(3))
    np.testing.assert_array_equal(init.constant((2, 2), value=0.01), np.full((2, 2), 0.01))
    np.testing.assert_array_equal(init.constant((2,)), np.zeros(2))
    np.testing.assert_array_equal(init.identity((3, 3)), np.eye(3))
    np.testing.assert_array_equal(init.identity((2, 2), scale=0.5), [[0.5, 0.0], [0.0, 0.5]])
    assert init.identity((2, 2), dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("shape", [(2, 4), (4, 2)])
def test_identity_rectangular_has_ones_on_the_main_diagonal(shape):
    """Rectangular identity: w[i, i] = 1 for i < min(D, H), zeros elsewhere."""
    w = init.identity(shape)
    expected = np.zeros(shape)
    for i in range(min(shape)):
        expected[i, i] = 1.0
    np.testing.assert_array_equal(w, expected)


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_identity_needs_a_2d_shape(shape):
    with pytest.raises(ValueError, match="2-D"):
        init.identity(shape)


@pytest.mark.parametrize(
    ("alias", "target"),
    [
        ("glorot_normal", init.xavier_normal),
        ("glorot_uniform", init.xavier_uniform),
        ("kaiming_normal", init.he_normal),
        ("kaiming_uniform", init.he_uniform),
        ("xavier_normal", init.xavier_normal),
        ("he_uniform", init.he_uniform),
        ("zeros", init.zeros),
        ("identity", init.identity),
    ],
)
def test_get_initializer_by_name_and_alias(alias, target):
    assert init.get_initializer(alias) is target


def test_get_initializer_passes_callables_through():
    def custom(shape, rng=None, dtype=np.float64):
        return np.full(shape, 2.0, dtype=dtype)

    assert init.get_initializer(custom) is custom
    assert init.get_initializer(init.he_normal) is init.he_normal


@pytest.mark.parametrize("bad", ["he", "Xavier_Normal", 3, None])
def test_get_initializer_unknown_name_lists_the_valid_ones(bad):
    with pytest.raises(ValueError, match=r"expected one of .*he_normal.*xavier_uniform"):
        init.get_initializer(bad)


@pytest.mark.parametrize("shape", [0, -3, (3, 0), (-1, 4), (3, 2.5), (2.0, 3), (), "3"])
@pytest.mark.parametrize("fn", [init.zeros, init.he_normal, init.xavier_uniform, init.fans])
def test_bad_shapes_raise_value_error(shape, fn):
    with pytest.raises(ValueError, match="shape: expected a tuple of positive integers"):
        if fn is init.fans:
            fn(shape)
        else:
            fn(shape, np.random.default_rng(0))


@pytest.mark.parametrize("shape", [2.5, np.float64(3.0)])
def test_scalar_non_integer_shape_raises_value_error(shape):
    with pytest.raises(ValueError, match="shape: expected a tuple of positive integers"):
        init.zeros(shape)


def test_negative_std_or_limit_raise_value_error(rng):
    with pytest.raises(ValueError, match="std: expected a number >= 0"):
        init.normal((2, 2), rng, std=-0.1)
    with pytest.raises(ValueError, match="std"):
        init.normal((2, 2), rng, std=float("nan"))
    with pytest.raises(ValueError, match="limit: expected a number >= 0"):
        init.uniform((2, 2), rng, limit=-0.1)


@pytest.mark.parametrize("bad_rng", [None, np.random.RandomState(0), 1.5, "0", True])
@pytest.mark.parametrize("fn", [init.normal, init.uniform, init.he_normal, init.xavier_uniform])
def test_wrong_rng_type_raises_type_error_naming_generator(fn, bad_rng):
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        fn((3, 2), bad_rng)


# --- LeCun, orthogonal and the gain (chapter 5) ---------------------------------------


@pytest.mark.parametrize("name, family", [("lecun_normal", "normal"), ("lecun_uniform", "uniform")])
def test_lecun_variance_is_one_over_fan_in(name, family, rng):
    """LeCun's rule, Var[w] = 1/fan_in, on 480k draws (what DLS calls "Xavier")."""
    w = init.get_initializer(name)(SHAPE, rng)
    assert_variance(w, 1.0 / FAN_IN, family)


@pytest.mark.parametrize("shape", [(300, 100), (100, 300), (64, 64)])
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
def test_orthogonal_has_orthonormal_columns_or_rows_times_gain(shape, gain, rng):
    """wᵀw = gain²·I when D ≥ H, w wᵀ = gain²·I when D < H; every singular value = gain."""
    w = init.orthogonal(shape, rng, gain=gain)
    assert w.shape == shape
    d, h = shape
    gram = w.T @ w if d >= h else w @ w.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(d, h)), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), gain, rtol=1e-12)


def test_orthogonal_is_haar_distributed_thanks_to_the_sign_correction():
    """Under the Haar distribution every entry has mean 0 and variance 1/n.

    Plain QR (no sign correction) gives Q[0, 0] a mean near -0.29 for 8×8 matrices; the
    corrected draw must be within 6 standard errors of 0, entry by entry on the diagonal.
    """
    rng = np.random.default_rng(0)
    draws = np.stack([init.orthogonal((8, 8), rng) for _ in range(4000)])
    diag = np.diagonal(draws, axis1=1, axis2=2)  # (4000, 8)
    se = diag.std(axis=0) / math.sqrt(4000)
    assert np.all(np.abs(diag.mean(axis=0)) < 6 * se), diag.mean(axis=0)
    assert abs(draws.var() - 1 / 8) < 0.005


def test_orthogonal_reproducible_and_rejects_bad_input():
    np.testing.assert_array_equal(init.orthogonal((5, 3), 7), init.orthogonal((5, 3), 7))
    assert not np.array_equal(init.orthogonal((5, 3), 7), init.orthogonal((5, 3), 8))
    with pytest.raises(ValueError, match="2-D shape"):
        init.orthogonal((4, 3, 2), 0)
    with pytest.raises(ValueError, match="gain: expected a number > 0"):
        init.orthogonal((4, 3), 0, gain=0.0)


@pytest.mark.parametrize(
    "activation, r, expected",
    [
        ("linear", 0.0, 1.0),
        ("tanh", 0.0, 1.0),
        ("sigmoid", 0.0, 1.0),
        ("relu", 0.0, math.sqrt(2.0)),
        ("leaky_relu", 0.0, math.sqrt(2.0)),
        ("leaky_relu", 0.1, math.sqrt(2.0 / 1.01)),
        ("leaky_relu", 1.0, 1.0),
    ],
)
def test_gain_values(activation, r, expected):
    assert math.isclose(init.gain(activation, r), expected)


@pytest.mark.parametrize("r", [0.0, 0.2, 0.5])
def test_gain_keeps_the_second_moment_through_the_activation(r):
    """E[f(γ z)²] = E[z²] for z ~ N(0, 1): the gain undoes what the activation removes."""
    z = np.random.default_rng(3).standard_normal(1_000_000)
    g = init.gain("leaky_relu", r)
    second = np.mean(np.maximum(g * z, r * g * z) ** 2)
    assert abs(second - 1.0) < 0.01


def test_gain_rejects_unknown_activations_and_misplaced_slopes():
    with pytest.raises(ValueError, match="expected one of linear, sigmoid, tanh"):
        init.gain("elu")
    with pytest.raises(ValueError, match="only leaky_relu takes a slope"):
        init.gain("relu", 0.1)
    with pytest.raises(ValueError, match="r: expected a number >= 0"):
        init.gain("leaky_relu", -0.1)
