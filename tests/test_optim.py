"""Optimizers: exact steps by hand, Adam against the paper, state, in-place updates, errors."""

import math

import numpy as np
import pytest

from mlpbook.model import mlp
from mlpbook.optim import SGD, Adam, Momentum

OPTIMIZERS = {
    "sgd": lambda: SGD(lr=0.1),
    "momentum": lambda: Momentum(lr=0.1),
    "adam": lambda: Adam(lr=0.1),
}


def adam_reference(theta, grads, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Algorithm 1 of Kingma & Ba (2015), line by line, on a copy of ``theta``."""
    theta = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def test_sgd_one_step_is_exact(rng):
    """θ ← θ − αg (a + sign would move uphill)."""
    theta = rng.standard_normal((3, 2))
    g = rng.standard_normal((3, 2))
    expected = theta - 0.1 * g
    SGD(lr=0.1).step({"w": theta}, {"w": g})
    np.testing.assert_allclose(theta, expected, rtol=1e-15, atol=1e-15)


def test_sgd_default_has_no_momentum(rng):
    """Plain SGD: the second step depends only on the second gradient."""
    theta = np.zeros(3)
    g1, g2 = rng.standard_normal(3), rng.standard_normal(3)
    opt = SGD(lr=0.5)
    assert opt.momentum == 0.0
    opt.step({"w": theta}, {"w": g1})
    opt.step({"w": theta}, {"w": g2})
    np.testing.assert_allclose(theta, -0.5 * (g1 + g2), rtol=1e-15)


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.5), lambda: Momentum(lr=0.1)])
def test_momentum_two_steps_by_hand(make, rng):
    """v₁ = g₁, θ₁ = θ₀ − αv₁; v₂ = μv₁ + g₂, θ₂ = θ₁ − αv₂."""
    opt = make()
    mu, lr = opt.momentum, opt.lr
    theta0 = rng.standard_normal(4)
    g1, g2 = rng.standard_normal(4), rng.standard_normal(4)
    theta = theta0.copy()
    opt.step({"w": theta}, {"w": g1})
    theta1 = theta0 - lr * g1
    np.testing.assert_allclose(theta, theta1, rtol=1e-14)
    opt.step({"w": theta}, {"w": g2})
    theta2 = theta1 - lr * (mu * g1 + g2)
    np.testing.assert_allclose(theta, theta2, rtol=1e-14)


def test_momentum_default_is_0_9(rng):
    opt = Momentum(lr=1.0)
    assert opt.momentum == 0.9
    theta = np.zeros(2)
    g = np.array([1.0, -2.0])
    opt.step({"w": theta}, {"w": g})
    opt.step({"w": theta}, {"w": g})
    # v₂ = 0.9 g + g; θ₂ = −(g + 1.9 g).
    np.testing.assert_allclose(theta, -2.9 * g, rtol=1e-15)


def test_adam_matches_the_paper_over_five_steps(rng):
    """Five steps against Algorithm 1; tiny gradients make ε's placement matter."""
    theta0 = rng.standard_normal(6)
    scales = np.array([1e-8, 1e-6, 1e-2, 1.0, 10.0, 1e3])
    grads = [rng.standard_normal(6) * scales for _ in range(5)]
    expected = adam_reference(theta0, grads, lr=0.01)
    theta = theta0.copy()
    opt = Adam(lr=0.01)
    for g in grads:
        opt.step({"w": theta}, {"w": g})
    np.testing.assert_allclose(theta, expected, rtol=0, atol=1e-12)


def test_adam_matches_the_paper_with_other_hyperparameters(rng):
    theta0 = rng.standard_normal((2, 3))
    grads = [rng.standard_normal((2, 3)) for _ in range(5)]
    kw = {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}
    expected = adam_reference(theta0, grads, **kw)
    theta = theta0.copy()
    opt = Adam(**kw)
    for g in grads:
        opt.step({"w": theta}, {"w": g})
    np.testing.assert_allclose(theta, expected, rtol=0, atol=1e-12)


def test_adam_first_step_is_lr_times_sign_whatever_the_scale():
    """Bias-corrected: m̂₁ = g, v̂₁ = g², so Δθ = −α g/|g| (without correction it is ≈ 3.16α)."""
    g = np.array([1e-4, -1e-2, 1.0, -10.0, 1e4])
    theta = np.zeros(5)
    Adam(lr=0.01).step({"w": theta}, {"w": g})
    np.testing.assert_allclose(theta, -0.01 * np.sign(g), rtol=1e-4)


def test_state_is_kept_per_key(rng):
    """Two parameters updated together evolve as if each had its own optimizer."""
    ga = [rng.standard_normal(3) for _ in range(3)]
    gb = [rng.standard_normal(3) * 100 for _ in range(3)]
    for make in (lambda: Momentum(lr=0.1), lambda: Adam(lr=0.1)):
        a, b = np.zeros(3), np.ones(3)
        a_alone, b_alone = np.zeros(3), np.ones(3)
        both, only_a, only_b = make(), make(), make()
        for g_a, g_b in zip(ga, gb, strict=True):
            both.step({"a": a, "b": b}, {"a": g_a, "b": g_b})
            only_a.step({"a": a_alone}, {"a": g_a})
            only_b.step({"b": b_alone}, {"b": g_b})
        np.testing.assert_allclose(a, a_alone, rtol=1e-14)
        np.testing.assert_allclose(b, b_alone, rtol=1e-14)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_params_are_updated_in_place_so_the_model_sees_them(name, rng):
    model = mlp([3, 4, 2], rng=0)
    params = model.params
    ids = {k: id(p) for k, p in params.items()}
    before = {k: p.copy() for k, p in params.items()}
    grads = {k: rng.standard_normal(p.shape) for k, p in params.items()}
    OPTIMIZERS[name]().step(params, grads)
    for k, p in model.params.items():
        assert id(p) == ids[k]
        assert not np.array_equal(p, before[k]), k
    assert model[0].params["w"] is params["0.w"]
    assert not np.array_equal(model[0].params["w"], before["0.w"])


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64])
def test_float32_params_stay_float32(name, grad_dtype, rng):
    theta = rng.standard_normal((3, 2)).astype(np.float32)
    opt = OPTIMIZERS[name]()
    for _ in range(2):
        opt.step({"w": theta}, {"w": rng.standard_normal((3, 2)).astype(grad_dtype)})
    assert theta.dtype == np.float32
    for state in ("velocity", "m", "v"):
        for arr in getattr(opt, state, {}).values():
            assert arr.dtype == np.float32, state


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_mismatched_keys_are_named(name):
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    grads = {"a": np.zeros(2), "c": np.zeros(2)}
    with pytest.raises(
        ValueError, match=r"expected the same keys, got \['a', 'b'\] and \['a', 'c'\]"
    ):
        OPTIMIZERS[name]().step(params, grads)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_mismatched_shapes_are_named(name):
    params = {"w": np.zeros((3, 2))}
    grads = {"w": np.zeros((2, 3))}
    with pytest.raises(ValueError, match=r"grads\['w'\]: expected shape \(3, 2\), got \(2, 3\)"):
        OPTIMIZERS[name]().step(params, grads)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_rejected_step_changes_nothing(name):
    params = {"a": np.zeros(2), "b": np.zeros(3)}
    grads = {"a": np.ones(2), "b": np.ones(4)}
    opt = OPTIMIZERS[name]()
    with pytest.raises(ValueError):
        opt.step(params, grads)
    assert opt.t == 0
    np.testing.assert_array_equal(params["a"], 0.0)


@pytest.mark.parametrize(
    ("cls", "kwargs", "name"),
    [
        (SGD, {"lr": -0.1}, "lr"),
        (SGD, {"lr": "0.1"}, "lr"),
        (SGD, {"momentum": 1.0}, "momentum"),
        (SGD, {"momentum": -0.5}, "momentum"),
        (Momentum, {"momentum": 1.5}, "momentum"),
        (Momentum, {"lr": -1.0}, "lr"),
        (Adam, {"lr": -0.001}, "lr"),
        (Adam, {"beta1": 1.0}, "beta1"),
        (Adam, {"beta2": 1.0}, "beta2"),
        (Adam, {"beta2": 1.5}, "beta2"),
        (Adam, {"eps": -1e-8}, "eps"),
    ],
)
def test_bad_hyperparameters_raise(cls, kwargs, name):
    """lr, eps ≥ 0; momentum, β₁, β₂ in [0, 1) (at 1 the average never forgets)."""
    bound = ">= 0" if name in ("lr", "eps") else r"in \[0, 1"
    with pytest.raises(ValueError, match=rf"{name}: expected a number {bound}"):
        cls(**kwargs)


# ½‖Aθ − b‖², gradient Aᵀ(Aθ − b); AᵀA has eigenvalues ≈ 1.5, 2.7, 14.2.
A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0], [1.0, 0.0, 1.0]])
B = np.array([1.0, -2.0, 0.5, 3.0])
L_MAX = float(np.linalg.eigvalsh(A.T @ A)[-1])


@pytest.mark.parametrize(
    ("make", "steps"),
    [
        (lambda: SGD(lr=1.0 / L_MAX), 200),
        (lambda: SGD(lr=0.5 / L_MAX, momentum=0.9), 400),
        (lambda: Momentum(lr=0.5 / L_MAX), 400),
        (lambda: Adam(lr=0.05), 1500),
    ],
)
def test_minimises_a_quadratic(make, steps):
    solution = np.linalg.lstsq(A, B, rcond=None)[0]
    theta = np.zeros(3)
    opt = make()
    for _ in range(steps):
        opt.step({"theta": theta}, {"theta": A.T @ (A @ theta - B)})
    assert np.max(np.abs(theta - solution)) < 1e-6, f"θ = {theta}, solution {solution}"
    loss = 0.5 * np.sum((A @ theta - B) ** 2)
    assert math.isclose(loss, 0.5 * np.sum((A @ solution - B) ** 2), rel_tol=1e-9)
