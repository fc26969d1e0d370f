"""Layers: the interface, shapes and dtypes, errors, and dropout's statistics.

Gradients of every layer are checked against finite differences in test_gradcheck.py.
"""

import math

import numpy as np
import pytest

from mlpbook.layers import Activation, Dense, Dropout, Maxout, PReLU, Softmax


def test_dense_forward_is_affine(rng):
    layer = Dense(3, 2, rng=rng)
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(layer.forward(x), x @ layer.params["w"] + layer.params["b"])
    assert layer.params["w"].shape == (3, 2) and layer.params["b"].shape == (2,)


def test_dense_gradients_by_formula(rng):
    layer = Dense(3, 2, rng=rng)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(layer.grads["w"], x.T @ dout)
    np.testing.assert_allclose(layer.grads["b"], dout.sum(axis=0))
    np.testing.assert_allclose(dx, dout @ layer.params["w"].T)


def test_backward_overwrites_gradients_instead_of_accumulating(rng):
    layer = Dense(3, 2, rng=rng)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    layer.forward(x)
    layer.backward(dout)
    first = layer.grads["w"].copy()
    layer.backward(dout)
    np.testing.assert_array_equal(layer.grads["w"], first)
    layer.zero_grad()
    assert not layer.grads["w"].any()


def test_param_backward_fills_the_same_gradients_without_dx(rng):
    a, b = Dense(3, 2, rng=0), Dense(3, 2, rng=0)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    a.forward(x)
    b.forward(x)
    a.backward(dout)
    assert b.param_backward(dout) is None
    for k in a.grads:
        np.testing.assert_array_equal(a.grads[k], b.grads[k])


def test_dense_bias_init_and_named_initializer(rng):
    layer = Dense(4, 3, rng=rng, init="zeros", bias_init=0.01)
    assert not layer.params["w"].any()
    np.testing.assert_array_equal(layer.params["b"], np.full(3, 0.01))


def test_dense_from_weights_computes_x_w_plus_b_with_copies(rng):
    w, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    layer = Dense.from_weights(w, b)
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(layer.forward(x), x @ w + b)
    assert (layer.in_features, layer.out_features) == (3, 2)
    layer.params["w"] += 1.0  # training the layer leaves the caller's arrays alone
    layer.params["b"] += 1.0
    assert not np.shares_memory(layer.params["w"], w)
    np.testing.assert_array_equal(layer.forward(x), x @ (w + 1.0) + (b + 1.0))
    assert layer.grads["w"].shape == (3, 2) and layer.grads["b"].shape == (2,)


def test_dense_from_weights_bias_default_scalar_and_dtype():
    assert not Dense.from_weights([[1, 2]]).params["b"].any()  # default: zero biases
    single = Dense.from_weights([[1.0], [1.0]], -1.5)  # H = 1: a scalar bias is fine
    np.testing.assert_array_equal(single.params["b"], [-1.5])
    np.testing.assert_array_equal(single.forward([[1, 1], [0, 0]]), [[0.5], [-1.5]])
    assert Dense.from_weights([[1, 2]]).dtype == np.float64  # ints become float64
    assert Dense.from_weights(np.ones((2, 2), np.float32)).dtype == np.float32
    assert Dense.from_weights(np.ones((2, 2)), dtype=np.float32).params["b"].dtype == np.float32


def test_dense_from_weights_rejects_bad_shapes_and_values():
    with pytest.raises(ValueError, match=r"w: expected a 2-D array"):
        Dense.from_weights([1.0, 2.0])
    with pytest.raises(ValueError, match=r"b: expected shape \(2,\), got \(3,\)"):
        Dense.from_weights(np.ones((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"b: expected a 1-D array"):
        Dense.from_weights(np.ones((3, 2)), 0.5)  # a scalar bias only when H = 1
    with pytest.raises(ValueError, match=r"w: expected finite"):
        Dense.from_weights([[np.nan]])
    with pytest.raises(ValueError, match=r"b: expected finite"):
        Dense.from_weights([[1.0]], [np.inf])
    with pytest.raises(TypeError, match="w: expected a real numeric"):
        Dense.from_weights([["a"]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept_through_forward_and_backward(dtype, rng):
    layer = Dense(3, 2, rng=rng, dtype=dtype)
    out = layer.forward(rng.standard_normal((4, 3)).astype(dtype))
    dx = layer.backward(np.ones_like(out))
    assert out.dtype == dtype and dx.dtype == dtype and layer.grads["w"].dtype == dtype


def test_float32_layer_casts_float64_input(rng):
    layer = Dense(3, 2, rng=rng, dtype=np.float32)
    assert layer.forward(rng.standard_normal((4, 3))).dtype == np.float32


def test_shape_errors_name_expected_and_received(rng):
    layer = Dense(3, 2, rng=rng)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 3\) with N=.*|x: expected"):
        layer.forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"expected a 2-D array of shape \(N, 3\), got a 1-D"):
        layer.forward(np.zeros(3))
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout: expected shape \(4, 2\), got \(4, 3\)"):
        layer.backward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"in_features: expected an integer >= 1, got 0"):
        Dense(0, 2)
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        Dense(3, 2, rng="seed")
    with pytest.raises(TypeError, match="real numeric"):
        layer.forward(np.array([["a", "b", "c"]]))


def test_backward_before_forward_is_a_clear_error(rng):
    for layer in (
        Dense(2, 2, rng=rng),
        Activation("relu"),
        PReLU(2),
        Softmax(),
        Maxout(2, 2, rng=rng),
        Dropout(0.5, rng=rng),
    ):
        with pytest.raises(RuntimeError, match="backward called before forward"):
            layer.backward(np.zeros((1, 2)))


def test_activation_layer_uses_the_registry(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(Activation("relu").forward(x), np.maximum(x, 0))
    leaky = Activation("leaky_relu", r=0.2)
    np.testing.assert_allclose(leaky.forward(x), np.where(x > 0, x, 0.2 * x))
    assert "r=0.2" in repr(leaky)
    with pytest.raises(ValueError, match="sigmoid"):
        Activation("sigmoidd")


def test_prelu_learns_one_slope_per_unit(rng):
    layer = PReLU(3, init=0.1)
    x = np.array([[-1.0, 2.0, -3.0], [-2.0, -1.0, 1.0]])
    np.testing.assert_allclose(layer.forward(x), [[-0.1, 2.0, -0.3], [-0.2, -0.1, 1.0]])
    layer.backward(np.ones_like(x))
    np.testing.assert_allclose(layer.grads["r"], [-3.0, -1.0, -3.0])  # Σₙ min(0, x)
    assert layer.decay == ()  # He et al. do not decay the slopes


def test_maxout_takes_the_max_of_its_pieces(rng):
    layer = Maxout(3, 2, 4, rng=rng)
    x = rng.standard_normal((5, 3))
    w, b = layer.params["w"], layer.params["b"]
    z = np.einsum("nd,dhk->nhk", x, w) + b
    np.testing.assert_allclose(layer.forward(x), z.max(axis=-1))
    assert w.shape == (3, 2, 4) and b.shape == (2, 4)


def test_softmax_layer_rows_are_distributions(rng):
    out = Softmax().forward(rng.standard_normal((4, 6)) * 10)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert (out >= 0).all()


# --- dropout: p is the probability of DROPPING -----------------------------------------


def _binomial_bound(p, n, sigmas=6):
    return sigmas * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zero_fraction_is_p(p):
    n = 400_000
    out = Dropout(p, rng=7).forward(np.ones((400, 1000)))
    assert abs(np.mean(out == 0) - p) < _binomial_bound(p, n)


def test_dropout_tells_p_from_one_minus_p():
    # a layer that kept with probability p would zero 80% here, not 20%
    out = Dropout(0.2, rng=3).forward(np.ones((200, 500)))
    assert abs(np.mean(out == 0) - 0.2) < 0.01


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_preserves_the_mean_in_training(p):
    n = 400_000
    out = Dropout(p, rng=11).forward(np.full((400, 1000), 2.0))
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 2.0 / (1 - p))
    # mean of n draws of 2·Bernoulli(1−p)/(1−p): standard error 2·√(p/((1−p)n))
    assert abs(out.mean() - 2.0) < 6 * 2.0 * math.sqrt(p / ((1 - p) * n))


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero(rng):
    x = rng.standard_normal((50, 20))
    layer = Dropout(0.5, rng=rng).eval()
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)
    np.testing.assert_array_equal(Dropout(0.0, rng=rng).forward(x), x)


def test_dropout_backward_uses_the_forward_mask(rng):
    layer = Dropout(0.5, rng=rng)
    x = rng.standard_normal((30, 40)) + 5.0  # no zeros in x itself
    out = layer.forward(x)
    dx = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(dx == 0, out == 0)
    np.testing.assert_allclose(dx[dx != 0], 2.0)
    # a second forward draws a new mask
    assert (layer.forward(x) == 0).sum() != 0
    assert not np.array_equal(layer.forward(x) == 0, out == 0)


def test_dropout_is_seeded_and_keeps_float32(rng):
    x = np.ones((10, 10), dtype=np.float32)
    a, b = Dropout(0.3, rng=5).forward(x), Dropout(0.3, rng=5).forward(x)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, "0.5", True])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match=r"p: expected a number in \[0, 1\)"):
        Dropout(p)
