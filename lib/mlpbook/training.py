"""Training: one step, evaluation, and the ``fit`` loop.

A training step is forward → loss → backward → (weight decay) → optimizer step:

>>> value = train_step(model, x_batch, y_batch, "softmax_cross_entropy", optimizer)

``fit`` runs epochs of shuffled minibatches, evaluates on validation data after each
epoch, stops early when the validation loss stops improving, and returns a
:class:`History`.

Diagnostics of a model on a data set: ``pre_activations`` (what each activation layer
receives), ``dead_units`` (units whose derivative is 0 on every example) and
``weight_gradient_norms`` (one number per layer, input side first).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_positive_int, check_rng
from .data import minibatches
from .losses import binary_cross_entropy, get_loss, sigmoid_cross_entropy, softmax_cross_entropy
from .regularization import add_weight_decay

__all__ = [
    "History",
    "accuracy",
    "dead_units",
    "evaluate",
    "fit",
    "pre_activations",
    "train_step",
    "weight_gradient_norms",
]


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (index 0 is the first epoch).

    ``loss`` is the mean data loss over the epoch's minibatches (in training mode, so
    with dropout on; without the weight-decay penalty, so it compares with
    ``val_loss``). ``accuracy``/``val_accuracy`` stay empty when there is no metric.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.loss)


def accuracy(scores, y, threshold: float = 0.0) -> float:
    """Fraction of correct predictions.

    ``scores`` (N, C) with C ≥ 2: the predicted class is the argmax. Scores (N,) or
    (N, 1): class 1 where the score exceeds ``threshold`` (0 for logits, 0.5 for
    probabilities).
    """
    scores = np.asarray(scores)
    y = np.asarray(y)
    if scores.ndim == 2 and scores.shape[1] > 1:
        pred = scores.argmax(axis=1)
        if y.ndim == 2:
            y = y.argmax(axis=1)
    else:
        pred = (scores.reshape(-1) > threshold).astype(np.int64)
        y = y.reshape(-1)
    if pred.shape != y.shape:
        raise ValueError(f"y: expected shape {pred.shape}, got {y.shape}")
    return float(np.mean(pred == y))


def _default_metric(loss_fn):
    """Accuracy for the classification losses, nothing for regression."""
    if loss_fn in (softmax_cross_entropy, sigmoid_cross_entropy):
        return accuracy
    if loss_fn is binary_cross_entropy:
        return lambda p, y: accuracy(p, y, threshold=0.5)
    return None


def train_step(model, x, y, loss, optimizer, *, weight_decay: float = 0.0) -> float:
    """One step of gradient descent on the batch (x, y); return the batch's loss.

    The returned value includes the weight-decay penalty (λ/2)Σ‖W‖²_F when
    ``weight_decay`` = λ > 0.
    """
    loss_fn = get_loss(loss)
    scores = model.forward(x)
    value, dscores = loss_fn(scores, y)
    model.param_backward(dscores)
    if weight_decay:
        value += add_weight_decay(model, weight_decay)
    optimizer.step(model.params, model.grads)
    return value


def evaluate(model, x, y, loss, *, metric="auto", batch_size: int | None = None):
    """Loss and metric of ``model`` on (x, y) in evaluation mode (dropout off).

    Returns ``(loss, metric_value)``; ``metric_value`` is None when there is no metric.
    ``batch_size`` bounds memory on large sets (the loss is still the mean over all N).
    """
    loss_fn = get_loss(loss)
    metric = _default_metric(loss_fn) if metric == "auto" else metric
    n = len(x)
    step = n if batch_size is None else check_positive_int(batch_size, "batch_size")
    scores = np.concatenate([model.predict(x[i : i + step]) for i in range(0, n, step)])
    value, _ = loss_fn(scores, y)
    return value, (None if metric is None else float(metric(scores, y)))


def fit(
    model,
    x,
    y,
    *,
    loss,
    optimizer,
    epochs: int,
    batch_size: int = 32,
    rng,
    validation_data=None,
    weight_decay: float = 0.0,
    patience: int | None = None,
    min_delta: float = 0.0,
    restore_best: bool = True,
    metric="auto",
    progress: bool = True,
) -> History:
    """Train ``model`` with minibatch gradient descent.

    Parameters
    ----------
    model : Sequential (or any Layer)
    x : ndarray of shape (N, D)
    y : ndarray of shape (N,) labels or (N, K) targets
    loss : str or callable
        A name of :data:`mlpbook.losses.LOSSES` or a function ``(scores, y) -> (value, grad)``.
    optimizer : mlpbook.optim.Optimizer
    epochs : int
        The maximum number of passes over the data.
    batch_size : int
        Minibatch size (the last batch of an epoch may be smaller).
    rng : numpy.random.Generator or int
        Shuffles the data each epoch.
    validation_data : (x_val, y_val), optional
        Evaluated after every epoch.
    weight_decay : float
        λ of the L2 penalty on the weights (biases excluded).
    patience : int, optional
        Early stopping: stop once the validation loss has not improved by more than
        ``min_delta`` for ``patience`` epochs. Needs ``validation_data``.
    restore_best : bool
        With early stopping, put back the parameters of the best epoch at the end.
    metric : "auto", callable or None
        ``metric(scores, y) -> float``; "auto" is accuracy for classification losses.
    progress : bool
        Show a progress bar (tqdm; a widget in notebooks). False for none.

    Returns
    -------
    History
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = check_rng(rng)
    loss_fn = get_loss(loss)
    metric = _default_metric(loss_fn) if metric == "auto" else metric
    x = as_float_array(x, "x")
    y = np.asarray(y)
    if len(y) != len(x):
        raise ValueError(f"y: expected {len(x)} rows (one per row of x), got {len(y)}")
    if patience is not None:
        patience = check_positive_int(patience, "patience")
        if validation_data is None:
            raise ValueError("patience: early stopping needs validation_data=(x_val, y_val)")

    history = History()
    best_loss, best_params, waited = np.inf, None, 0
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs):
            model.train()
            total, seen, correct = 0.0, 0, 0.0
            for idx in minibatches(len(x), batch_size, rng=rng):
                xb, yb = x[idx], y[idx]
                scores = model.forward(xb)
                value, dscores = loss_fn(scores, yb)
                model.param_backward(dscores)
                if weight_decay:
                    add_weight_decay(model, weight_decay)
                optimizer.step(model.params, model.grads)
                total += value * len(idx)
                seen += len(idx)
                if metric is not None:
                    correct += metric(scores, yb) * len(idx)
            history.loss.append(total / seen)
            if metric is not None:
                history.accuracy.append(correct / seen)
            postfix = {"loss": f"{history.loss[-1]:.4f}"}
            if validation_data is not None:
                val_loss, val_metric = evaluate(model, *validation_data, loss_fn, metric=metric)
                history.val_loss.append(val_loss)
                if val_metric is not None:
                    history.val_accuracy.append(val_metric)
                postfix["val_loss"] = f"{val_loss:.4f}"
                if val_loss < best_loss - min_delta:
                    best_loss, waited = val_loss, 0
                    history.best_epoch = epoch
                    if patience is not None and restore_best:
                        best_params = copy.deepcopy(model.params)
                else:
                    waited += 1
            if bar is not None:
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
            if patience is not None and waited >= patience:
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    if best_params is not None:
        for name, value in model.params.items():
            value[...] = best_params[name]
    if validation_data is None:
        history.best_epoch = int(np.argmin(history.loss))
    return history


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="epochs", unit="epoch")


def _elementwise_grad(layer):
    """f' of an Activation or PReLU layer as a function of its input, else None."""
    from .activations import prelu_grad
    from .layers import Activation, PReLU

    if isinstance(layer, Activation):
        return layer.activation.grad
    if isinstance(layer, PReLU):
        return lambda z: prelu_grad(z, layer.params["r"])[0]
    return None


def pre_activations(model, x) -> list:
    """The input of each elementwise activation layer of ``model`` on ``x`` (eval mode).

    Parameters
    ----------
    model : Sequential
    x : ndarray of shape (N, D)

    Returns
    -------
    list of (layer, z)
        One pair per ``Activation`` or ``PReLU`` layer, in order; ``z`` of shape (N, H) is
        that layer's input, the pre-activation. The model is left in training mode.
    """
    h = as_float_array(x, "x")
    found = []
    model.eval()
    try:
        for layer in model:
            if _elementwise_grad(layer) is not None:
                found.append((layer, h))
            h = layer.forward(h)
    finally:
        model.train()
    return found


def dead_units(model, x) -> list:
    """Which units of each activation layer are dead on the data set ``x``.

    Unit j is *dead* on ``x`` when :math:`f'(z_{nj}) = 0` for every example n: its
    incoming weights and bias then get exactly zero gradient from this data. A leaky
    ReLU unit (:math:`f' \\ge r > 0`) is never dead, even when all its inputs are < 0.

    Returns
    -------
    list of ndarray of shape (H,), bool
        One mask per ``Activation`` or ``PReLU`` layer, input side first.
    """
    return [
        np.all(_elementwise_grad(layer)(z) == 0, axis=0) for layer, z in pre_activations(model, x)
    ]


def weight_gradient_norms(model, x, y, loss) -> np.ndarray:
    """The Frobenius norm of :math:`\\partial L/\\partial w` of each layer with weights.

    One forward and backward pass on the batch ``(x, y)``; the parameters do not change.

    Parameters
    ----------
    model : Sequential
    x : ndarray of shape (N, D)
    y : ndarray of shape (N,) labels or (N, K) targets
    loss : str or callable
        As for ``fit``.

    Returns
    -------
    ndarray of shape (L,)
        Layer 1 (next to the input) first.
    """
    value_grad = get_loss(loss)
    scores = model.forward(as_float_array(x, "x"))
    _, dscores = value_grad(scores, np.asarray(y))
    model.backward(dscores)
    return np.array([np.linalg.norm(layer.grads["w"]) for layer in model if "w" in layer.grads])
