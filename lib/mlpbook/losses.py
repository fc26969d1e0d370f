"""Losses. Each returns ``(value, grad)``: the loss and its gradient w.r.t. its first input.

One convention everywhere: **the loss is averaged over the batch** of N examples, so
``grad`` carries a factor 1/N, and a sum over output units (never a mean over them).
With ``scores`` of shape (N, C):

- ``mse_loss``: L = (1/N) Σₙ ½‖ŷₙ − yₙ‖². The ½ cancels the 2 of the derivative, so
  ∂L/∂ŷₙ = (ŷₙ − yₙ)/N. (Without the ½ the gradient is twice as large; same minimum.)
- ``binary_cross_entropy``: on probabilities p ∈ (0, 1),
  L = −(1/N) Σ [y log p + (1 − y) log(1 − p)].
- ``sigmoid_cross_entropy``: the same loss on logits z (p = σ(z)), fused and stable:
  ∂L/∂z = (σ(z) − y)/N.
- ``softmax_cross_entropy``: on logits z (N, C) and integer labels y (N,) (or target
  distributions (N, C)), fused and stable: ∂L/∂z = (softmax(z) − onehot(y))/N.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_labels, check_shape

__all__ = [
    "LOSSES",
    "binary_cross_entropy",
    "get_loss",
    "mse_loss",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
]


def _pair(pred, y, pred_name: str):
    """Float arrays of one shape, (N,) or (N, K); ``y`` takes ``pred``'s dtype."""
    pred = as_float_array(pred, pred_name)
    if pred.ndim not in (1, 2):
        raise ValueError(f"{pred_name}: expected shape (N,) or (N, K), got {pred.shape}")
    y = as_float_array(y, "y", pred.dtype)
    check_shape(y, pred.shape, "y")
    return pred, y


def mse_loss(y_pred, y):
    """Squared error with the ½ convention, averaged over the batch.

    L = (1/N) Σₙ ½‖ŷₙ − yₙ‖²,  ∂L/∂ŷ = (ŷ − y)/N.

    Parameters
    ----------
    y_pred, y : ndarray of shape (N, K) or (N,)

    Returns
    -------
    value : float
    dy_pred : ndarray, the shape of ``y_pred``
    """
    y_pred, y = _pair(y_pred, y, "y_pred")
    n = y_pred.shape[0]
    diff = y_pred - y
    return float(0.5 * np.sum(diff * diff) / n), diff / n


def binary_cross_entropy(p, y, eps: float = 1e-12):
    """Binary cross-entropy on probabilities, averaged over the batch.

    L = −(1/N) Σ [y log p + (1 − y) log(1 − p)],  ∂L/∂p = (p − y) / (p(1 − p)) / N.
    ``p`` is clipped to [eps, 1 − eps] so that a saturated p gives a large finite loss,
    not infinity. Prefer :func:`sigmoid_cross_entropy` on logits: it needs no clipping.

    Parameters
    ----------
    p : ndarray of shape (N,) or (N, K), probabilities
    y : ndarray of the same shape, targets in [0, 1]
    """
    p, y = _pair(p, y, "p")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y: expected targets in [0, 1]")
    n = p.shape[0]
    eps = max(eps, float(np.finfo(p.dtype).eps))
    pc = np.clip(p, eps, 1 - eps)
    value = -np.sum(y * np.log(pc) + (1 - y) * np.log1p(-pc)) / n
    return float(value), (pc - y) / (pc * (1 - pc)) / n


def sigmoid_cross_entropy(z, y):
    """Binary cross-entropy on logits (p = σ(z)), fused and stable.

    L = (1/N) Σ [softplus(z) − y z] = (1/N) Σ [max(z, 0) − y z + log(1 + e^{−|z|})],
    ∂L/∂z = (σ(z) − y)/N.

    Parameters
    ----------
    z : ndarray of shape (N,) or (N, K), logits
    y : ndarray of the same shape, targets in [0, 1]
    """
    z, y = _pair(z, y, "z")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y: expected targets in [0, 1]")
    n = z.shape[0]
    e = np.exp(-np.abs(z))
    value = np.sum(np.maximum(z, 0) - y * z + np.log1p(e)) / n
    sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return float(value), (sig - y) / n


def softmax_cross_entropy(z, y):
    """Softmax followed by cross-entropy, fused and stable, averaged over the batch.

    With log-softmax ℓ = z − max(z) − log Σⱼ exp(zⱼ − max(z)):
    L = −(1/N) Σₙ ℓₙ[yₙ],  ∂L/∂z = (softmax(z) − onehot(y))/N.

    Parameters
    ----------
    z : ndarray of shape (N, C), logits
    y : ndarray of shape (N,) with integer labels in 0..C−1, or (N, C) target
        distributions (rows summing to 1)
    """
    z = as_float_array(z, "z")
    dims = check_shape(z, ("N", "C"), "z")
    n, c = dims["N"], dims["C"]
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(total)
    probs = exp / total
    if np.ndim(y) == 2:
        target = as_float_array(y, "y", z.dtype)
        check_shape(target, (n, c), "y")
        value = -np.sum(target * log_probs) / n
        return float(value), (probs - target) / n
    labels = check_labels(y, n, c)
    value = -np.sum(log_probs[np.arange(n), labels]) / n
    probs[np.arange(n), labels] -= 1
    probs /= n
    return float(value), probs


LOSSES = {
    "mse": mse_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "sigmoid_cross_entropy": sigmoid_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
}


def get_loss(loss):
    """Return the loss named ``loss`` (see ``LOSSES``), or ``loss`` itself if callable."""
    if callable(loss):
        return loss
    try:
        return LOSSES[loss]
    except (KeyError, TypeError):
        names = ", ".join(LOSSES)
        raise ValueError(f"loss: expected one of {names} or a callable, got {loss!r}") from None
