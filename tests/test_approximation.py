"""Tests for mlpbook.approximation: the constructions meet their bounds; the bounds are tight."""

import math

import numpy as np
import pytest

from mlpbook import approximation as ap
from mlpbook.data import target_function

FINE = np.linspace(-1.0, 1.0, 20001)


def _random_lipschitz(rng, lipschitz=1.0, knots=30):
    """A random K-Lipschitz piecewise-linear function on [-1, 1]."""
    k = np.r_[-1.0, np.sort(rng.uniform(-1, 1, knots)), 1.0]
    v = np.cumsum(np.r_[0.0, np.diff(k) * rng.uniform(-lipschitz, lipschitz, knots + 1)])
    return lambda x: np.interp(x, k, v)


def test_forward_shapes_and_values():
    params = (np.array([[1.0, -1.0]]), np.array([0.0, 0.5]), np.array([[2.0], [3.0]]), [1.0])
    out = ap.forward(np.array([0.0, 1.0]), params)
    assert out.shape == (2, 1)
    np.testing.assert_allclose(out[:, 0], [1 + 3 * 0.5, 1 + 2 * 1.0])
    with pytest.raises(ValueError, match="w1"):
        ap.forward(np.zeros((3, 2)), params)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_interpolant_interpolates_on_nonuniform_grids(seed):
    rng = np.random.default_rng(seed)
    for n in (1, 2, 7, 40):
        xg = np.sort(rng.uniform(-1, 1, n + 1))
        fg = rng.normal(size=n + 1)
        params = ap.relu_interpolant(xg, fg)
        assert [p.shape for p in params] == [(1, n), (n,), (n, 1), (1,)]
        np.testing.assert_allclose(ap.forward(xg, params)[:, 0], fg, atol=1e-9)
        inside = np.linspace(xg[0], xg[-1], 5001)
        np.testing.assert_allclose(ap.forward(inside, params)[:, 0], np.interp(inside, xg, fg))


def test_relu_interpolant_weights_by_hand():
    w1, b1, w2, b2 = ap.relu_interpolant([0.0, 1.0, 3.0], [1.0, 3.0, 2.0])
    np.testing.assert_array_equal(b1, [-0.0, -1.0])
    np.testing.assert_allclose(w2[:, 0], [2.0, -0.5 - 2.0])  # slope, then change of slope
    assert b2.tolist() == [1.0] and w1.tolist() == [[1.0, 1.0]]


@pytest.mark.parametrize("s", [0.5, 1.0, 4.0, 50.0, 1e4])
def test_staircase_values_equal_the_network(s):
    rng = np.random.default_rng(3)
    for n in (1, 4, 33):
        xg = np.linspace(-1, 1, n + 1)
        fg = rng.normal(size=n + 1)
        x = np.linspace(-1.5, 1.5, 3001)
        dense = ap.forward(x, ap.sigmoid_staircase(xg, fg, s), "sigmoid")[:, 0]
        np.testing.assert_allclose(ap.staircase_values(x, xg, fg, s), dense, atol=1e-12)


def test_partition_of_unity():
    n, s = 9, 3.0
    xg = np.linspace(-1, 1, n + 1)
    weights = np.stack([ap.staircase_values(FINE, xg, np.eye(n + 1)[j], s) for j in range(n + 1)])
    assert weights.min() > 0  # every ω_j(x) = σ_j − σ_{j+1} is a positive bump
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_bounds_hold_on_random_lipschitz_targets(seed):
    rng = np.random.default_rng(seed)
    lip = rng.uniform(0.5, 3.0)
    f = _random_lipschitz(rng, lip)
    for n in (3, 10, 37):
        xg = np.linspace(-1, 1, n + 1)
        h = 2 / n
        relu_err = ap.sup_error(ap.forward(FINE, ap.relu_interpolant(xg, f(xg))), f(FINE))
        assert relu_err <= ap.relu_bound(lip, h)
        for s in (0.5, 2.0, 10.0, 1e3):
            err = ap.sup_error(ap.staircase_values(FINE, xg, f(xg), s), f(FINE))
            assert err <= ap.staircase_bound(lip, h, s)


def test_bounds_are_tight_on_the_zigzag():
    n = 8
    xg = np.linspace(-1, 1, n + 1)
    h = 2 / n
    knots = np.sort(np.r_[xg, xg[:-1] + h / 2])
    f = lambda x: np.interp(x, knots, np.where(np.isin(knots, xg), 0.0, h / 2))  # noqa: E731
    x = np.linspace(-1, 1, 16 * n + 1)  # contains every peak
    err = ap.sup_error(ap.forward(x, ap.relu_interpolant(xg, f(xg))), f(x))
    assert err == pytest.approx(ap.relu_bound(1.0, h))
    err = ap.sup_error(ap.staircase_values(x, xg, f(xg), 1e4), f(x))
    assert err / ap.staircase_bound(1.0, h, 1e4) > 0.999


def test_naive_bound_fails_for_smooth_steps():
    xg = np.linspace(-1, 1, 21)
    err = ap.sup_error(ap.staircase_values(FINE, xg, xg, 0.5), FINE)  # f(x) = x, K = 1
    assert err > 2 * ap.relu_bound(1.0, 0.1)


def test_units_needed():
    assert ap.units_needed(1.0, -1.0, 1.0, 0.1) == 10
    assert ap.units_needed(math.pi, -1, 1, 0.01) == 315
    assert ap.units_needed(1.0, 0.0, 1.0, 0.5) == 1  # the bound equals ε: ≤ is inclusive
    assert ap.units_needed(1.0, 0.0, 1.0, 10.0) == 1
    assert ap.units_needed(1.0, 0.0, 3.0, 0.5) == 3  # exactly 3, not 4
    s = 10.0
    n = ap.units_needed(2.0, -1, 1, 0.01, "sigmoid", s)
    assert ap.staircase_bound(2.0, 2 / n, s) <= 0.01 < ap.staircase_bound(2.0, 2 / (n - 1), s)
    assert isinstance(n, int)
    with pytest.raises(ValueError, match="kind"):
        ap.units_needed(1.0, 0, 1, 0.1, "tanh")
    with pytest.raises(ValueError, match="steepness"):
        ap.units_needed(1.0, 0, 1, 0.1, "sigmoid")


def test_bad_grids_rejected():
    with pytest.raises(ValueError, match="increasing"):
        ap.relu_interpolant([0.0, 0.0, 1.0], [1, 2, 3])
    with pytest.raises(ValueError, match="f_grid"):
        ap.relu_interpolant([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="uniform"):
        ap.sigmoid_staircase([0.0, 0.1, 1.0], [1, 2, 3], 10.0)
    with pytest.raises(ValueError, match="steepness"):
        ap.sigmoid_staircase([0.0, 1.0], [1, 2], 0.0)


def test_sawtooth_has_two_to_the_depth_pieces():
    x = np.linspace(0, 1, 2**10 + 1)  # every kink k/2^L is a sample point
    assert [ap.count_pieces(x, ap.sawtooth(x, depth)) for depth in range(1, 9)] == [
        2**depth for depth in range(1, 9)
    ]
    np.testing.assert_array_equal(ap.tent(np.array([0.0, 0.25, 0.5, 1.0])), [0, 0.5, 1, 0])


def test_shallow_network_needs_one_unit_per_piece():
    x = np.linspace(0, 1, 2**10 + 1)
    target = ap.sawtooth(x, 4)
    exact = ap.relu_interpolant(np.linspace(0, 1, 17), ap.sawtooth(np.linspace(0, 1, 17), 4))
    assert ap.sup_error(ap.forward(x, exact), target) < 1e-12
    assert ap.count_pieces(x, ap.forward(x, exact)[:, 0]) == 16


def test_sine_target_meets_the_c2_bound():
    f = target_function("sine")
    for n in (5, 20, 80):
        xg = np.linspace(-1, 1, n + 1)
        err = ap.sup_error(ap.forward(FINE, ap.relu_interpolant(xg, f(xg))), f(FINE))
        assert err <= (2 / n) ** 2 * math.pi**2 / 8


def test_unit_contributions_add_up_to_the_output():
    rng = np.random.default_rng(3)
    params = (rng.normal(size=(1, 5)), rng.normal(size=5), rng.normal(size=(5, 1)), [0.7])
    for activation in ("relu", "sigmoid"):
        parts = ap.unit_contributions(FINE, params, activation)
        assert parts.shape == (FINE.size, 5)
        np.testing.assert_allclose(
            parts.sum(axis=1) + 0.7, ap.forward(FINE, params, activation)[:, 0], atol=1e-12
        )
    two_outputs = (*params[:2], np.ones((5, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"w2: expected shape \(H, 1\)"):
        ap.unit_contributions(FINE, two_outputs)


def test_nobias_fit_stays_3_minus_2_sqrt2_off_x_squared():
    floor = 3 - 2 * math.sqrt(2)
    params = ap.nobias_relu_fit(FINE, FINE**2)
    alpha = 2 * math.sqrt(2) - 2  # 1 − α = α²/4: the errors at x = 1 and x = α/2 balance
    np.testing.assert_allclose(params[2][:, 0], [alpha, alpha], rtol=1e-6)
    assert not params[1].any() and not params[3].any()  # no biases at all
    g = ap.forward(FINE, params)[:, 0]
    assert ap.sup_error(g, FINE**2) == pytest.approx(floor, abs=1e-8)
    np.testing.assert_allclose(g, alpha * np.abs(FINE), rtol=1e-6)  # two slopes through 0
    # no network without biases does better, whatever its width: ReLU(w x) = |w| ReLU(±x)
    rng = np.random.default_rng(0)
    for width in (2, 20, 200):
        w1 = rng.normal(size=(1, width))
        hidden = ap.activations.relu(FINE[:, None] @ w1)
        w2, *_ = np.linalg.lstsq(hidden, FINE**2, rcond=None)
        assert ap.sup_error(hidden @ w2, FINE**2) >= floor


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nobias_fit_is_the_best_pair_of_slopes(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, 300))
    y = _random_lipschitz(rng, 2.0)(x) + rng.normal(0, 0.1, x.size)
    params = ap.nobias_relu_fit(x, y)
    alpha, beta = params[2][0, 0], -params[2][1, 0]
    right, left = x > 0, x < 0
    for side, slope in ((right, alpha), (left, beta)):
        best = np.abs(y[side] - slope * x[side]).max()
        for other in slope + np.linspace(-0.5, 0.5, 1001):  # a grid search finds no better
            assert np.abs(y[side] - other * x[side]).max() >= best - 1e-12
    with pytest.raises(ValueError, match="f_values"):
        ap.nobias_relu_fit(x, y[:-1])
