"""Layers: forward keeps what backward needs; backward(dout) returns dx and fills grads.

Every layer follows one interface:

- ``params`` and ``grads``: dicts with the same keys (``"w"``, ``"b"``, …) holding arrays of
  the same shapes. ``backward`` *overwrites* ``grads`` (it does not accumulate).
- ``forward(x)`` returns ``out`` and keeps what ``backward`` will need.
- ``backward(dout)`` takes ∂L/∂out (the shape of ``out``), fills ``grads`` with
  ∂L/∂param and returns ``dx`` = ∂L/∂x (the shape of ``x``).
- ``train()`` / ``eval()`` switch the mode (only dropout behaves differently).
- ``decay``: the names of the parameters that weight decay applies to by default
  (weights, not biases).

Shapes use one vocabulary: ``x`` (N, D) in, ``out`` (N, H) out, ``w`` (D, H), ``b`` (H,),
where N is the batch size, D the number of inputs and H the number of units.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._checks import (
    as_float_array,
    check_finite,
    check_positive_int,
    check_probability,
    check_rng,
    check_shape,
)
from .initializers import get_initializer

__all__ = ["Activation", "Dense", "Dropout", "Layer", "Maxout", "PReLU", "Softmax"]


class Layer:
    """Base class of every layer (see the module docstring for the interface)."""

    decay: tuple[str, ...] = ()

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True

    def forward(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def param_backward(self, dout) -> None:
        """Fill ``grads`` without computing ``dx`` (used for the first layer of a model)."""
        self.backward(dout)

    def __call__(self, x):
        return self.forward(x)

    def train(self, mode: bool = True):
        """Put the layer in training mode (``mode=False``: evaluation mode)."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Put the layer in evaluation mode."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Set every gradient to zero."""
        for g in self.grads.values():
            g.fill(0)

    def kink_distance(self, x) -> np.ndarray | None:
        """Distance of each input to a point where the layer is not differentiable.

        None when the layer is smooth everywhere. Gradient checks use it to warn that a
        finite difference across a kink disagrees with the analytic gradient for a
        reason that is not a bug.
        """
        return None

    def _saved(self, name: str):
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value

    def _check_dout(self, dout, shape) -> np.ndarray:
        dout = as_float_array(dout, "dout")
        check_shape(dout, shape, "dout")
        return dout

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _init_param(init, shape, rng, dtype, name):
    arr = np.asarray(get_initializer(init)(shape, rng, dtype))
    if arr.shape != tuple(shape):
        raise ValueError(f"{name}: initializer returned shape {arr.shape}, expected {shape}")
    return np.ascontiguousarray(arr, dtype=dtype)


class Dense(Layer):
    """Affine (fully connected) layer: ``out = x @ w + b``.

    Parameters
    ----------
    in_features, out_features : int
        D and H.
    rng : numpy.random.Generator or int
        Randomness for the weight initializer.
    init : str or callable
        Weight initializer (see :mod:`mlpbook.initializers`), default He normal.
    bias_init : float
        Constant initial bias.
    dtype : numpy dtype
        float64 (gradient checks) or float32 (speed).

    Shapes: ``x`` (N, D), ``w`` (D, H), ``b`` (H,), ``out`` (N, H).
    Gradients: ∂L/∂w = xᵀ·dout, ∂L/∂b = Σₙ doutₙ, ∂L/∂x = dout·wᵀ.
    """

    decay = ("w",)

    def __init__(
        self,
        in_features,
        out_features,
        *,
        rng=None,
        init="he_normal",
        bias_init: float = 0.0,
        dtype=np.float64,
    ):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.dtype = np.dtype(dtype)
        shape = (self.in_features, self.out_features)
        rng = check_rng(rng) if rng is not None else None
        self.params["w"] = _init_param(init, shape, rng, self.dtype, "w")
        self.params["b"] = np.full(self.out_features, bias_init, dtype=self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x = None

    @classmethod
    def from_weights(cls, w, b=None, *, dtype=None) -> Dense:
        """A layer with the given weights: hand-built networks and worked examples.

        Parameters
        ----------
        w : array_like of shape (D, H)
            The weights; a copy is kept, so changing the layer never changes ``w``.
        b : array_like of shape (H,), optional
            The biases (default zeros); a scalar is accepted when H = 1.
        dtype : numpy dtype, optional
            float64 or float32; default ``w``'s own float dtype (float64 for ints).

        Examples
        --------
        The OR and NAND units of chapter 1's XOR network, as one layer:

        >>> layer = Dense.from_weights([[1, -1], [1, -1]], [-0.5, 1.5])
        >>> layer.forward([[0, 1]]).tolist()
        [[0.5, 0.5]]
        """
        w = as_float_array(w, "w", dtype)
        check_shape(w, ("D", "H"), "w")
        check_finite(w, "w")
        d, h = w.shape
        layer = cls(d, h, init="zeros", dtype=w.dtype)
        layer.params["w"][...] = w
        if b is not None:
            b = as_float_array(b, "b", layer.dtype)
            if b.ndim == 0 and h == 1:
                b = b.reshape(1)
            check_shape(b, (h,), "b")
            check_finite(b, "b")
            layer.params["b"][...] = b
        return layer

    def forward(self, x):
        x = as_float_array(x, "x", self.dtype)
        check_shape(x, ("N", self.in_features), "x")
        self._x = x
        out = x @ self.params["w"]
        out += self.params["b"]
        return out

    def param_backward(self, dout) -> None:
        x = self._saved("_x")
        dout = self._check_dout(dout, (x.shape[0], self.out_features))
        np.matmul(x.T, dout, out=self.grads["w"])
        np.sum(dout, axis=0, out=self.grads["b"])

    def backward(self, dout):
        self.param_backward(dout)
        return dout @ self.params["w"].T

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features}, dtype={self.dtype.name})"


class Activation(Layer):
    """An elementwise activation as a layer: ``out = f(x)``, ``dx = dout ⊙ f'(x)``.

    ``name`` is any name of :data:`mlpbook.activations.ACTIVATIONS`; keyword arguments
    set its parameter (``Activation("leaky_relu", r=0.1)``).
    """

    def __init__(self, name: str = "relu", **params):
        super().__init__()
        self.activation = act.get_activation(name, **params)
        self._params_repr = params
        self._x = None

    def forward(self, x):
        x = as_float_array(x, "x")
        self._x = x
        return self.activation.fn(x)

    def backward(self, dout):
        x = self._saved("_x")
        dout = self._check_dout(dout, x.shape)
        dx = self.activation.grad(x)
        dx *= dout  # in place: the derivative array is ours, a fresh one per call
        return dx

    def kink_distance(self, x):
        return self.activation.kink_distance(x) if self.activation.kinks else None

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self._params_repr.items())
        return f"Activation({self.activation.name!r}{extra})"


class PReLU(Layer):
    """Parametric ReLU with one learnable slope per unit (He et al., 2015).

    ``out = max(0, x) + r ⊙ min(0, x)``; ∂L/∂r_h = Σₙ doutₙₕ · min(0, xₙₕ).
    Shapes: ``x`` (N, H), ``r`` (H,). Not weight-decayed (as in the paper).
    """

    def __init__(self, units, *, init: float = 0.25, dtype=np.float64):
        super().__init__()
        self.units = check_positive_int(units, "units")
        self.dtype = np.dtype(dtype)
        self.params["r"] = np.full(self.units, init, dtype=self.dtype)
        self.grads["r"] = np.zeros_like(self.params["r"])
        self._x = None

    def forward(self, x):
        x = as_float_array(x, "x", self.dtype)
        check_shape(x, ("N", self.units), "x")
        self._x = x
        return act.prelu(x, self.params["r"])

    def backward(self, dout):
        x = self._saved("_x")
        dout = self._check_dout(dout, x.shape)
        dx_local, dr_local = act.prelu_grad(x, self.params["r"])
        np.sum(dout * dr_local, axis=0, out=self.grads["r"])
        return dout * dx_local

    def kink_distance(self, x):
        return np.abs(as_float_array(x, "x"))

    def __repr__(self) -> str:
        return f"PReLU({self.units})"


class Maxout(Layer):
    """Maxout units (Goodfellow et al., 2013): each of H units is the max of k affine pieces.

    ``z = x @ w + b`` with ``w`` (D, H, k) and ``b`` (H, k) gives ``z`` (N, H, k);
    ``out = max_k z`` (N, H). The gradient flows only through the winning piece.
    """

    decay = ("w",)

    def __init__(
        self,
        in_features,
        out_features,
        pieces=2,
        *,
        rng=None,
        init="xavier_normal",
        dtype=np.float64,
    ):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.pieces = check_positive_int(pieces, "pieces")
        self.dtype = np.dtype(dtype)
        shape = (self.in_features, self.out_features, self.pieces)
        rng = check_rng(rng) if rng is not None else None
        self.params["w"] = _init_param(init, shape, rng, self.dtype, "w")
        self.params["b"] = np.zeros((self.out_features, self.pieces), dtype=self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x = self._z = None

    def _pre_activation(self, x):
        d, h, k = self.params["w"].shape
        z = (x @ self.params["w"].reshape(d, h * k)).reshape(x.shape[0], h, k)
        z += self.params["b"]
        return z

    def forward(self, x):
        x = as_float_array(x, "x", self.dtype)
        check_shape(x, ("N", self.in_features), "x")
        self._x = x
        self._z = self._pre_activation(x)
        return act.maxout(self._z)

    def param_backward(self, dout) -> None:
        self._dz(dout)

    def _dz(self, dout):
        x, z = self._saved("_x"), self._saved("_z")
        dout = self._check_dout(dout, z.shape[:2])
        dz = act.maxout_grad(z) * dout[:, :, None]
        d, h, k = self.params["w"].shape
        flat = dz.reshape(x.shape[0], h * k)
        np.matmul(x.T, flat, out=self.grads["w"].reshape(d, h * k))
        np.sum(dz, axis=0, out=self.grads["b"])
        return flat

    def backward(self, dout):
        flat = self._dz(dout)
        d, h, k = self.params["w"].shape
        return flat @ self.params["w"].reshape(d, h * k).T

    def kink_distance(self, x):
        z = np.sort(self._pre_activation(as_float_array(x, "x", self.dtype)), axis=-1)
        if self.pieces == 1:
            return None
        return z[..., -1] - z[..., -2]

    def __repr__(self) -> str:
        return f"Maxout({self.in_features}, {self.out_features}, pieces={self.pieces})"


class Softmax(Layer):
    """Softmax over the last axis: ``out_i = exp(x_i) / Σ_j exp(x_j)``.

    For training a classifier prefer the fused, stable
    :func:`mlpbook.losses.softmax_cross_entropy` on the logits; this layer is for
    outputs meant to be read as probabilities.
    """

    def __init__(self):
        super().__init__()
        self._out = None

    def forward(self, x):
        self._out = act.softmax(as_float_array(x, "x"), axis=-1)
        return self._out

    def backward(self, dout):
        s = self._saved("_out")
        return act.softmax_backward(s, self._check_dout(dout, s.shape), axis=-1)


class Dropout(Layer):
    """Inverted dropout.

    .. important::
       ``p`` is the probability of **dropping** a unit (PyTorch's convention). Srivastava
       et al. (2014) write p for the probability of *keeping* one: their p = 1 − ours.

    In training mode each entry is zeroed with probability p and the survivors are scaled
    by 1/(1 − p), so E[out] = x: nothing needs rescaling at test time. In evaluation mode
    the layer is the identity. ``backward`` reuses the mask drawn by the last ``forward``.
    """

    def __init__(self, p: float = 0.5, *, rng=None):
        super().__init__()
        self.p = check_probability(p, "p")
        self.rng = check_rng(0 if rng is None else rng)
        self._mask = None
        self._identity = False

    def forward(self, x):
        x = as_float_array(x, "x")
        self._identity = not self.training or self.p == 0.0
        if self._identity:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self._mask = keep * x.dtype.type(1.0 / (1.0 - self.p))
        return x * self._mask

    def backward(self, dout):
        if self._identity:
            return as_float_array(dout, "dout")
        mask = self._saved("_mask")
        return self._check_dout(dout, mask.shape) * mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
