"""Tests for the diagnostics of mlpbook.training (pre-activations, dead units, per-layer
gradient norms) and for widgets.saturation_explorer, which chapter 2 uses.

(In a file of their own because tests/test_training.py and tests/test_widgets.py belong to
other work in progress; they can move there.)
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpbook import Dense, Sequential, mlp
from mlpbook.layers import Activation
from mlpbook.losses import softmax_cross_entropy
from mlpbook.training import dead_units, pre_activations, weight_gradient_norms
from mlpbook.widgets import saturation_explorer


def _net(name="relu", **params):
    """2 → 3 → 1 with hand-set weights: unit 0 gets x0, unit 1 gets -x0 - 5, unit 2 gets 0."""
    first = Dense(2, 3, rng=0)
    first.params["w"][:] = [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]
    first.params["b"][:] = [0.0, -5.0, 0.0]
    return Sequential([first, Activation(name, **params), Dense(3, 1, rng=0)])


X = np.array([[1.0, 0.0], [-2.0, 3.0], [0.5, -1.0]])


def test_pre_activations_are_the_inputs_of_the_activation_layers():
    net = _net()
    ((layer, z),) = pre_activations(net, X)
    assert layer is net[1]
    np.testing.assert_array_equal(z, X @ net[0].params["w"] + net[0].params["b"])
    assert net.training  # left in training mode


def test_dead_units_need_a_zero_derivative_on_every_example():
    # unit 0 is positive on one example (alive); unit 1 is negative everywhere; unit 2 is
    # exactly 0 everywhere: dead too, since ReLU'(0) = 0 in the library
    (mask,) = dead_units(_net(), X)
    np.testing.assert_array_equal(mask, [False, True, True])
    # leaky ReLU: f' >= r > 0, never dead; r = 0 is a ReLU again
    (leaky,) = dead_units(_net("leaky_relu", r=0.01), X)
    assert not leaky.any()
    (zero_slope,) = dead_units(_net("leaky_relu", r=0.0), X)
    np.testing.assert_array_equal(zero_slope, [False, True, True])


def test_dead_units_get_exactly_zero_gradient():
    rng = np.random.default_rng(0)
    net = mlp([5, 8, 8, 3], "relu", rng=1)
    net[0].params["b"][:3] = -100.0  # three units dead on any input in this range
    x, y = rng.uniform(-1, 1, size=(20, 5)), rng.integers(0, 3, 20)
    first, second = dead_units(net, x)
    np.testing.assert_array_equal(np.flatnonzero(first), [0, 1, 2])
    _, dscores = softmax_cross_entropy(net.forward(x), y)
    net.backward(dscores)
    assert (net[0].grads["w"][:, first] == 0).all() and (net[0].grads["b"][first] == 0).all()
    assert second.shape == (8,)


def test_dead_units_of_a_prelu_layer_and_a_layer_without_activation():
    net = mlp([2, 4, 2], "prelu", rng=0)
    assert [m.shape for m in dead_units(net, X)] == [(4,)]
    assert dead_units(Sequential([Dense(2, 2, rng=0)]), X) == []


def test_weight_gradient_norms_one_per_layer_input_side_first():
    net = mlp([64, 32, 32, 32, 10], "sigmoid", rng=0)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, size=(50, 64)), rng.integers(0, 10, 50)
    before = {k: v.copy() for k, v in net.params.items()}
    norms = weight_gradient_norms(net, x, y, "softmax_cross_entropy")
    assert norms.shape == (4,)
    _, dscores = softmax_cross_entropy(net.forward(x), y)
    net.backward(dscores)
    expected = [np.linalg.norm(net.grads[f"{i}.w"]) for i in (0, 2, 4, 6)]
    np.testing.assert_allclose(norms, expected)
    assert all((net.params[k] == v).all() for k, v in before.items())
    assert norms[0] < norms[-1]  # sigmoid: the gradient shrinks on its way back


def test_saturation_explorer_counts_saturated_units():
    view = saturation_explorer()
    assert set(view.controls) == {"activation", "mean", "spread"}
    title = view.figure.axes[2].get_title()
    assert title.startswith("sigmoid'(z)") and title.endswith("below 0.01")
    # z ~ N(0, 1): no sigmoid unit is saturated; N(6, 0.25²) puts all of them in the tail
    assert "0%" in title
    fig = view.update(mean=6.0, spread=0.25)
    assert "100% below 0.01" in fig.axes[2].get_title()
    fig = view.update(activation="relu", mean=0.0, spread=1.0)
    share = float(fig.axes[2].get_title().split(": ")[1].split("%")[0])
    assert 48 <= share <= 52  # half the draws are <= 0
    with pytest.raises(ValueError, match="unknown activation"):
        saturation_explorer("swish")
