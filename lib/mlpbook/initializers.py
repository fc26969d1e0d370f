"""Weight initializers: plain functions of a shape and a ``numpy.random.Generator``.

Every initializer has the signature ``init(shape, rng=None, dtype=np.float64) -> ndarray``
(the deterministic ones ignore ``rng``). For a weight matrix ``w`` of shape (D, H), which
maps D inputs to H outputs, the fans are ``fan_in = D`` and ``fan_out = H``; further axes
(maxout's k pieces, shape (D, H, k)) are independent copies and do not change the fans.

Variances are those of the original papers:

=====================  ===================================  =============================
initializer            distribution                         variance
=====================  ===================================  =============================
``xavier_normal``      N(0, σ²)                             σ² = 2 / (fan_in + fan_out)
``xavier_uniform``     U(−a, a), a = √(6/(fan_in+fan_out))  a²/3 = 2 / (fan_in + fan_out)
``he_normal``          N(0, σ²)                             σ² = 2 / fan_in
``he_uniform``         U(−a, a), a = √(6/fan_in)            a²/3 = 2 / fan_in
``lecun_normal``       N(0, σ²)                             σ² = 1 / fan_in
``lecun_uniform``      U(−a, a), a = √(3/fan_in)            a²/3 = 1 / fan_in
``orthogonal``         Haar-random orthonormal columns      1 / max(fan_in, fan_out)
=====================  ===================================  =============================

Glorot & Bengio (2010) keep the variance of activations and of back-propagated gradients
roughly constant through tanh layers; He et al. (2015) double it for ReLU, which zeroes
half of its inputs; LeCun et al. (1998) keep only the forward pass (what some courses call
"Xavier"). ``orthogonal`` (Saxe, McClelland & Ganguli, 2014) makes every singular value of a
square layer equal to ``gain``; :func:`gain` gives the factor an activation needs.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_rng

__all__ = [
    "INITIALIZERS",
    "constant",
    "fans",
    "gain",
    "get_initializer",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


def _is_size(s) -> bool:
    return isinstance(s, int | np.integer) and not isinstance(s, bool) and s >= 1


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer | float | np.floating):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"shape: expected a tuple of positive integers, got {shape!r}") from None
    if not shape or not all(_is_size(s) for s in shape):
        raise ValueError(f"shape: expected a tuple of positive integers, got {shape!r}")
    return tuple(int(s) for s in shape)


def fans(shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of shape (D, H[, k]) as ``(D, H)``.

    A 1-D shape (H,) (a bias or a per-neuron parameter) has ``fan_in = fan_out = H``.
    """
    shape = _shape(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


def zeros(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """All zeros. Fine for biases; for weights it leaves every hidden unit identical."""
    return np.zeros(_shape(shape), dtype=dtype)


def ones(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """All ones."""
    return np.ones(_shape(shape), dtype=dtype)


def constant(shape, rng=None, dtype=np.float64, *, value: float = 0.0) -> np.ndarray:
    """Every entry equal to ``value`` (e.g. a small positive bias 0.01 before a ReLU)."""
    return np.full(_shape(shape), value, dtype=dtype)


def normal(shape, rng=None, dtype=np.float64, *, std: float = 0.01) -> np.ndarray:
    """N(0, std²) entries: the fixed-scale initialization used before Glorot (2010)."""
    if not std >= 0:
        raise ValueError(f"std: expected a number >= 0, got {std!r}")
    rng = check_rng(rng)
    return (rng.standard_normal(_shape(shape)) * std).astype(dtype, copy=False)


def uniform(shape, rng=None, dtype=np.float64, *, limit: float = 0.05) -> np.ndarray:
    """U(−limit, limit) entries; variance limit²/3."""
    if not limit >= 0:
        raise ValueError(f"limit: expected a number >= 0, got {limit!r}")
    rng = check_rng(rng)
    return rng.uniform(-limit, limit, _shape(shape)).astype(dtype, copy=False)


def xavier_normal(shape, rng=None, dtype=np.float64, *, gain: float = 1.0) -> np.ndarray:
    """Glorot normal: N(0, σ²) with σ² = gain² · 2 / (fan_in + fan_out)."""
    fan_in, fan_out = fans(shape)
    return normal(shape, rng, dtype, std=gain * math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_uniform(shape, rng=None, dtype=np.float64, *, gain: float = 1.0) -> np.ndarray:
    """Glorot uniform: U(−a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return uniform(shape, rng, dtype, limit=gain * math.sqrt(6.0 / (fan_in + fan_out)))


def he_normal(shape, rng=None, dtype=np.float64, *, gain: float = math.sqrt(2.0)) -> np.ndarray:
    """He/Kaiming normal: N(0, σ²) with σ² = gain² / fan_in = 2 / fan_in for ReLU."""
    fan_in, _ = fans(shape)
    return normal(shape, rng, dtype, std=gain / math.sqrt(fan_in))


def he_uniform(shape, rng=None, dtype=np.float64, *, gain: float = math.sqrt(2.0)) -> np.ndarray:
    """He/Kaiming uniform: U(−a, a) with a = gain · √(3 / fan_in) = √(6 / fan_in) for ReLU."""
    fan_in, _ = fans(shape)
    return uniform(shape, rng, dtype, limit=gain * math.sqrt(3.0 / fan_in))


def lecun_normal(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """LeCun normal: N(0, σ²) with σ² = 1 / fan_in (what DLS calls "Xavier")."""
    fan_in, _ = fans(shape)
    return normal(shape, rng, dtype, std=1.0 / math.sqrt(fan_in))


def lecun_uniform(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """LeCun uniform: U(−a, a) with a = √(3 / fan_in), variance 1 / fan_in."""
    fan_in, _ = fans(shape)
    return uniform(shape, rng, dtype, limit=math.sqrt(3.0 / fan_in))


def orthogonal(shape, rng=None, dtype=np.float64, *, gain: float = 1.0) -> np.ndarray:
    """A Haar-random matrix with orthonormal columns (or rows), times ``gain``.

    Parameters
    ----------
    shape : tuple of int
        ``(D, H)`` = (fan_in, fan_out).
    rng : numpy.random.Generator or int
    dtype : numpy dtype
    gain : float
        Every singular value of the result equals ``gain`` (√2 before a ReLU).

    Returns
    -------
    ndarray of shape (D, H)
        ``wᵀw = gain²·I`` if D ≥ H, else ``w wᵀ = gain²·I``.

    Notes
    -----
    Q of the QR decomposition ``A = QR`` of a Gaussian matrix is orthogonal, but numpy's
    QR returns R with a positive or negative diagonal by its own convention, which biases
    Q. Multiplying column j of Q by the sign of R[j, j] makes the factorization unique
    (R with a positive diagonal), and then Q is uniformly (Haar) distributed
    (Mezzadri, 2007).
    """
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape: orthogonal needs a 2-D shape (D, H), got {shape!r}")
    if not (isinstance(gain, int | float | np.floating | np.integer) and gain > 0):
        raise ValueError(f"gain: expected a number > 0, got {gain!r}")
    rng = check_rng(rng)
    d, h = shape
    a = rng.standard_normal((max(d, h), min(d, h)))
    q, r = np.linalg.qr(a)  # q: (max, min) with orthonormal columns
    signs = np.sign(np.diag(r))
    q = q * np.where(signs == 0, 1.0, signs)  # the sign correction
    if d < h:
        q = q.T
    return (gain * q).astype(dtype, copy=False)


_GAINS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


def gain(activation: str, r: float = 0.0) -> float:
    """The factor by which a variance-preserving initializer's standard deviation is scaled.

    ``He normal = gain · N(0, 1/fan_in)``: the gain undoes the fraction of E[z²] that the
    activation removes, E[f(z)²] = E[z²] / gain² for symmetric z.

    Parameters
    ----------
    activation : str
        ``"linear"``, ``"sigmoid"``, ``"tanh"`` (1: their slope near 0 is taken as given,
        as Glorot & Bengio and PyTorch do for the sigmoid; PyTorch uses 5/3 for tanh),
        ``"relu"`` (√2) or ``"leaky_relu"`` (√(2 / (1 + r²))).
    r : float
        The leaky ReLU's slope for x < 0 (only for ``"leaky_relu"``).

    Returns
    -------
    float
    """
    name = str(activation).lower()
    if name not in _GAINS:
        raise ValueError(f"activation: expected one of {', '.join(_GAINS)}, got {activation!r}")
    if name == "leaky_relu":
        if not (isinstance(r, int | float | np.floating | np.integer) and r >= 0):
            raise ValueError(f"r: expected a number >= 0, got {r!r}")
        return math.sqrt(2.0 / (1.0 + r * r))
    if r != 0:
        raise ValueError(f"r: only leaky_relu takes a slope r, got r={r!r} for {activation!r}")
    return math.sqrt(2.0) if name == "relu" else 1.0


def identity(shape, rng=None, dtype=np.float64, *, scale: float = 1.0) -> np.ndarray:
    """``scale`` times the identity matrix (rectangular shapes: ones on the main diagonal).

    With ReLU, identity weights make each layer start as the identity map on non-negative
    inputs. Le, Jaitly & Hinton (2015) use it for the recurrent weights of a ReLU RNN (IRNN).
    """
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape: identity needs a 2-D shape (D, H), got {shape!r}")
    return np.eye(*shape, dtype=dtype) * scale


INITIALIZERS = {
    "zeros": zeros,
    "ones": ones,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "orthogonal": orthogonal,
    "identity": identity,
}


def get_initializer(init):
    """Return the initializer named ``init`` (see ``INITIALIZERS``), or ``init`` if callable."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        names = ", ".join(sorted(INITIALIZERS))
        raise ValueError(f"init: expected one of {names} or a callable, got {init!r}") from None
