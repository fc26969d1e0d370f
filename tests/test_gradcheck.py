"""Every layer, activation, loss and model against centred differences (float64).

Adding a layer or a loss to the library adds one line to a table below.
"""

import numpy as np
import pytest

from mlpbook import activations as act
from mlpbook.gradcheck import (
    KinkWarning,
    check_layer,
    check_loss,
    check_model,
    norm_relative_error,
    numerical_gradient,
    relative_error,
)
from mlpbook.layers import Activation, Dense, Dropout, Maxout, PReLU, Softmax
from mlpbook.model import mlp

TOL = 1e-7


def away_from(x, kinks, margin=0.05):
    """Move entries of x that lie within ``margin`` of a kink by 2·margin."""
    for k in kinks:
        x = np.where(np.abs(x - k) < margin, x + 2 * margin, x)
    return x


def act_input(name, rng, scale=3.0):
    kinks = act.get_activation(name).kinks
    return away_from(rng.uniform(-scale, scale, size=(6, 5)), kinks)


LAYER_CASES = {
    "dense": lambda rng: (Dense(4, 3, rng=rng), rng.standard_normal((5, 4))),
    "dense-one-example": lambda rng: (Dense(3, 2, rng=rng), rng.standard_normal((1, 3))),
    **{
        f"activation-{name}": (lambda rng, name=name: (Activation(name), act_input(name, rng)))
        for name in act.ACTIVATIONS
    },
    "activation-leaky_relu-r0.2": lambda rng: (
        Activation("leaky_relu", r=0.2),
        act_input("leaky_relu", rng),
    ),
    "activation-elu-alpha0.5": lambda rng: (Activation("elu", alpha=0.5), act_input("elu", rng)),
    "prelu": lambda rng: (_prelu(rng), away_from(rng.standard_normal((6, 4)), [0.0])),
    "maxout": lambda rng: (Maxout(4, 3, 3, rng=rng), rng.standard_normal((5, 4))),
    "softmax": lambda rng: (Softmax(), rng.standard_normal((4, 5))),
    "dropout": lambda rng: (Dropout(0.4, rng=rng), rng.standard_normal((6, 5))),
    "sequential-relu": lambda rng: (mlp([4, 6, 3], "relu", rng=rng), rng.standard_normal((5, 4))),
    "sequential-tanh-dropout": lambda rng: (
        mlp([3, 5, 5, 2], "tanh", rng=rng, dropout=0.3),
        rng.standard_normal((4, 3)),
    ),
}


def _prelu(rng):
    layer = PReLU(4)
    layer.params["r"][:] = rng.uniform(0.05, 0.5, size=4)
    return layer


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_layer_gradients(case, rng):
    layer, x = LAYER_CASES[case](rng)
    report = check_layer(layer, x, rng=rng)
    assert report.ok, f"{case}\n{report}"
    assert {"x", *layer.params} == {row.name for row in report.rows}


LOSS_CASES = {
    "mse-2d": lambda rng: ("mse", rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
    "mse-1d": lambda rng: ("mse", rng.standard_normal(6), rng.standard_normal(6)),
    "binary_cross_entropy": lambda rng: (
        "binary_cross_entropy",
        rng.uniform(0.05, 0.95, size=(6, 1)),
        rng.integers(0, 2, size=(6, 1)),
    ),
    "binary_cross_entropy-soft-targets": lambda rng: (
        "binary_cross_entropy",
        rng.uniform(0.05, 0.95, size=7),
        rng.uniform(0, 1, size=7),
    ),
    "sigmoid_cross_entropy": lambda rng: (
        "sigmoid_cross_entropy",
        rng.standard_normal((6, 1)) * 3,
        rng.integers(0, 2, size=(6, 1)),
    ),
    "softmax_cross_entropy-labels": lambda rng: (
        "softmax_cross_entropy",
        rng.standard_normal((5, 4)) * 2,
        rng.integers(0, 4, size=5),
    ),
    "softmax_cross_entropy-distributions": lambda rng: (
        "softmax_cross_entropy",
        rng.standard_normal((5, 4)),
        act.softmax(rng.standard_normal((5, 4))),
    ),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_loss_gradients(case, rng):
    loss, scores, y = LOSS_CASES[case](rng)
    report = check_loss(loss, scores, y)
    assert report.ok, f"{case}\n{report}"


MODEL_CASES = {
    "relu-softmax-ce": dict(sizes=[4, 6, 3], activation="relu", loss="softmax_cross_entropy"),
    "relu-weight-decay": dict(
        sizes=[4, 6, 3], activation="relu", loss="softmax_cross_entropy", weight_decay=0.1
    ),
    "tanh-dropout-mse": dict(sizes=[3, 5, 2], activation="tanh", loss="mse", dropout=0.3),
    "sigmoid-sigmoid-ce": dict(sizes=[2, 4, 1], activation="sigmoid", loss="sigmoid_cross_entropy"),
    "maxout-softmax-ce": dict(sizes=[4, 5, 3], activation="maxout", loss="softmax_cross_entropy"),
    "prelu-decay": dict(
        sizes=[4, 5, 3], activation="prelu", loss="softmax_cross_entropy", weight_decay=0.05
    ),
    "softplus-elu-deep": dict(sizes=[3, 4, 4, 4, 2], activation="softplus", loss="mse"),
}


def _targets(loss, n, c, rng):
    if loss == "softmax_cross_entropy":
        return rng.integers(0, c, size=n)
    if loss == "sigmoid_cross_entropy":
        return rng.integers(0, 2, size=(n, c))
    return rng.standard_normal((n, c))


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_model_gradients(case, rng):
    spec = dict(MODEL_CASES[case])
    loss, decay = spec.pop("loss"), spec.pop("weight_decay", 0.0)
    model = mlp(rng=rng, **spec)
    x = rng.standard_normal((5, spec["sizes"][0]))
    y = _targets(loss, 5, spec["sizes"][-1], rng)
    report = check_model(model, x, y, loss, weight_decay=decay)
    assert report.ok, f"{case}\n{report}"
    assert len(report.rows) == len(model.params)


# --- the checker itself must be able to fail -------------------------------------------


class _DenseMissingTranspose(Dense):
    def backward(self, dout):
        self.param_backward(dout)
        return dout @ self.params["w"][: dout.shape[1]].reshape(dout.shape[1], -1)


class _DenseWrongBiasGrad(Dense):
    def param_backward(self, dout):
        super().param_backward(dout)
        self.grads["b"] = dout.mean(axis=0)  # mean instead of sum over the batch


class _SigmoidWrongGrad(Activation):
    def backward(self, dout):
        return dout * act.sigmoid(self._x)  # σ instead of σ(1 − σ)


@pytest.mark.parametrize(
    "broken",
    [
        lambda rng: (_DenseMissingTranspose(3, 3, rng=rng), "x"),
        lambda rng: (_DenseWrongBiasGrad(3, 2, rng=rng), "b"),
        lambda rng: (_SigmoidWrongGrad("sigmoid"), "x"),
    ],
)
def test_check_layer_catches_wrong_gradients(broken, rng):
    layer, bad = broken(rng)
    report = check_layer(layer, rng.standard_normal((4, 3)))
    assert not report.ok
    assert not report[bad].passed
    assert "FAIL" in str(report)


def test_check_loss_catches_a_missing_batch_average(rng):
    def mse_summed_grad(y_pred, y):
        value, grad = act_free_mse(y_pred, y)
        return value, grad * len(y_pred)

    report = check_loss(mse_summed_grad, rng.standard_normal((4, 2)), rng.standard_normal((4, 2)))
    assert not report.ok


def act_free_mse(y_pred, y):
    diff = y_pred - y
    return 0.5 * np.sum(diff**2) / len(y), diff / len(y)


def test_kink_warning_near_relu_zero():
    layer = Activation("relu")
    x = np.array([[1e-7, 1.0], [-2.0, 0.5]])
    with pytest.warns(KinkWarning, match="kink"):
        report = check_layer(layer, x)
    assert report.near_kink
    assert "not a bug" in str(report)


def test_kink_warning_for_hard_tanh_and_maxout_ties(rng):
    with pytest.warns(KinkWarning):
        check_layer(Activation("hard_tanh"), np.array([[1.0 + 1e-7, 0.2]]))
    layer = Maxout(2, 1, 2, rng=rng)
    layer.params["w"][:, 0, 1] = layer.params["w"][:, 0, 0]  # two identical pieces: a tie
    with pytest.warns(KinkWarning):
        check_layer(layer, rng.standard_normal((3, 2)))


def test_no_kink_warning_away_from_kinks(rng, recwarn):
    check_layer(Activation("relu"), np.array([[0.5, -0.5]]))
    assert not [w for w in recwarn if issubclass(w.category, KinkWarning)]


def test_float32_is_refused_with_an_explanation(rng):
    with pytest.raises(TypeError, match="float64"):
        check_layer(Dense(3, 2, rng=rng, dtype=np.float32), rng.standard_normal((2, 3)))
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


def test_numerical_gradient_is_centred_and_restores_input():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])


def test_relative_errors_have_a_floor_and_check_shapes():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1e-12], [2e-12]) < 1e-3  # both tiny: floored, not 1/3
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert norm_relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert norm_relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2) / 2)
    with pytest.raises(ValueError, match=r"expected shape \(2,\), got \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))
