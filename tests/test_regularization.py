"""L2 weight decay: the penalty (λ/2)Σ‖W‖²_F, its gradient λW, and the model hook."""

import numpy as np
import pytest

from mlpbook.gradcheck import numerical_gradient
from mlpbook.model import mlp
from mlpbook.optim import SGD
from mlpbook.regularization import add_weight_decay, l2_penalty

WEIGHTS = ("0.w", "2.w")
BIASES = ("0.b", "2.b")


def make_model(rng):
    """mlp([3, 4, 2]) with non-zero biases (so that decaying them would show) and grads."""
    model = mlp([3, 4, 2], rng=0)
    for name in BIASES:
        model.params[name][:] = rng.standard_normal(model.params[name].shape)
    for g in model.grads.values():
        g[:] = rng.standard_normal(g.shape)
    return model


def test_l2_penalty_hand_example():
    """W = [[1, 2], [3, 4]], λ = 0.1: (0.1/2)·(1 + 4 + 9 + 16) = 1.5, gradient 0.1·W."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    value, grads = l2_penalty({"w": w}, 0.1)
    assert value == pytest.approx(1.5, rel=1e-12)
    assert grads.keys() == {"w"}
    np.testing.assert_allclose(grads["w"], 0.1 * w, rtol=1e-12)


def test_l2_penalty_sums_over_every_array(rng):
    params = {"a": rng.standard_normal((3, 2)), "b": rng.standard_normal((4, 5, 2))}
    value, grads = l2_penalty(params, 0.3)
    expected = 0.15 * (np.sum(params["a"] ** 2) + np.sum(params["b"] ** 2))
    assert value == pytest.approx(expected, rel=1e-12)
    for k, w in params.items():
        np.testing.assert_allclose(grads[k], 0.3 * w, rtol=1e-12)


def test_l2_penalty_leaves_params_unchanged(rng):
    w = rng.standard_normal((3, 3))
    before = w.copy()
    l2_penalty({"w": w}, 0.5)
    np.testing.assert_array_equal(w, before)


def test_l2_penalty_of_no_params_is_zero():
    value, grads = l2_penalty({}, 0.1)
    assert value == 0.0
    assert grads == {}


@pytest.mark.parametrize("lam", [-0.1, float("nan"), "0.1", None, True, [0.1]])
def test_l2_penalty_rejects_bad_lambda(lam):
    with pytest.raises(ValueError, match="lam: expected a number >= 0"):
        l2_penalty({"w": np.ones((2, 2))}, lam)


@pytest.mark.parametrize("lam", [-1.0, "1"])
def test_add_weight_decay_rejects_bad_lambda(lam, rng):
    with pytest.raises(ValueError, match="lam: expected a number >= 0"):
        add_weight_decay(make_model(rng), lam)


def test_l2_penalty_gradient_matches_finite_differences(rng):
    w = rng.standard_normal((4, 3))
    lam = 0.7
    numeric = numerical_gradient(lambda: l2_penalty({"w": w}, lam)[0], w)
    _, grads = l2_penalty({"w": w}, lam)
    np.testing.assert_allclose(grads["w"], numeric, rtol=1e-7, atol=1e-9)


def test_decay_params_are_the_weights_by_default(rng):
    model = make_model(rng)
    assert set(model.decay_params()) == set(WEIGHTS)
    assert set(model.decay_params(include_biases=True)) == set(WEIGHTS + BIASES)
    for name, w in model.decay_params().items():
        assert w is model.params[name]


def test_add_weight_decay_after_zero_grad_gives_lambda_w_on_weights_only(rng):
    model = make_model(rng)
    model.zero_grad()
    lam = 0.1
    value = add_weight_decay(model, lam)
    params, grads = model.params, model.grads
    for name in WEIGHTS:
        np.testing.assert_allclose(grads[name], lam * params[name], rtol=1e-12)
    for name in BIASES:
        np.testing.assert_array_equal(grads[name], 0.0)
    expected = 0.5 * lam * sum(np.sum(params[n] ** 2) for n in WEIGHTS)
    assert value == pytest.approx(expected, rel=1e-12)


def test_add_weight_decay_adds_to_existing_gradients(rng):
    """Called after backward: λW is added to the data gradient, not written over it."""
    model = make_model(rng)
    before = {k: g.copy() for k, g in model.grads.items()}
    add_weight_decay(model, 0.2)
    for name in WEIGHTS:
        np.testing.assert_allclose(
            model.grads[name], before[name] + 0.2 * model.params[name], rtol=1e-12
        )
    for name in BIASES:
        np.testing.assert_array_equal(model.grads[name], before[name])


def test_add_weight_decay_fills_the_layers_own_arrays(rng):
    """The model's layers see the added gradient (it is written in place)."""
    model = make_model(rng)
    model.zero_grad()
    add_weight_decay(model, 0.5)
    np.testing.assert_allclose(model[0].grads["w"], 0.5 * model[0].params["w"], rtol=1e-12)
    np.testing.assert_allclose(model[2].grads["w"], 0.5 * model[2].params["w"], rtol=1e-12)


def test_add_weight_decay_include_biases(rng):
    model = make_model(rng)
    model.zero_grad()
    lam = 0.3
    value = add_weight_decay(model, lam, include_biases=True)
    params, grads = model.params, model.grads
    for name in WEIGHTS + BIASES:
        np.testing.assert_allclose(grads[name], lam * params[name], rtol=1e-12)
    expected = 0.5 * lam * sum(np.sum(p**2) for p in params.values())
    assert value == pytest.approx(expected, rel=1e-12)


def test_add_weight_decay_returns_the_same_penalty_as_l2_penalty(rng):
    model = make_model(rng)
    expected, _ = l2_penalty(model.decay_params(), 0.05)
    assert add_weight_decay(model, 0.05) == pytest.approx(expected, rel=1e-12)


def test_zero_lambda_is_a_no_op(rng):
    model = make_model(rng)
    before = {k: g.copy() for k, g in model.grads.items()}
    assert add_weight_decay(model, 0.0) == 0.0
    assert add_weight_decay(model, 0, include_biases=True) == 0.0
    for k, g in model.grads.items():
        np.testing.assert_array_equal(g, before[k])


def test_sgd_step_with_decay_alone_shrinks_weights_by_one_minus_alpha_lambda(rng):
    """The name "weight decay": with no data gradient, one SGD step gives W ← (1 − αλ)W."""
    model = make_model(rng)
    before = {k: p.copy() for k, p in model.params.items()}
    model.zero_grad()
    add_weight_decay(model, 0.1)
    SGD(lr=0.5).step(model.params, model.grads)
    for name in WEIGHTS:
        np.testing.assert_allclose(model.params[name], 0.95 * before[name], rtol=1e-12)
    for name in BIASES:
        np.testing.assert_array_equal(model.params[name], before[name])
