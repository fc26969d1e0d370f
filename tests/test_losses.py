"""Losses: conventions (½, batch mean, sum over outputs), stability, gradients, errors."""

import math

import numpy as np
import pytest

from mlpbook.losses import (
    LOSSES,
    binary_cross_entropy,
    get_loss,
    mse_loss,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
)

FLOATS = [np.float32, np.float64]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def onehot(labels, c):
    return np.eye(c)[labels]


# --- mse_loss -------------------------------------------------------------------------


def test_mse_has_the_half_convention():
    """½(1 − 0)² = 0.5 and its gradient is 1, not 2."""
    value, grad = mse_loss([[1.0]], [[0.0]])
    assert value == 0.5
    np.testing.assert_array_equal(grad, [[1.0]])


def test_mse_sums_over_outputs():
    """One example with two outputs each off by 1: ½(1 + 1) = 1, not a mean of 0.5."""
    value, grad = mse_loss([[1.0, 1.0]], [[0.0, 0.0]])
    assert value == 1.0
    np.testing.assert_array_equal(grad, [[1.0, 1.0]])


def test_mse_averages_over_the_batch(rng):
    """Duplicating the batch keeps the value and halves each gradient row."""
    pred, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    value, grad = mse_loss(pred, y)
    value2, grad2 = mse_loss(np.vstack([pred, pred]), np.vstack([y, y]))
    assert value2 == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(grad2, np.vstack([grad, grad]) / 2, rtol=1e-12)


def test_mse_matches_the_formula(rng):
    """L = (1/N) Σₙ ½‖ŷₙ − yₙ‖², ∂L/∂ŷ = (ŷ − y)/N on random data."""
    pred, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    value, grad = mse_loss(pred, y)
    expected = sum(0.5 * np.sum((pred[n] - y[n]) ** 2) for n in range(5)) / 5
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad, (pred - y) / 5, rtol=1e-12)
    assert isinstance(value, float)


def test_mse_on_1d_inputs(rng):
    """(N,) inputs: one output per example, value ½ Σ (ŷ − y)² / N and a (N,) gradient."""
    pred, y = rng.standard_normal(6), rng.standard_normal(6)
    value, grad = mse_loss(pred, y)
    assert value == pytest.approx(0.5 * np.sum((pred - y) ** 2) / 6, rel=1e-12)
    assert grad.shape == (6,)
    np.testing.assert_allclose(grad, (pred - y) / 6, rtol=1e-12)


@pytest.mark.parametrize(
    ("pred_shape", "y_shape"), [((4, 2), (4, 3)), ((4, 1), (4,)), ((4,), (5,))]
)
def test_mse_shape_mismatch_names_both_shapes(pred_shape, y_shape):
    """No silent broadcasting ((4, 1) − (4,) would be (4, 4)): the error names both shapes."""
    pred, y = np.zeros(pred_shape), np.zeros(y_shape)
    with pytest.raises(ValueError) as info:
        mse_loss(pred, y)
    message = str(info.value)
    assert str(pred_shape) in message, message
    assert str(y_shape) in message, message


def test_mse_rejects_3d_predictions():
    with pytest.raises(ValueError, match=r"y_pred: expected shape \(N,\) or \(N, K\)"):
        mse_loss(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))


# --- binary_cross_entropy ---------------------------------------------------------------


@pytest.mark.parametrize("soft_targets", [False, True])
def test_bce_matches_the_formula(soft_targets, rng):
    """Away from 0 and 1: −mean(y log p + (1 − y) log(1 − p)) and (p − y)/(p(1 − p))/N."""
    p = rng.uniform(0.05, 0.95, size=(6, 2))
    y = rng.uniform(0, 1, size=(6, 2)) if soft_targets else rng.integers(0, 2, (6, 2)) * 1.0
    value, grad = binary_cross_entropy(p, y)
    expected = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / 6
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad, (p - y) / (p * (1 - p)) / 6, rtol=1e-10)


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_at_saturated_probabilities_is_finite_without_warnings(dtype):
    """p = 0 or 1 (right and wrong): clipping keeps value and gradient finite, no log(0)."""
    p = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    y = np.array([[0.0, 1.0], [0.0, 1.0]], dtype=dtype)
    value, grad = binary_cross_entropy(p, y)
    assert math.isfinite(value)
    assert np.all(np.isfinite(grad))
    # The confidently wrong second row costs about −log(eps) per entry.
    assert value > 10
    assert grad[1, 0] > 0 > grad[1, 1]


@pytest.mark.parametrize("bad", [1.5, -0.1])
@pytest.mark.parametrize("loss", [binary_cross_entropy, sigmoid_cross_entropy])
def test_binary_losses_reject_targets_outside_0_1(loss, bad):
    y = np.array([[0.0], [bad]])
    with pytest.raises(ValueError, match=r"y: expected targets in \[0, 1\]"):
        loss(np.array([[0.3], [0.4]]), y)


# --- sigmoid_cross_entropy --------------------------------------------------------------


def test_sigmoid_ce_equals_bce_of_sigmoid(rng):
    """For moderate logits the fused loss equals BCE(σ(z)), and its gradient is the chain rule."""
    z = rng.uniform(-5, 5, size=(7, 3))
    y = rng.uniform(0, 1, size=(7, 3))
    value, grad = sigmoid_cross_entropy(z, y)
    p = sigmoid(z)
    bce_value, bce_grad = binary_cross_entropy(p, y)
    assert value == pytest.approx(bce_value, rel=1e-10)
    np.testing.assert_allclose(grad, bce_grad * p * (1 - p), rtol=1e-8)
    np.testing.assert_allclose(grad, (p - y) / 7, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_ce_is_stable_at_extreme_logits(dtype):
    """z = ±1000: no overflow warning; a confidently wrong example costs 1000/N, a right one 0."""
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype)
    y_right = np.array([1.0, 0.0, 1.0, 0.0], dtype=dtype)
    value, grad = sigmoid_cross_entropy(z, y_right)
    assert value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(grad, 0.0, atol=1e-12)

    y_one_wrong = np.array([0.0, 0.0, 1.0, 0.0], dtype=dtype)
    value, grad = sigmoid_cross_entropy(z, y_one_wrong)
    assert value == pytest.approx(1000.0 / 4, rel=1e-6)
    np.testing.assert_allclose(grad, [0.25, 0.0, 0.0, 0.0], atol=1e-7)
    assert grad.dtype == dtype

    value, grad = sigmoid_cross_entropy(-z, y_right)
    assert value == pytest.approx(4 * 1000.0 / 4, rel=1e-6)
    assert math.isfinite(value)
    np.testing.assert_allclose(grad, [-0.25, 0.25, -0.25, 0.25], atol=1e-7)


def test_sigmoid_ce_gradient_is_sigma_minus_y_over_n(rng):
    z = rng.standard_normal((5, 2)) * 10
    y = rng.integers(0, 2, size=(5, 2)).astype(float)
    _, grad = sigmoid_cross_entropy(z, y)
    np.testing.assert_allclose(grad, (sigmoid(z) - y) / 5, rtol=1e-12, atol=1e-15)


# --- softmax_cross_entropy --------------------------------------------------------------


def test_softmax_ce_labels_and_onehot_agree(rng):
    """Integer labels and the same labels as one-hot distributions: same value and gradient."""
    z = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, size=6)
    v1, g1 = softmax_cross_entropy(z, labels)
    v2, g2 = softmax_cross_entropy(z, onehot(labels, 4))
    assert v1 == pytest.approx(v2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-15)


def test_softmax_ce_matches_the_formula(rng):
    """L = −mean log softmax(z)[y], ∂L/∂z = (softmax(z) − onehot(y))/N; rows sum to 0."""
    z = rng.standard_normal((5, 3)) * 2
    labels = np.array([0, 2, 1, 1, 2])
    value, grad = softmax_cross_entropy(z, labels)
    s = softmax(z)
    assert value == pytest.approx(-np.mean(np.log(s[np.arange(5), labels])), rel=1e-12)
    np.testing.assert_allclose(grad, (s - onehot(labels, 3)) / 5, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_ce_soft_targets_match_the_formula(rng):
    """Target distributions: L = −(1/N) Σ t·log softmax(z), ∂L/∂z = (softmax(z) − t)/N."""
    z = rng.standard_normal((4, 3))
    t = softmax(rng.standard_normal((4, 3)))
    value, grad = softmax_cross_entropy(z, t)
    s = softmax(z)
    assert value == pytest.approx(-np.sum(t * np.log(s)) / 4, rel=1e-12)
    np.testing.assert_allclose(grad, (s - t) / 4, rtol=1e-12, atol=1e-15)


def test_softmax_ce_is_invariant_to_a_constant_added_to_a_row(rng):
    z = rng.standard_normal((3, 4))
    labels = np.array([3, 0, 1])
    shifted = z.copy()
    shifted[1] += 50.0
    shifted[2] -= 7.0
    v1, g1 = softmax_cross_entropy(z, labels)
    v2, g2 = softmax_cross_entropy(shifted, labels)
    assert v2 == pytest.approx(v1, rel=1e-10)
    np.testing.assert_allclose(g2, g1, rtol=1e-8, atol=1e-15)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_ce_is_stable_at_extreme_logits(dtype):
    """Logits ±1000: finite, no overflow warning, and the exact limits."""
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], dtype=dtype)
    value, grad = softmax_cross_entropy(z, np.array([0, 1]))
    # Row 0 is certain and right (loss 0); row 1 ties two classes (loss log 2).
    assert value == pytest.approx(math.log(2) / 2, rel=1e-6)
    np.testing.assert_allclose(grad, [[0, 0, 0], [0, -0.25, 0.25]], atol=1e-7)
    assert grad.dtype == dtype

    value, grad = softmax_cross_entropy(z, np.array([1, 0]))
    # Confidently wrong: the logit gap, 2000 in row 0 and 2000 + log 2 in row 1.
    assert value == pytest.approx(2000.0 + math.log(2) / 2, rel=1e-6)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0], [-0.5, 0.25, 0.25]], atol=1e-7)


@pytest.mark.parametrize("c", [2, 3, 10])
def test_softmax_ce_uniform_logits_give_log_c(c):
    z = np.full((4, c), 7.0)
    value, grad = softmax_cross_entropy(z, np.arange(4) % c)
    assert value == pytest.approx(math.log(c), rel=1e-12)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


@pytest.mark.parametrize("as_onehot", [False, True])
def test_softmax_ce_float32_in_float32_grad(as_onehot, rng):
    z = rng.standard_normal((4, 3)).astype(np.float32)
    labels = np.array([0, 1, 2, 0])
    y = onehot(labels, 3) if as_onehot else labels
    _, grad = softmax_cross_entropy(z, y)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, (softmax(z.astype(float)) - onehot(labels, 3)) / 4, atol=1e-6)


def test_softmax_ce_accepts_integral_float_labels(rng):
    z = rng.standard_normal((3, 3))
    v1, g1 = softmax_cross_entropy(z, np.array([2, 0, 1]))
    v2, g2 = softmax_cross_entropy(z, np.array([2.0, 0.0, 1.0]))
    assert v1 == v2
    np.testing.assert_array_equal(g1, g2)


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array([0, 1, 3, 2]), r"y: expected labels in 0\.\.2"),
        (np.array([0, -1, 2, 2]), r"y: expected labels in 0\.\.2"),
        (np.array([0.5, 1.0, 2.0, 0.0]), "y: expected integer class labels"),
        (np.array([0, 1, 2]), r"y: expected shape \(4,\)"),
        (np.array([0, 1, 2, 0, 1]), r"y: expected shape \(4,\)"),
        (np.zeros((4, 2)), r"y: expected shape \(4, 3\)"),
        (np.zeros((4, 3, 1)), r"y: expected a 1-D array of shape \(4,\)"),
    ],
)
def test_softmax_ce_bad_labels_say_what_was_expected(y, match):
    with pytest.raises(ValueError, match=match):
        softmax_cross_entropy(np.zeros((4, 3)), y)


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
def test_softmax_ce_needs_2d_logits(shape):
    with pytest.raises(ValueError, match=r"z: expected a 2-D array of shape \(N, C\)"):
        softmax_cross_entropy(np.zeros(shape), np.zeros(shape[0], dtype=int))


# --- get_loss ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("mse", mse_loss),
        ("binary_cross_entropy", binary_cross_entropy),
        ("sigmoid_cross_entropy", sigmoid_cross_entropy),
        ("softmax_cross_entropy", softmax_cross_entropy),
    ],
)
def test_get_loss_by_name(name, fn):
    assert get_loss(name) is fn
    assert LOSSES[name] is fn


def test_get_loss_passes_callables_through():
    def custom(pred, y):
        return 0.0, np.zeros_like(pred)

    assert get_loss(custom) is custom


@pytest.mark.parametrize("bad", ["cross_entropy", "MSE", None, 3])
def test_get_loss_unknown_name_lists_the_valid_ones(bad):
    with pytest.raises(ValueError, match=r"expected one of mse, .*softmax_cross_entropy"):
        get_loss(bad)
