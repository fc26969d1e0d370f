r"""Activation functions and their derivatives, as plain numpy functions.

Every elementwise function ``f(x)`` and its derivative ``f_grad(x)`` takes ``x``, an
array_like of any shape, and returns a new array of the same shape: float32 and float64 keep
their dtype, int and bool input gives float64, and ``x`` is never modified. None of them
overflows or warns for large inputs (``|x| = 1e4`` in float32 or float64); an exponential
that underflows to 0 is the right answer and is not reported.

Convention at a kink (a point where :math:`f'` jumps): the derivative takes the value on the
side where the unit is inactive or saturated, as PyTorch does, so the active region is an open
interval: ``relu_grad(0) = 0``, ``leaky_relu_grad(0) = r``, ``elu_grad(0) = alpha``,
``hard_tanh_grad(±1) = 0``, ``hard_sigmoid_grad(±2) = 0``, ``step_grad(0) = 0``,
and ``prelu_grad`` gives ``r`` at 0.

``get_activation(name, **params)`` bundles a function with its derivative, kinks, LaTeX
formulas and output range, so that layers, plots and widgets can work by name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ._checks import as_float_array, check_shape


def _param(value, name: str, *, nonneg: bool = False) -> float:
    """Return a scalar parameter as a Python float, which never upcasts a float32 array."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite real number, got {value!r}")
    if nonneg and value < 0:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return float(value)


def _choose(mask, a: float, b, dtype) -> np.ndarray:
    """Return ``a`` where ``mask`` holds, else ``b`` (scalar or array), in ``dtype``.

    mask·a + (not mask)·b is exact, and on a random mask several times faster than np.where.
    """
    t = np.dtype(dtype).type
    out = mask * t(a)
    out += ~mask * (b if isinstance(b, np.ndarray) else t(b))
    return out


def _logistic_slope(e):
    """Return e/(1+e)², which is σ'(x) for e = exp(-|x|), accurate in both tails."""
    d = 1.0 + e
    d *= d
    return e / d


@np.errstate(under="ignore")
def sigmoid(x):
    r"""Logistic sigmoid, :math:`\sigma(x) = \frac{1}{1+e^{-x}}`, in (0, 1)."""
    x = as_float_array(x, "x")
    # e^{min(x,0)} / (1 + e^{-|x|}) is 1/(1+e^{-x}) for x >= 0 and e^x/(1+e^x) for x < 0:
    # no exponent is ever large and positive, so nothing overflows
    return np.exp(np.minimum(x, 0.0)) / (1.0 + np.exp(-np.abs(x)))


@np.errstate(under="ignore")
def sigmoid_grad(x):
    r"""Derivative of the sigmoid, :math:`\sigma'(x) = \sigma(x)\,(1-\sigma(x))`."""
    return _logistic_slope(np.exp(-np.abs(as_float_array(x, "x"))))


def tanh(x):
    r"""Hyperbolic tangent, :math:`\tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}} = 2\sigma(2x)-1`."""
    return np.tanh(as_float_array(x, "x"))


@np.errstate(under="ignore")
def tanh_grad(x):
    r"""Derivative of tanh, :math:`\tanh'(x) = 1-\tanh^2(x)`."""
    # 1 - tanh^2 = 4σ'(2x), which keeps its relative precision where tanh rounds to ±1
    e = np.exp(-np.abs(as_float_array(x, "x")))
    e *= e
    g = _logistic_slope(e)
    g *= 4.0
    return g


def hard_sigmoid(x):
    r"""Hard logistic, :math:`\max(0, \min(1, x/4 + 1/2))`: σ's tangent at 0, clipped."""
    return np.clip(0.25 * as_float_array(x, "x") + 0.5, 0.0, 1.0)


def hard_sigmoid_grad(x):
    r"""Derivative of the hard logistic: :math:`\frac{1}{4}` for :math:`|x| < 2`, else 0."""
    x = as_float_array(x, "x")
    g = (np.abs(x) < 2.0).astype(x.dtype)
    g *= 0.25
    return g


def hard_tanh(x):
    r"""Hard tanh, :math:`\max(-1, \min(1, x))`."""
    return np.clip(as_float_array(x, "x"), -1.0, 1.0)


def hard_tanh_grad(x):
    r"""Derivative of the hard tanh: 1 for :math:`|x| < 1`, else 0."""
    x = as_float_array(x, "x")
    return (np.abs(x) < 1.0).astype(x.dtype)


def relu(x):
    r"""Rectified linear unit, :math:`\max(0, x)`."""
    return np.maximum(as_float_array(x, "x"), 0.0)


def relu_grad(x):
    r"""Derivative of the ReLU: 1 for :math:`x > 0`, else 0."""
    x = as_float_array(x, "x")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, r=0.01):
    r"""Leaky ReLU, :math:`\max(0, x) + r\min(0, x)`, for any finite slope ``r``."""
    x, r = as_float_array(x, "x"), _param(r, "r")
    return np.maximum(x, 0.0) + r * np.minimum(x, 0.0)


def leaky_relu_grad(x, r=0.01):
    r"""Derivative of the leaky ReLU: 1 for :math:`x > 0`, else ``r``."""
    x, r = as_float_array(x, "x"), _param(r, "r")
    return _choose(x > 0, 1.0, r, x.dtype)


@np.errstate(under="ignore")
def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x > 0`, else :math:`\alpha(e^{x}-1)`."""
    x, alpha = as_float_array(x, "x"), _param(alpha, "alpha", nonneg=True)
    # min() so that e^x is never computed for large positive x; expm1 is exact near 0
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0))


@np.errstate(under="ignore")
def elu_grad(x, alpha=1.0):
    r"""Derivative of the ELU: 1 for :math:`x > 0`, else :math:`\alpha e^{x}`."""
    x, alpha = as_float_array(x, "x"), _param(alpha, "alpha", nonneg=True)
    return _choose(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)), x.dtype)


@np.errstate(under="ignore")
def softplus(x):
    r"""Softplus, :math:`\log(1+e^{x})`, a smooth ReLU."""
    x = as_float_array(x, "x")
    # log(1+e^x) = max(x,0) + log(1+e^{-|x|}): no overflow, and exact in both tails
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x):
    r"""Derivative of the softplus, :math:`\sigma(x)`."""
    return sigmoid(x)


def step(x):
    r"""Heaviside step, :math:`H(x) = 1` for :math:`x \ge 0`, else 0.

    :math:`H(0) = 1`: a McCulloch-Pitts unit fires when its input reaches the threshold.
    """
    x = as_float_array(x, "x")
    return (x >= 0).astype(x.dtype)


def step_grad(x):
    r"""Derivative of the step: 0 wherever it exists, and 0 at the jump by convention."""
    return np.zeros_like(as_float_array(x, "x"))


@np.errstate(under="ignore")
def softmax(z, axis=-1):
    r"""Softmax along ``axis``, :math:`s_i = e^{z_i} / \sum_j e^{z_j}`.

    Parameters
    ----------
    z : array_like of shape (N, C), or any shape with at least one axis
    axis : int, default -1
        The axis that sums to 1.

    Returns
    -------
    s : numpy.ndarray of the same shape and float dtype as z
    """
    z = as_float_array(z, "z")
    # softmax(z) = softmax(z - c): subtracting the max makes every exponent <= 0
    s = z - z.max(axis=axis, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=axis, keepdims=True)
    return s


def softmax_backward(s, dout, axis=-1):
    r"""Backpropagate through the softmax: :math:`dz = s \odot (dout - \sum_j dout_j s_j)`.

    Parameters
    ----------
    s : array_like of shape (N, C)
        The softmax output, ``softmax(z, axis)``.
    dout : array_like of shape (N, C)
        Upstream gradient of the loss with respect to ``s``.
    axis : int, default -1
        The axis along which the softmax was taken.

    Returns
    -------
    dz : numpy.ndarray of shape (N, C)
        Gradient with respect to ``z``, the Jacobian-vector product.
    """
    s, dout = as_float_array(s, "s"), as_float_array(dout, "dout")
    check_shape(dout, s.shape, "dout")
    dz = dout - (dout * s).sum(axis=axis, keepdims=True)
    dz *= s
    return dz


def _prelu_args(x, r):
    x = as_float_array(x, "x")
    dims = check_shape(x, ("N", "H"), "x")
    r = as_float_array(r, "r", dtype=x.dtype)
    check_shape(r, ("H",), "r", dims)
    return x, r


def prelu(x, r):
    r"""Parametric ReLU, one learnable slope per unit: :math:`x` if :math:`x > 0`, else :math:`r x`.

    Parameters
    ----------
    x : array_like of shape (N, H)
    r : array_like of shape (H,)
        Slopes for negative input, converted to the dtype of ``x``; a ValueError names the
        expected and received shapes when ``r`` is not of shape (H,).

    Returns
    -------
    out : numpy.ndarray of shape (N, H)
    """
    x, r = _prelu_args(x, r)
    return np.maximum(x, 0.0) + r * np.minimum(x, 0.0)


def prelu_grad(x, r):
    r"""Local derivatives of the PReLU with respect to its input and its slopes.

    Parameters
    ----------
    x : array_like of shape (N, H)
    r : array_like of shape (H,)

    Returns
    -------
    dx_local : numpy.ndarray of shape (N, H)
        :math:`\partial out / \partial x`: 1 where :math:`x > 0`, else ``r`` (``r`` at 0).
    dr_local : numpy.ndarray of shape (N, H)
        :math:`\partial out / \partial r`: 0 where :math:`x > 0`, else ``x``. Summing
        ``dout * dr_local`` over N gives ``dr``.
    """
    x, r = _prelu_args(x, r)
    active = x > 0
    return _choose(active, 1.0, r, x.dtype), _choose(active, 0.0, x, x.dtype)


def maxout(z):
    r"""Maxout, the largest of k pieces, :math:`out_{nh} = \max_j z_{nhj}`: (N, H, k) to (N, H)."""
    z = as_float_array(z, "z")
    check_shape(z, ("N", "H", "k"), "z")
    # a loop over the few pieces: numpy reduces a short last axis (z.max(-1)) ~30x slower
    out = z[..., 0].copy()
    for j in range(1, z.shape[-1]):
        np.maximum(out, z[..., j], out=out)
    return out


def maxout_grad(z):
    """Derivative of the maxout, of shape (N, H, k) like z: 1 at the winning piece, else 0.

    Exactly one 1 per (n, h): ties go to the first piece, as in ``np.argmax``.
    """
    z = as_float_array(z, "z")
    check_shape(z, ("N", "H", "k"), "z")
    mask = np.zeros_like(z)
    np.put_along_axis(mask, z.argmax(axis=-1)[..., None], 1.0, axis=-1)
    return mask


@dataclass(frozen=True)
class Activation:
    """An elementwise activation with what layers, plots and widgets need to know about it.

    Attributes
    ----------
    name : str
        Canonical name, one of ``ACTIVATIONS``.
    fn, grad : callable
        :math:`f(x)` and :math:`f'(x)` of an array of any shape, parameters already bound.
    kinks : tuple of float
        The x where :math:`f'` is discontinuous; empty for smooth activations.
    formula, derivative_formula : str
        LaTeX for :math:`f` and :math:`f'`.
    output_range : tuple of float
        Bounds of :math:`f` (attained or not); ``-np.inf``/``np.inf`` where unbounded.
    """

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    kinks: tuple[float, ...]
    formula: str
    derivative_formula: str
    output_range: tuple[float, float]

    def kink_distance(self, x) -> np.ndarray:
        """Distance from each x to the nearest kink, same shape as x (inf if there are none)."""
        x = as_float_array(x, "x")
        if not self.kinks:
            return np.full_like(x, np.inf)
        return np.abs(x[..., None] - np.asarray(self.kinks, dtype=x.dtype)).min(axis=-1)


@dataclass(frozen=True)
class _Param:
    """A parameter of an activation: its default, its LaTeX symbol, whether it must be >= 0."""

    default: float
    tex: str
    nonneg: bool = False


@dataclass(frozen=True)
class _Spec:
    """The one declaration of an elementwise activation (see `Activation` for the fields).

    ``output_range`` is a function of the parameters for a parametrised activation.
    """

    fn: Callable
    grad: Callable
    kinks: tuple[float, ...]
    formula: str
    derivative_formula: str
    output_range: tuple[float, float] | Callable[..., tuple[float, float]]
    params: dict[str, _Param] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


_CASES = r"\begin{cases} %s & %s \\ %s & \text{otherwise} \end{cases}"
_SPECS = {
    "sigmoid": _Spec(sigmoid, sigmoid_grad, (), r"\sigma(x) = \frac{1}{1+e^{-x}}",
                     r"\sigma'(x) = \sigma(x)\,(1-\sigma(x))", (0.0, 1.0), aliases=("logistic",)),
    "tanh": _Spec(tanh, tanh_grad, (), r"\tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}",
                  r"\tanh'(x) = 1-\tanh^2(x)", (-1.0, 1.0)),
    "hard_sigmoid": _Spec(hard_sigmoid, hard_sigmoid_grad, (-2.0, 2.0),
                          r"h(x) = \max\left(0, \min\left(1, \frac{x}{4}+\frac{1}{2}\right)\right)",
                          "h'(x) = " + _CASES % (r"\frac{1}{4}", "|x| < 2", "0"), (0.0, 1.0),
                          aliases=("hard_logistic",)),
    "hard_tanh": _Spec(hard_tanh, hard_tanh_grad, (-1.0, 1.0),
                       r"\operatorname{hardtanh}(x) = \max(-1, \min(1, x))",
                       r"\operatorname{hardtanh}'(x) = " + _CASES % ("1", "|x| < 1", "0"),
                       (-1.0, 1.0)),
    "relu": _Spec(relu, relu_grad, (0.0,), r"\operatorname{ReLU}(x) = \max(0, x)",
                  r"\operatorname{ReLU}'(x) = " + _CASES % ("1", "x > 0", "0"), (0.0, np.inf)),
    "leaky_relu": _Spec(leaky_relu, leaky_relu_grad, (0.0,),
                        r"\operatorname{LReLU}(x) = \max(0, x) + r\min(0, x)",
                        r"\operatorname{LReLU}'(x) = " + _CASES % ("1", "x > 0", "r"),
                        lambda r: (-np.inf if r > 0 else 0.0, np.inf),
                        params={"r": _Param(0.01, "r")}),
    "elu": _Spec(elu, elu_grad, (0.0,),
                 r"\operatorname{ELU}(x) = " + _CASES % ("x", "x > 0", r"\alpha(e^{x}-1)"),
                 r"\operatorname{ELU}'(x) = " + _CASES % ("1", "x > 0", r"\alpha e^{x}"),
                 lambda alpha: (0.0 - alpha, np.inf),
                 params={"alpha": _Param(1.0, r"\alpha", nonneg=True)}),
    "softplus": _Spec(softplus, softplus_grad, (), r"\operatorname{softplus}(x) = \log(1+e^{x})",
                      r"\operatorname{softplus}'(x) = \sigma(x)", (0.0, np.inf)),
    "step": _Spec(step, step_grad, (0.0,), r"H(x) = " + _CASES % ("1", r"x \ge 0", "0"),
                  r"H'(x) = 0 \quad (x \ne 0)", (0.0, 1.0)),
}  # fmt: skip
ACTIVATIONS: tuple[str, ...] = tuple(_SPECS)
_ALIASES = {alias: name for name, spec in _SPECS.items() for alias in spec.aliases}


def activation_params(name: str) -> dict[str, float]:
    """The parameters an activation (or alias) takes, with their defaults; {} for none."""
    key = _ALIASES.get(name, name) if isinstance(name, str) else None
    if key not in _SPECS:
        valid = ", ".join(ACTIVATIONS + tuple(_ALIASES))
        raise ValueError(f"unknown activation {name!r}; expected one of: {valid}")
    return {k: p.default for k, p in _SPECS[key].params.items()}


def get_activation(name: str, **params) -> Activation:
    """Look an elementwise activation up by name and bind its parameters.

    Parameters
    ----------
    name : str
        One of ``ACTIVATIONS``, or an alias: ``"logistic"`` (sigmoid), ``"hard_logistic"``.
    **params
        ``r`` for ``leaky_relu`` (any finite slope, default 0.01), ``alpha`` for ``elu``
        (finite and >= 0, default 1.0); the others take none.

    Returns
    -------
    Activation
        With ``fn`` and ``grad`` functions of ``x`` alone.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or a bad parameter value;
        ``TypeError`` for a parameter the activation does not take.
    """
    defaults = activation_params(name)
    key = _ALIASES.get(name, name)
    spec = _SPECS[key]
    unexpected = sorted(set(params) - set(defaults))
    if unexpected:
        takes = f"takes only {', '.join(defaults)}" if defaults else "takes no parameters"
        raise TypeError(f"activation {key!r} {takes}; got {', '.join(unexpected)}")
    bound = {
        k: _param(params.get(k, p.default), k, nonneg=p.nonneg) for k, p in spec.params.items()
    }
    fn, grad, formula, dformula = spec.fn, spec.grad, spec.formula, spec.derivative_formula
    out_range = spec.output_range
    if bound:
        fn, grad = partial(fn, **bound), partial(grad, **bound)
        tex = {k: p.tex for k, p in spec.params.items()}
        values = r",\quad " + ", ".join(f"{tex[k]} = {v:g}" for k, v in bound.items())
        formula, dformula = formula + values, dformula + values
        out_range = out_range(**bound)
    return Activation(key, fn, grad, spec.kinks, formula, dformula, out_range)
