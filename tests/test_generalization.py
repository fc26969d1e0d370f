"""Tests of mlpbook.generalization: polynomial and ridge fits, the chapter 6 explorer."""

from types import SimpleNamespace

import numpy as np
import pytest

from mlpbook.generalization import (
    capacity_explorer,
    fit_polynomial,
    mean_squared_error,
    polynomial_features,
    regularization_explorer,
    ridge_fit,
)


def test_polynomial_features_columns():
    x = np.array([-1.0, 0.5, 2.0])
    phi = polynomial_features(x, 3)
    assert phi.shape == (3, 4)
    assert np.array_equal(phi, np.stack([np.ones(3), x, x**2, x**3], axis=1))
    assert polynomial_features(x, 0).shape == (3, 1)


@pytest.mark.parametrize("x, degree", [(np.ones((3, 2)), 2), (np.ones(3), -1), (np.ones(3), 1.5)])
def test_polynomial_features_rejects(x, degree):
    with pytest.raises(ValueError):
        polynomial_features(x, degree)


def test_fit_polynomial_recovers_a_cubic():
    x = np.linspace(-1, 1, 20)
    c = fit_polynomial(x, 0.5 - x + 1.5 * x**3, 3)
    assert np.allclose(c, [0.5, -1.0, 0.0, 1.5])
    assert np.allclose(fit_polynomial(x, 2 + 0 * x, 0), [2.0])


def test_fit_polynomial_solves_the_normal_equations():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, 40), rng.normal(size=40)
    for lam in (1e-3, 0.1, 10.0):
        c = fit_polynomial(x, y, 6, lam)
        phi = polynomial_features(x, 6)
        penalty = np.diag([0.0] + [1.0] * 6)
        # the gradient of (1/N) Σ ½ (φc − y)² + (λ/2) Σ_{j≥1} c_j² vanishes
        grad = phi.T @ (phi @ c - y) / len(x) + lam * penalty @ c
        assert np.allclose(grad, 0, atol=1e-10)


def test_fit_polynomial_leaves_the_constant_unpenalized():
    x = np.linspace(-1, 1, 30)
    c = fit_polynomial(x, 3 + x, 5, lam=1e8)
    assert np.isclose(c[0], 3.0) and np.allclose(c[1:], 0, atol=1e-6)


def test_ridge_fit_matches_its_closed_form():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(50, 4)) + 3, rng.normal(size=50)
    for lam in (0.0, 0.5):
        w, b = ridge_fit(x, y, lam)
        xc = x - x.mean(axis=0)
        expected = np.linalg.solve(xc.T @ xc / 50 + lam * np.eye(4), xc.T @ (y - y.mean()) / 50)
        assert np.allclose(w, expected)
        assert np.isclose(b, y.mean() - x.mean(axis=0) @ w)


@pytest.mark.parametrize(
    "x, y, lam",
    [
        (np.ones(5), np.ones(5), 0.0),
        (np.ones((5, 2)), np.ones(4), 0.0),
        (np.ones((5, 2)), np.ones(5), -1.0),
        (np.ones((5, 2)), np.ones(5), True),
    ],
)
def test_ridge_fit_rejects(x, y, lam):
    with pytest.raises(ValueError):
        ridge_fit(x, y, lam)


def test_fit_polynomial_rejects_bad_targets_and_lambda():
    with pytest.raises(ValueError, match="y: expected shape"):
        fit_polynomial(np.ones(4), np.ones(3), 2)
    with pytest.raises(ValueError, match="lam"):
        fit_polynomial(np.linspace(0, 1, 4), np.ones(4), 2, lam=-0.1)


def test_mean_squared_error():
    assert mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 4.0])) == 2.5
    with pytest.raises(ValueError, match="expected shape"):
        mean_squared_error(np.ones(3), np.ones(2))


def _runs(ps=(0.0, 0.5), lams=(0.0, 1e-3), seeds=(0, 1)):
    rng = np.random.default_rng(0)
    return {
        (p, lam, s): SimpleNamespace(
            loss=list(np.exp(-np.arange(10.0)) + rng.uniform(0, 0.01, 10)),
            val_loss=list(0.3 + 0.01 * (np.arange(10.0) - 4) ** 2),
        )
        for p in ps
        for lam in lams
        for s in seeds
    }


def test_explorer_views_offer_only_the_trained_values():
    view = regularization_explorer(_runs())
    assert set(view.controls) == {"view", "p", "lam"}
    assert tuple(view.controls["p"].options) == (("0", 0.0), ("0.5", 0.5))
    assert tuple(view.controls["lam"].options) == (("0", 0.0), ("0.001", 0.001))
    fig = view.update(p=0.5, lam=0.001)
    assert "p = 0.5, λ = 0.001" in fig.axes[0].get_title()
    assert not view.controls["lam"].disabled
    fig = view.update(view="one dropout mask", p=0.5)
    assert len(fig.axes) == 3 and view.controls["lam"].disabled
    assert "p = 0.5" in fig._suptitle.get_text()


def test_explorer_frames_on_the_web():
    from mlpbook.interactive import show

    inter = show(regularization_explorer(_runs()), frames=True)
    assert len(inter.frames) == 2 * 2 + 2  # curves: p x λ; masks: p only (λ disabled)


def test_explorer_rejects_incomplete_runs():
    runs = _runs()
    del runs[0.5, 1e-3, 1]
    with pytest.raises(ValueError, match="missing"):
        regularization_explorer(runs)
    with pytest.raises(ValueError, match="p = 0 or lam = 0"):
        regularization_explorer(_runs(ps=(0.2, 0.5)))
    with pytest.raises(ValueError, match="non-empty dict"):
        regularization_explorer({})


def _cubic_data(n=12, m=50):
    rng = np.random.default_rng(3)
    x_tr, x_va = rng.uniform(-1, 1, n), rng.uniform(-1, 1, m)
    return x_tr, x_tr**3 + 0.1 * rng.normal(size=n), x_va, x_va**3 + 0.1 * rng.normal(size=m)


def test_capacity_explorer_draws_each_fit_and_its_errors():
    x_tr, y_tr, x_va, y_va = _cubic_data()
    view = capacity_explorer(x_tr, y_tr, x_va, y_va, max_degree=5, lams=(0.0, 0.1))
    assert set(view.controls) == {"degree", "lam"}
    assert view.controls["degree"].max == 5
    fig = view.update(degree=4, lam=0.1)
    c = fit_polynomial(x_tr, y_tr, 4, 0.1)
    e_tr = mean_squared_error(polynomial_features(x_tr, 4) @ c, y_tr)
    e_va = mean_squared_error(polynomial_features(x_va, 4) @ c, y_va)
    assert fig._suptitle.get_text() == (
        f"degree 4, λ = 0.1: training {e_tr:.3g}, validation {e_va:.3g}"
    )
    left, right = fig.axes
    fitted = left.get_lines()[1]  # validation points, then the fit (no target given)
    assert np.allclose(fitted.get_ydata(), polynomial_features(fitted.get_xdata(), 4) @ c)
    train_curve = right.get_lines()[0]
    assert np.isclose(train_curve.get_ydata()[4], e_tr)


def test_capacity_explorer_frames_on_the_web():
    from mlpbook.interactive import show

    x_tr, y_tr, x_va, y_va = _cubic_data()
    inter = show(capacity_explorer(x_tr, y_tr, x_va, y_va, max_degree=3, lams=(0.0, 1.0)))
    assert len(inter.frames) == 4 * 2


@pytest.mark.parametrize(
    "change, match",
    [
        ({"max_degree": 12}, "at most N - 1 = 11"),
        ({"lams": (0.0, 0.0)}, "distinct numbers"),
        ({"lams": (-1.0,)}, "distinct numbers"),
        ({"lams": ()}, "distinct numbers"),
        ({"target": 3}, "function of x"),
        ({"y_train": np.ones(5)}, "same shape"),
    ],
)
def test_capacity_explorer_rejects(change, match):
    x_tr, y_tr, x_va, y_va = _cubic_data()
    args = {"x_train": x_tr, "y_train": y_tr, "x_val": x_va, "y_val": y_va, "max_degree": 5}
    args.update(change)
    x_tr, y_tr = args.pop("x_train"), args.pop("y_train")
    x_va, y_va = args.pop("x_val"), args.pop("y_val")
    with pytest.raises(ValueError, match=match):
        capacity_explorer(x_tr, y_tr, x_va, y_va, **args)
