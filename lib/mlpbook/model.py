"""The sequential container and the ``mlp`` builder."""

from __future__ import annotations

import itertools

import numpy as np

from . import activations as act
from ._checks import check_probability, check_rng
from .layers import Activation, Dense, Dropout, Layer, Maxout, PReLU, Softmax

__all__ = ["Sequential", "mlp"]


class Sequential(Layer):
    """Layers applied in order; itself a :class:`~mlpbook.layers.Layer`.

    ``params`` and ``grads`` are flat dicts keyed ``"<index>.<name>"`` (``"0.w"``,
    ``"0.b"``, …) whose values are the layers' own arrays, so an optimizer that updates
    ``params`` in place updates the layers.
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers: expected at least one layer, got none")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}]: expected a Layer, got {type(layer).__name__}")
        self.training = True

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, l in enumerate(self.layers) for k, v in l.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, l in enumerate(self.layers) for k, v in l.grads.items()}

    def decay_params(self, include_biases: bool = False) -> dict[str, np.ndarray]:
        """The parameters weight decay applies to: the weights, and biases if asked."""
        return {
            f"{i}.{k}": v
            for i, l in enumerate(self.layers)
            for k, v in l.params.items()
            if k in l.decay or (include_biases and k == "b")
        }

    @property
    def num_params(self) -> int:
        return sum(v.size for v in self.params.values())

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout, *, input_grad: bool = True):
        """Backpropagate ``dout`` = ∂L/∂out; return ∂L/∂x (None if ``input_grad=False``).

        Skipping the input gradient saves the largest matrix product of a training step:
        nothing upstream of the data needs it.
        """
        for layer in reversed(self.layers[1:]):
            dout = layer.backward(dout)
        if input_grad:
            return self.layers[0].backward(dout)
        self.layers[0].param_backward(dout)
        return None

    def param_backward(self, dout) -> None:
        self.backward(dout, input_grad=False)

    def train(self, mode: bool = True):
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def predict(self, x):
        """Forward pass in evaluation mode (dropout off); the mode is restored after."""
        was_training = self.training
        self.eval()
        try:
            return self.forward(x)
        finally:
            self.train(was_training)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)  # {self.num_params} parameters"


_HE_FAMILY = {"relu", "leaky_relu", "prelu", "elu"}


def mlp(
    sizes,
    activation: str = "relu",
    *,
    rng,
    init=None,
    bias_init: float = 0.0,
    dropout: float = 0.0,
    output_activation: str | None = None,
    pieces: int = 2,
    dtype=np.float64,
    **activation_params,
) -> Sequential:
    """Build a multilayer perceptron from its layer sizes.

    Parameters
    ----------
    sizes : sequence of int
        ``[D, H1, …, C]``: inputs, hidden widths, outputs (at least two entries).
    activation : str
        Hidden activation: any name of :data:`mlpbook.activations.ACTIVATIONS`, or
        ``"prelu"`` (a learnable slope per unit) or ``"maxout"`` (``pieces`` affine pieces).
    rng : numpy.random.Generator or int
        Seeds the initializers and the dropout masks.
    init : str or callable, optional
        Weight initializer; default He normal for the ReLU family, Xavier normal otherwise.
    dropout : float
        Drop probability of the dropout layer after each hidden activation (0: none).
    output_activation : str, optional
        ``None`` keeps the output linear (logits for the fused losses), or ``"sigmoid"``,
        ``"softmax"``, or any activation name.
    dtype : numpy dtype
        float64 (default; gradient checks) or float32 (speed).
    **activation_params
        The hidden activation's parameter, e.g. ``r=0.1`` for leaky ReLU.

    Returns
    -------
    Sequential
        ``Dense → activation [→ Dropout]`` per hidden layer, then ``Dense [→ output]``.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes: expected at least [D, C] of positive ints, got {sizes}")
    rng = check_rng(rng)
    p = check_probability(dropout, "dropout")
    name = activation.lower()
    if name not in (*act.ACTIVATIONS, "prelu", "maxout"):
        act.get_activation(name)  # raises a ValueError that lists the valid names
    if init is None:
        init = "he_normal" if name in _HE_FAMILY else "xavier_normal"
    layers: list[Layer] = []
    for d, h in itertools.pairwise(sizes[:-1]):
        if name == "maxout":
            layers.append(Maxout(d, h, pieces, rng=rng, init=init, dtype=dtype))
        else:
            layers.append(Dense(d, h, rng=rng, init=init, bias_init=bias_init, dtype=dtype))
            if name == "prelu":
                layers.append(PReLU(h, dtype=dtype, **activation_params))
            else:
                layers.append(Activation(name, **activation_params))
        if p > 0:
            layers.append(Dropout(p, rng=rng.spawn(1)[0]))
    layers.append(Dense(sizes[-2], sizes[-1], rng=rng, init=init, dtype=dtype))
    if output_activation == "softmax":
        layers.append(Softmax())
    elif output_activation is not None:
        layers.append(Activation(output_activation))
    return Sequential(layers)
