"""Signal propagation: the measured spreads, their prediction, and the depth explorer."""

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from mlpbook import initializers as init
from mlpbook import propagation as prop


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Small matrices: one BLAS thread is faster, and many times faster on a busy machine."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def wide_stacks():
    """Width 256, 10 layers: inputs and, per scheme, weights with unit gain (drawn once)."""
    n, depth = 256, 10
    with threadpool_limits(1):
        stacks = {s: prop.random_weights(s, n, depth, 1, "linear") for s in ("xavier", "he")}
        stacks["orthogonal"] = [init.orthogonal((n, n), 1 + i) for i in range(depth)]
    return np.random.default_rng(2).standard_normal((256, n)), stacks


def test_propagate_matches_a_hand_written_forward_and_backward_pass():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4))
    ws = [rng.standard_normal((4, 5)), rng.standard_normal((5, 3))]
    dout = rng.standard_normal((6, 3))
    spread = prop.propagate(x, ws, "tanh", dout)
    z1 = x @ ws[0]
    z2 = np.tanh(z1) @ ws[1]
    g1 = (dout * (1 - np.tanh(z2) ** 2)) @ ws[1].T  # reaches the input of layer 2
    g0 = (g1 * (1 - np.tanh(z1) ** 2)) @ ws[0].T  # reaches the input of layer 1
    np.testing.assert_allclose(spread.z, [z1.std(), z2.std()])
    np.testing.assert_allclose(spread.a, [np.tanh(z1).std(), np.tanh(z2).std()])
    np.testing.assert_allclose(spread.grad, [g0.std(), g1.std()])
    np.testing.assert_allclose(spread.out, np.tanh(z2))


@pytest.mark.parametrize("activation, factor", [("linear", 1.0), ("relu", 0.5)])
def test_prediction_is_the_geometric_product_for_linear_and_relu(activation, factor):
    """q_l = n Var[w] · c^(l-1) · E[x²] with c = 1 (linear) or ½ (ReLU)."""
    spread = prop.predicted_spread(activation, 3.0 / 64, 64, 10, input_var=2.0)
    q = 2.0 * 3.0 * (3.0 * factor) ** np.arange(10)
    np.testing.assert_allclose(spread.z**2, q, rtol=1e-6)
    grad_factor = 3.0 * (1.0 if activation == "linear" else 0.5)
    np.testing.assert_allclose(spread.grad**2, grad_factor ** np.arange(10, 0, -1), rtol=1e-6)


def test_he_relu_prediction_is_flat_and_relu_activation_std_is_known():
    spread = prop.predicted_spread("relu", 2.0 / 100, 100, 5)
    np.testing.assert_allclose(spread.z, math.sqrt(2.0), rtol=1e-6)
    # a = ReLU(z), z ~ N(0, 2): E[a²] = 1, E[a] = √2 φ(0) = 1/√π
    np.testing.assert_allclose(spread.a, math.sqrt(1 - 1 / math.pi), rtol=1e-6)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("scheme", ["xavier", "he", "orthogonal"])
def test_measured_spread_follows_the_prediction_on_a_wide_stack(scheme, activation, wide_stacks):
    """Width 256, 10 layers: within 15 % per layer for activations, 30 % for gradients.

    The gradients fluctuate more from one draw to the next (±15 % between seeds for ReLU
    and He at this width: the masks depend on the weights the gradient goes back through).
    """
    n, depth = 256, 10
    x, stacks = wide_stacks
    gain = init.gain(activation) if scheme == "orthogonal" else 1.0
    ws = [gain * w for w in stacks[scheme]]
    measured = prop.propagate(x, ws, activation)
    var_w = prop.weight_std(scheme, n, n, activation) ** 2
    predicted = prop.predicted_spread(activation, var_w, n, depth)
    np.testing.assert_allclose(measured.a, predicted.a, rtol=0.15)
    np.testing.assert_allclose(measured.grad, predicted.grad, rtol=0.3)


def test_random_weights_scales_and_orthogonal_gain():
    ws = prop.random_weights("he", 200, 3, 0)
    assert len(ws) == 3 and ws[0].shape == (200, 200)
    assert abs(np.var(ws) * 200 / 2 - 1) < 0.02
    (q,) = prop.random_weights("orthogonal", 50, 1, 0, "relu")
    np.testing.assert_allclose(q.T @ q, 2 * np.eye(50), atol=1e-12)
    (s,) = prop.random_weights("small", 50, 1, 0)
    assert abs(s.std() - 0.01) < 0.001


def test_bad_input_raises_clear_errors():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="scheme: expected one of small"):
        prop.random_weights("glorot", 4, 2, 0)
    with pytest.raises(ValueError, match=r"weights\[1\]: expected shape \(4, H\)"):
        prop.propagate(x, [np.ones((3, 4)), np.ones((3, 4))])
    with pytest.raises(ValueError, match="weights: expected at least one matrix"):
        prop.propagate(x, [])
    with pytest.raises(ValueError, match=r"dout: expected shape \(2, 4\)"):
        prop.propagate(x, [np.ones((3, 4))], dout=np.ones((2, 3)))
    with pytest.raises(ValueError, match="expected variances >= 0"):
        prop.predicted_spread("relu", -1.0, 4, 2)
    with pytest.raises(ValueError, match="activation: expected one of linear"):
        prop.depth_explorer("xavier", "elu")
    with pytest.raises(ValueError, match="'lecun' is 'xavier'"):
        prop.depth_explorer("lecun", "relu")


def test_plots_draw_and_reject_empty_input():
    import matplotlib

    matplotlib.use("Agg")
    ax = prop.plot_spread({"a": [1.0, 0.1, 0.01]}, {"a": [1.0, 0.1, 0.01]})
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    ax = prop.plot_singular_values({"gauss": [1e-3, 1.0, 2.0], "orth": [1.0, 1.0, 1.0]})
    assert len(ax.patches) > 0
    with pytest.raises(ValueError, match="at least one series"):
        prop.plot_spread({})
    with pytest.raises(ValueError, match="singular values > 0"):
        prop.plot_singular_values({"s": [0.0, 1.0]})


def test_depth_explorer_redraws_for_every_scheme_and_reuses_its_draws():
    view = prop.depth_explorer("he", "relu", batch=16)
    assert set(view.controls) == {"scheme", "activation", "depth", "width"}
    for scheme in set(prop.SCHEMES) - {"lecun"}:
        fig = view.update(scheme=scheme, activation="tanh", depth=5, width=32)
        assert len(fig.axes) == 2
    assert "layer 5" in view.figure.axes[1].get_title()
    assert view.web_values["activation"] == ("tanh", "relu")
