"""The Sequential container and the mlp builder."""

import numpy as np
import pytest

from mlpbook.layers import Activation, Dense, Dropout, Maxout, PReLU, Softmax
from mlpbook.model import Sequential, mlp


def kinds(model):
    return [type(layer).__name__ for layer in model]


def test_mlp_structure_from_sizes():
    model = mlp([4, 8, 6, 3], "tanh", rng=0)
    assert kinds(model) == ["Dense", "Activation", "Dense", "Activation", "Dense"]
    assert [(l.in_features, l.out_features) for l in model if isinstance(l, Dense)] == [
        (4, 8),
        (8, 6),
        (6, 3),
    ]
    assert model.num_params == 4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3
    assert list(model.params) == ["0.w", "0.b", "2.w", "2.b", "4.w", "4.b"]


def test_mlp_options_build_the_right_layers():
    assert kinds(mlp([2, 3, 2], "relu", rng=0, dropout=0.5)) == [
        "Dense",
        "Activation",
        "Dropout",
        "Dense",
    ]
    assert kinds(mlp([2, 3, 2], "prelu", rng=0)) == ["Dense", "PReLU", "Dense"]
    assert kinds(mlp([2, 3, 3, 2], "maxout", rng=0, pieces=3)) == ["Maxout", "Maxout", "Dense"]
    assert kinds(mlp([2, 3, 2], rng=0, output_activation="softmax"))[-1] == "Softmax"
    assert kinds(mlp([2, 3, 1], rng=0, output_activation="sigmoid"))[-1] == "Activation"
    assert kinds(mlp([5, 2], rng=0)) == ["Dense"]  # no hidden layer: logistic regression
    leaky = mlp([2, 3, 2], "leaky_relu", rng=0, r=0.3)[1]
    assert leaky.activation.fn(np.array([-1.0]))[0] == pytest.approx(-0.3)


def test_mlp_default_initializer_depends_on_the_activation():
    d, h = 400, 300
    relu_w = mlp([d, h, 2], "relu", rng=0)[0].params["w"]
    tanh_w = mlp([d, h, 2], "tanh", rng=0)[0].params["w"]
    assert relu_w.var() == pytest.approx(2 / d, rel=0.03)  # He
    assert tanh_w.var() == pytest.approx(2 / (d + h), rel=0.03)  # Xavier


def test_mlp_is_reproducible_and_seed_dependent():
    a, b, c = (mlp([3, 4, 2], rng=s, dropout=0.5) for s in (1, 1, 2))
    x = np.ones((6, 3))
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert not np.array_equal(a.params["0.w"], c.params["0.w"])


def test_dropout_layers_get_independent_streams():
    model = mlp([50, 50, 50, 2], rng=0, dropout=0.5)
    drops = [l for l in model if isinstance(l, Dropout)]
    x = np.ones((20, 50))
    assert not np.array_equal(drops[0].forward(x) == 0, drops[1].forward(x) == 0)


def test_params_and_grads_are_the_layers_own_arrays():
    model = mlp([3, 4, 2], rng=0)
    model.params["0.w"][0, 0] = 42.0
    assert model[0].params["w"][0, 0] == 42.0
    assert model.grads["2.b"] is model[2].grads["b"]


def test_decay_params_are_the_weights_by_default():
    model = mlp([3, 4, 2], "prelu", rng=0)
    assert set(model.decay_params()) == {"0.w", "2.w"}
    assert set(model.decay_params(include_biases=True)) == {"0.w", "0.b", "2.w", "2.b"}


def test_backward_without_input_grad_gives_the_same_parameter_gradients(rng):
    model = mlp([3, 5, 2], rng=0)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    model.forward(x)
    dx = model.backward(dout)
    full = {k: v.copy() for k, v in model.grads.items()}
    model.forward(x)
    assert model.backward(dout, input_grad=False) is None
    for k, v in model.grads.items():
        np.testing.assert_array_equal(v, full[k])
    assert dx.shape == x.shape


def test_train_eval_modes_propagate_and_predict_restores_them(rng):
    model = mlp([3, 20, 2], rng=0, dropout=0.5)
    x = rng.standard_normal((8, 3))
    model.train()
    first = model.predict(x)
    np.testing.assert_array_equal(first, model.predict(x))  # eval mode: deterministic
    assert model.training and all(l.training for l in model)
    model.eval()
    assert not any(l.training for l in model)
    model.predict(x)
    assert not model.training


def test_float32_model_stays_float32(rng):
    model = mlp([3, 4, 2], rng=0, dtype=np.float32)
    out = model.forward(rng.standard_normal((5, 3)))
    assert out.dtype == np.float32
    model.backward(np.ones_like(out))
    assert all(g.dtype == np.float32 for g in model.grads.values())


def test_sequential_of_hand_built_layers(rng):
    model = Sequential(
        [Dense(2, 3, rng=rng), Activation("sigmoid"), Dense(3, 2, rng=rng), Softmax()]
    )
    out = model.forward(rng.standard_normal((4, 2)))
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert "Dense(2, 3" in repr(model) and "parameters" in repr(model)
    assert len(model) == 4 and isinstance(model[3], Softmax)
    assert isinstance(mlp([2, 2, 2], "maxout", rng=0)[0], Maxout)
    assert isinstance(mlp([2, 2, 2], "prelu", rng=0)[1], PReLU)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="sizes: expected at least"):
        mlp([3], rng=0)
    with pytest.raises(ValueError, match="sizes"):
        mlp([3, 0, 2], rng=0)
    with pytest.raises(ValueError, match="relu"):
        mlp([3, 4, 2], "rectifier", rng=0)
    with pytest.raises(ValueError, match=r"dropout: expected a number in \[0, 1\)"):
        mlp([3, 4, 2], rng=0, dropout=1.0)
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        mlp([3, 4, 2], rng=None)
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential([])
    with pytest.raises(TypeError, match=r"layers\[1\]: expected a Layer"):
        Sequential([Dense(2, 2, rng=0), np.tanh])
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 3\)"):
        mlp([3, 4, 2], rng=0).forward(np.zeros((2, 4)))
