"""Universal approximation in one dimension: explicit networks and their error bounds.

Chapter 3 proves the universal approximation theorem in 1-D by construction. Every
network here has one hidden layer and is returned as plain arrays in the book's row
convention, ``out = f(x @ w1 + b1) @ w2 + b2`` with ``x`` (N, 1), ``w1`` (1, n),
``b1`` (n,), ``w2`` (n, 1), ``b2`` (1,), so that it can be evaluated with `forward`.

- `relu_interpolant`: n ReLU hinges whose sum is the piecewise-linear interpolant of the
  grid values; error ≤ K·max(hᵢ)/2 for a K-Lipschitz target (`relu_bound`).
- `sigmoid_staircase`: n sigmoid steps, one per grid cell, centred at the cell's middle;
  error ≤ K·h·(½ + 2 ln 2 / s) (`staircase_bound`), s the steepness per cell.
- `units_needed`: the smallest n for which those bounds are ≤ ε.
- `nobias_relu_fit`: the best network without biases, two slopes through 0 (a floor of
  3 − 2√2 ≈ 0.172 on x², whatever the width).
- `forward` evaluates a network, `unit_contributions` each hidden unit's share of it.
- `tent`, `sawtooth` and `count_pieces`: Telgarsky's depth separation.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlpbook import activations
from mlpbook._checks import as_float_array, check_positive_int, check_shape

KINDS = ("relu", "sigmoid")


def _grid(x_grid, f_grid):
    x = as_float_array(x_grid, "x_grid").astype(np.float64).ravel()
    f = as_float_array(f_grid, "f_grid").astype(np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"x_grid: expected at least 2 points, got {x.size}")
    if f.shape != x.shape:
        raise ValueError(f"f_grid: expected {x.size} values (one per grid point), got {f.size}")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x_grid: expected strictly increasing points")
    return x, f


def _steepness(s) -> float:
    if not (isinstance(s, numbers.Real) and 0 < s < np.inf):
        raise ValueError(f"steepness: expected a finite number > 0, got {s!r}")
    return float(s)


def _hidden(x, params, activation: str):
    """``(f(x @ w1 + b1), w2, b2)`` after checking the shapes, in float64."""
    x = as_float_array(x, "x")
    if x.ndim == 1:
        x = x[:, None]
    w1, b1, w2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    dims = check_shape(x, ("N", "D"), "x")
    check_shape(w1, ("D", "H"), "w1", dims)
    check_shape(b1, ("H",), "b1", dims)
    check_shape(w2, ("H", "C"), "w2", dims)
    check_shape(b2, ("C",), "b2", dims)
    f = activations.get_activation(activation).fn
    return f(x @ w1 + b1), w2, b2


def forward(x, params, activation: str = "relu") -> np.ndarray:
    """The output of a one-hidden-layer network, ``f(x @ w1 + b1) @ w2 + b2``.

    Parameters
    ----------
    x : numpy.ndarray of shape (N, D), or (N,) for D = 1
    params : tuple (w1 (D, H), b1 (H,), w2 (H, C), b2 (C,))
    activation : str
        Any name of :data:`mlpbook.activations.ACTIVATIONS` (stable sigmoid included).

    Returns
    -------
    numpy.ndarray of shape (N, C)
    """
    hidden, w2, b2 = _hidden(x, params, activation)
    return hidden @ w2 + b2


def unit_contributions(x, params, activation: str = "relu") -> np.ndarray:
    """Each hidden unit's share of a one-output network's output, ``f(x @ w1 + b1) * w2.T``.

    Row i sums to ``forward(x, params, activation)[i, 0] − b2[0]``.

    Parameters
    ----------
    x, params, activation : as for `forward`, with one output (C = 1)

    Returns
    -------
    numpy.ndarray of shape (N, H)
    """
    hidden, w2, _ = _hidden(x, params, activation)
    if w2.shape[1] != 1:
        raise ValueError(f"w2: expected shape (H, 1) (one output), got {w2.shape}")
    return hidden * w2.T


def relu_interpolant(x_grid, f_grid):
    """n ReLU hinges whose sum interpolates ``f_grid`` linearly between the grid points.

    ``g(x) = f(x_0) + Σ_{i<n} c_i ReLU(x − x_i)`` with the slopes
    ``m_i = (f_{i+1} − f_i)/(x_{i+1} − x_i)`` and ``c_0 = m_0``, ``c_i = m_i − m_{i−1}``:
    the output weights are the *changes* of slope. The grid may be non-uniform.

    Parameters
    ----------
    x_grid : array_like of shape (n + 1,), strictly increasing
    f_grid : array_like of shape (n + 1,)

    Returns
    -------
    w1 (1, n), b1 (n,), w2 (n, 1), b2 (1,)
        Hinge i sits at x_i: ``w1 = 1``, ``b1 = −x_i``.
    """
    x, f = _grid(x_grid, f_grid)
    slopes = np.diff(f) / np.diff(x)
    w1 = np.ones((1, x.size - 1))
    b1 = -x[:-1]
    w2 = np.diff(slopes, prepend=0.0)[:, None]
    return w1, b1, w2, f[:1].copy()


def sigmoid_staircase(x_grid, f_grid, steepness: float):
    """n sigmoid steps on a uniform grid, one per cell, centred at the cell's middle.

    ``g(x) = f(x_0) + Σ_{j=1}^{n} (f_j − f_{j−1}) σ(s (x − c_j)/h)``,
    ``c_j = (x_{j−1} + x_j)/2``: ``w1 = s/h``, ``b1 = −s c_j/h``.

    Parameters
    ----------
    x_grid : array_like of shape (n + 1,), uniformly spaced
    f_grid : array_like of shape (n + 1,)
    steepness : float
        s, the steepness per grid cell (the same meaning for every n).

    Returns
    -------
    w1 (1, n), b1 (n,), w2 (n, 1), b2 (1,)
    """
    x, f = _grid(x_grid, f_grid)
    s = _steepness(steepness)
    h = (x[-1] - x[0]) / (x.size - 1)
    if not np.allclose(np.diff(x), h, rtol=1e-9, atol=0):
        raise ValueError("x_grid: expected a uniform grid (equal spacing)")
    w1 = np.full((1, x.size - 1), s / h)
    b1 = -w1[0] * (x[:-1] + x[1:]) / 2
    return w1, b1, np.diff(f)[:, None], f[:1].copy()


def staircase_values(x, x_grid, f_grid, steepness: float) -> np.ndarray:
    """The output of `sigmoid_staircase`'s network at ``x``, in O(N) rather than O(N n).

    Units whose sigmoid is within 1e-17 of 0 or 1 at a point are summed exactly
    (a telescoping sum of grid values); only the ~2·(40/s + 2) nearest are evaluated.

    Parameters
    ----------
    x : numpy.ndarray of shape (N,)
    x_grid, f_grid, steepness : as for `sigmoid_staircase`

    Returns
    -------
    numpy.ndarray of shape (N,)
    """
    xg, f = _grid(x_grid, f_grid)
    s = _steepness(steepness)
    x = as_float_array(x, "x").ravel()
    n = xg.size - 1
    h = (xg[-1] - xg[0]) / n
    u = (x - xg[0]) / h  # position in cells
    width = math.ceil(40.0 / s) + 2  # σ(±s·(width − ½)) is 0 or 1 to 1e-17
    j = np.floor(u).astype(np.int64)[:, None] + np.arange(-width, width + 2)  # unit indices
    lo = j[:, 0]
    base = f[np.clip(lo - 1, 0, n)]  # f(x_0) + Σ_{k<lo} Δ_k: every step below lo is on
    inside = (j >= 1) & (j <= n)
    jc = np.clip(j, 1, n)
    steps = activations.sigmoid(s * (u[:, None] - jc + 0.5))
    return base + np.where(inside, (f[jc] - f[jc - 1]) * steps, 0.0).sum(axis=1)


def relu_bound(lipschitz: float, h: float) -> float:
    """``K·h/2``: the sup error of the ReLU interpolant of a K-Lipschitz target."""
    return lipschitz * h / 2


def staircase_bound(lipschitz: float, h: float, steepness: float) -> float:
    """``K·h·(½ + 2 ln 2 / s)``: the sup error of the sigmoid staircase."""
    return lipschitz * h * (0.5 + 2 * math.log(2) / _steepness(steepness))


def units_needed(lipschitz, a, b, eps, kind: str = "relu", steepness=None) -> int:
    """The smallest n for which the chapter's bound on [a, b] is ≤ ε (inclusive).

    ReLU: ``K (b − a)/(2n) ≤ ε``; sigmoid: ``K (b − a)/n · (½ + 2 ln 2/s) ≤ ε``.

    Returns
    -------
    int, at least 1
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if not (eps > 0 and lipschitz >= 0 and b > a):
        raise ValueError("expected eps > 0, lipschitz ≥ 0 and a < b")
    factor = 0.5 if kind == "relu" else 0.5 + 2 * math.log(2) / _steepness(steepness)
    ratio = lipschitz * (b - a) * factor / eps
    n = max(1, math.ceil(ratio))
    if n > 1 and lipschitz * (b - a) * factor / (n - 1) <= eps:  # ceil of a rounded ratio
        n -= 1
    return int(n)


def _best_slope(x, y) -> float:
    """The α minimising ``max |y − α x|`` (x > 0): a convex function of α, golden section."""
    if x.size == 0:
        return 0.0
    big = int(np.argmax(x))  # |y − αx| ≤ max|y| at the best α bounds α around y/x there
    reach = float(np.abs(y).max()) / x[big]
    lo, hi = y[big] / x[big] - reach, y[big] / x[big] + reach
    ratio = (math.sqrt(5) - 1) / 2

    def worst(a):
        return float(np.abs(y - a * x).max())

    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = worst(c), worst(d)
    for _ in range(200):  # the bracket shrinks by 0.618 a step: far below float spacing
        if fc <= fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = worst(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = worst(d)
    return (lo + hi) / 2


def nobias_relu_fit(x, f_values):
    """The one-hidden-layer ReLU network without biases closest to f in the sup norm.

    Without hidden biases every unit is ``ReLU(w x)``, positively homogeneous, so any
    width gives ``g(x) = α x`` for x ≥ 0 and ``β x`` for x < 0; without the output bias
    too, g(0) = 0. Two units reach every such g: ``α ReLU(x) − β ReLU(−x)``. α and β
    minimise the largest error on each side (on x², 3 − 2√2 ≈ 0.172 on [−1, 1]).

    Parameters
    ----------
    x : array_like of shape (N,)
        Where the error is measured (any order).
    f_values : array_like of shape (N,)
        The target there.

    Returns
    -------
    w1 (1, 2), b1 (2,), w2 (2, 1), b2 (1,)
        ``w1 = [[1, −1]]``, ``w2 = [[α], [−β]]``, biases 0.
    """
    x = as_float_array(x, "x").astype(np.float64).ravel()
    f = as_float_array(f_values, "f_values").astype(np.float64).ravel()
    if f.shape != x.shape or x.size == 0:
        raise ValueError(f"f_values: expected {x.size} values (one per point), got {f.size}")
    right, left = x > 0, x < 0
    alpha = _best_slope(x[right], f[right])
    beta = -_best_slope(-x[left], f[left])  # βx = (−β)(−x) with −x > 0
    w2 = np.array([[alpha], [-beta]])
    return np.array([[1.0, -1.0]]), np.zeros(2), w2, np.zeros(1)


def sup_error(g_values, f_values) -> float:
    """``max |g − f|`` over the points given (a lower estimate of the sup norm)."""
    g = np.asarray(g_values, dtype=np.float64).ravel()
    f = np.asarray(f_values, dtype=np.float64).ravel()
    if g.shape != f.shape:
        raise ValueError(f"expected equal sizes, got {g.size} and {f.size}")
    return float(np.abs(g - f).max())


def tent(x) -> np.ndarray:
    """Telgarsky's tent map ``T(x) = 2 ReLU(x) − 4 ReLU(x − ½)``: 2 ReLU units.

    On [0, 1], T rises from 0 to 1 on [0, ½] and falls back to 0 on [½, 1].
    """
    x = np.asarray(x, dtype=np.float64)
    return 2 * activations.relu(x) - 4 * activations.relu(x - 0.5)


def sawtooth(x, depth: int) -> np.ndarray:
    """``T^L(x)``: L tent maps composed, a ReLU network with L layers of 2 units.

    On [0, 1] it has 2^L linear pieces (it oscillates 2^(L−1) times between 0 and 1).
    """
    depth = check_positive_int(depth, "depth")
    out = np.asarray(x, dtype=np.float64)
    for _ in range(depth):
        out = tent(out)
    return out


def count_pieces(x, y, *, tol: float = 1e-9) -> int:
    """The number of linear pieces of a piecewise-linear function sampled at ``x``.

    Consecutive slopes that differ by more than ``tol`` (relative to the largest slope)
    start a new piece. Exact when every kink is a sample point.

    Parameters
    ----------
    x : numpy.ndarray of shape (N,), strictly increasing
    y : numpy.ndarray of shape (N,)
    """
    x, y = _grid(x, y)
    slopes = np.diff(y) / np.diff(x)
    scale = max(1.0, float(np.abs(slopes).max()))
    return int(1 + np.count_nonzero(np.abs(np.diff(slopes)) > tol * scale))
