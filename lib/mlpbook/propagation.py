"""Signal propagation through deep bias-free networks: measured and predicted spreads.

A deep stack of square layers ``z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ w⁽ˡ⁾``, ``a⁽ˡ⁾ = f(z⁽ˡ⁾)``, ``a⁽⁰⁾ = x``,
shows what an initializer does before any training: whether the activations and the
back-propagated gradients keep their size over many layers, or vanish or explode.

- :func:`random_weights` draws the weights of such a stack under one of ``SCHEMES``
  (:func:`weight_std` gives their scale);
- :func:`propagate` measures, per layer, the spread of the pre-activations, of the
  activations and of the gradient that reaches each layer's input;
- :func:`predicted_spread` gives the same spreads from the variance recursion
  ``q_l = fan_in·Var[w]·E[f(z)²]`` (wide-layer limit, z ~ N(0, q_{l-1}));
- :func:`plot_spread` and :func:`plot_singular_values` draw them;
  :func:`depth_explorer` is the interactive figure of chapter 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from mlpbook import activations, initializers
from mlpbook._checks import as_float_array, check_positive_int, check_rng

__all__ = [
    "SCHEMES",
    "Spread",
    "depth_explorer",
    "plot_singular_values",
    "plot_spread",
    "predicted_spread",
    "propagate",
    "random_weights",
    "weight_std",
]

# scheme -> (label, variance of one weight times the width n, or None for orthogonal)
SCHEMES = {
    "small": "N(0, 0.01²)",
    "standard": "N(0, 1)",
    "lecun": "LeCun N(0, 1/fan_in)",
    "xavier": "Xavier N(0, 2/(fan_in+fan_out))",
    "he": "He N(0, 2/fan_in)",
    "orthogonal": "orthogonal × gain",
}
_GRID = np.linspace(-10.0, 10.0, 4000)  # even: 0, where kinks sit, falls between nodes
_DENSITY = np.exp(-0.5 * _GRID**2) / np.sqrt(2.0 * np.pi)
_DENSITY /= np.trapezoid(_DENSITY, _GRID)


@dataclass(frozen=True)
class Spread:
    """Per-layer standard deviations of a deep stack, layer 1 (next to the input) first.

    Attributes
    ----------
    z : ndarray of shape (M,)
        Spread of the pre-activations z⁽ˡ⁾.
    a : ndarray of shape (M,)
        Spread of the activations a⁽ˡ⁾ = f(z⁽ˡ⁾).
    grad : ndarray of shape (M,)
        Spread of ∂L/∂a⁽ˡ⁻¹⁾, the gradient that reaches the input of layer l when the
        gradient at the top, ∂L/∂a⁽ᴹ⁾, has entries of spread 1.
    out : ndarray, optional
        The last layer's activations a⁽ᴹ⁾, of shape (N, H) (:func:`propagate` only).
    """

    z: np.ndarray
    a: np.ndarray
    grad: np.ndarray
    out: np.ndarray | None = None


def _activation(name: str):
    """(f, f') for ``"linear"`` or any name of :data:`mlpbook.activations.ACTIVATIONS`."""
    if name == "linear":
        return (lambda z: z), np.ones_like
    act = activations.get_activation(name)
    return act.fn, act.grad


def weight_std(scheme: str, fan_in: int, fan_out: int, activation: str = "relu") -> float:
    """The standard deviation of one weight under ``scheme`` (see :func:`random_weights`).

    For ``"orthogonal"`` it is the entries' root mean square, gain/√max(fan_in, fan_out).
    """
    _check_scheme(scheme)
    stds = {
        "small": 0.01,
        "standard": 1.0,
        "lecun": np.sqrt(1.0 / fan_in),
        "xavier": np.sqrt(2.0 / (fan_in + fan_out)),
        "he": np.sqrt(2.0 / fan_in),
        "orthogonal": initializers.gain(activation) / np.sqrt(max(fan_in, fan_out)),
    }
    return float(stds[scheme])


def _check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: expected one of {', '.join(SCHEMES)}, got {scheme!r}")
    return scheme


def random_weights(scheme: str, width: int, depth: int, rng, activation: str = "relu") -> list:
    """The ``depth`` weight matrices, each (width, width), of a square stack.

    Parameters
    ----------
    scheme : str
        One of ``SCHEMES``: ``"small"`` N(0, 0.01²), ``"standard"`` N(0, 1), ``"lecun"``
        N(0, 1/n), ``"xavier"`` N(0, 2/(n + n)), ``"he"`` N(0, 2/n), ``"orthogonal"``
        (Haar-random, scaled by ``initializers.gain(activation)``).
    width, depth : int
    rng : numpy.random.Generator or int
    activation : str
        Only the orthogonal scheme uses it, for its gain.

    Returns
    -------
    list of ndarray of shape (width, width)
    """
    scheme = _check_scheme(scheme)
    width, depth = check_positive_int(width, "width"), check_positive_int(depth, "depth")
    rng = check_rng(rng)
    if scheme == "orthogonal":
        g = initializers.gain(activation)
        return [initializers.orthogonal((width, width), rng, gain=g) for _ in range(depth)]
    std = weight_std(scheme, width, width, activation)
    return [initializers.normal((width, width), rng, std=std) for _ in range(depth)]


def propagate(x, weights, activation: str = "relu", dout=None) -> Spread:
    """Forward ``x`` through bias-free layers and a gradient back; the spread per layer.

    Parameters
    ----------
    x : array_like of shape (N, D)
        The input batch a⁽⁰⁾.
    weights : sequence of array_like, shapes (D, H1), (H1, H2), …
    activation : str
        ``"linear"`` or a name of :data:`mlpbook.activations.ACTIVATIONS`.
    dout : array_like of shape (N, H), optional
        ∂L/∂a⁽ᴹ⁾ at the top; default standard normal entries (seed 0).

    Returns
    -------
    Spread
        ``np.std`` over all entries of each layer's z, a and input gradient.
    """
    f, df = _activation(activation)
    a = as_float_array(x, "x")
    if a.ndim != 2:
        raise ValueError(f"x: expected shape (N, D), got {a.shape}")
    ws = [as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
    if not ws:
        raise ValueError("weights: expected at least one matrix")
    zs, z_std, a_std = [], [], []
    for i, w in enumerate(ws):
        if w.ndim != 2 or w.shape[0] != a.shape[1]:
            raise ValueError(f"weights[{i}]: expected shape ({a.shape[1]}, H), got {w.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            z = a @ w
            a = f(z)
        zs.append(z)
        z_std.append(z.std())
        a_std.append(a.std())
    if dout is None:
        dout = np.random.default_rng(0).standard_normal(a.shape)
    g = as_float_array(dout, "dout")
    if g.shape != a.shape:
        raise ValueError(f"dout: expected shape {a.shape}, got {g.shape}")
    grad_std = []
    for z, w in zip(reversed(zs), reversed(ws), strict=True):
        with np.errstate(over="ignore", invalid="ignore"):
            g = (g * df(z)) @ w.T
        grad_std.append(g.std())
    return Spread(np.array(z_std), np.array(a_std), np.array(grad_std[::-1]), a)


def _expect(g, q: float) -> float:
    """E[g(z)] for z ~ N(0, q), by quadrature on a fine grid (exact enough at kinks)."""
    s = np.sqrt(q)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.trapezoid(g(s * _GRID) * _DENSITY, _GRID))


def predicted_spread(
    activation: str, weight_var: float, width: int, depth: int, input_var: float = 1.0
) -> Spread:
    """The spreads :func:`propagate` measures, as the variance recursion predicts them.

    For wide layers of i.i.d. zero-mean weights of variance ``weight_var`` and inputs of
    second moment ``input_var``, z⁽ˡ⁾ ~ N(0, q_l) with

    ``q_1 = n·Var[w]·E[x²]``,  ``q_l = n·Var[w]·E[f(z)²]`` (z ~ N(0, q_{l-1})),

    and the gradient's second moment is multiplied by ``n·Var[w]·E[f'(z)²]`` per layer.

    Parameters
    ----------
    activation : str
    weight_var : float
        Var[w] of every layer (the orthogonal scheme: gain²/n).
    width, depth : int
        n and M.
    input_var : float
        E[x²] of the input entries.

    Returns
    -------
    Spread
        Inf where the recursion overflows.
    """
    f, df = _activation(activation)
    n, depth = check_positive_int(width, "width"), check_positive_int(depth, "depth")
    if not weight_var >= 0 or not input_var >= 0:
        raise ValueError(f"expected variances >= 0, got {weight_var!r} and {input_var!r}")
    c = n * weight_var
    qs, a_std = [], []
    q = c * input_var
    for _ in range(depth):
        qs.append(q)
        mean_a = _expect(f, q)
        a_std.append(np.sqrt(max(_expect(lambda z: f(z) ** 2, q) - mean_a**2, 0.0)))
        q = c * _expect(lambda z: f(z) ** 2, q)
    factors = [c * _expect(lambda z: df(z) ** 2, q) for q in qs]
    grad_var = np.cumprod(factors[::-1])[::-1]
    with np.errstate(over="ignore"):
        return Spread(np.sqrt(np.array(qs)), np.array(a_std), np.sqrt(grad_var))


def plot_spread(measured: dict, predicted: dict | None = None, *, ax=None, ylabel="spread"):
    """Measured spreads per layer (markers) and their predictions (dashed), log y axis.

    Parameters
    ----------
    measured : dict of str to sequence of float
        A label and one value per layer.
    predicted : dict of str to sequence of float, optional
        Same labels: the predicted values, drawn in the same colour.
    ax : matplotlib Axes, optional
    ylabel : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mlpbook.plots import _new_axes

    if not measured:
        raise ValueError("measured: expected at least one series")
    ax = _new_axes(ax)
    for i, (label, values) in enumerate(measured.items()):
        v = as_float_array(values, label)
        layers = np.arange(1, v.size + 1)
        ok = np.isfinite(v) & (v > 0)
        ax.plot(layers[ok], v[ok], ".", color=f"C{i}", ms=3, label=label)
        if predicted is not None and label in predicted:
            p = as_float_array(predicted[label], label)
            ok = np.isfinite(p) & (p > 0)
            ax.plot(layers[ok], p[ok], "--", color=f"C{i}", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    return ax


def plot_singular_values(values: dict, *, ax=None, bins: int = 40):
    """Histograms of singular values on a log₁₀ axis, one per label.

    Parameters
    ----------
    values : dict of str to array_like of float > 0
    ax : matplotlib Axes, optional
    bins : int

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mlpbook.plots import _new_axes

    if not values:
        raise ValueError("values: expected at least one series")
    ax = _new_axes(ax)
    logs = {}
    for label, s in values.items():
        s = as_float_array(s, label).ravel()
        if not (s > 0).all():
            raise ValueError(f"{label}: expected singular values > 0, got min {s.min()!r}")
        logs[label] = np.log10(s)
    lo = min(v.min() for v in logs.values())
    hi = max(v.max() for v in logs.values())
    edges = np.linspace(lo - 0.5, hi + 0.5, check_positive_int(bins, "bins") + 1)  # shared bins
    for i, (label, v) in enumerate(logs.items()):
        ax.hist(v, bins=edges, color=f"C{i}", alpha=0.7, label=label)
    ax.set_xlabel("log₁₀ singular value")
    ax.set_ylabel("count")
    ax.legend(fontsize="small")
    return ax


def depth_explorer(
    scheme: str = "xavier", activation: str = "relu", *, batch: int = 128, seed: int = 0
):
    """Interactive figure: initializer, activation, depth and width → spreads per layer.

    Left: the spread of the activations (blue) and of the gradient reaching each layer's
    input (orange), measured (dots) and predicted by :func:`predicted_spread` (dashed).
    Right: the histogram of the last layer's activations.

    Parameters
    ----------
    scheme : str
        One of ``SCHEMES`` but ``"lecun"`` (for square layers it is ``"xavier"``),
        selected first.
    activation : str
        ``"linear"``, ``"tanh"``, ``"relu"`` or ``"sigmoid"``, selected first.
    batch : int
        Examples per forward pass (standard normal inputs).
    seed : int
        Seeds the inputs and the weights (the same draws for every choice of the controls).

    Returns
    -------
    mlpbook.widgets.Explorer
    """
    from mlpbook.widgets import Explorer

    if _check_scheme(scheme) == "lecun":
        raise ValueError("scheme: for square layers 'lecun' is 'xavier'; choose 'xavier'")
    names = ("linear", "tanh", "relu", "sigmoid")
    if activation not in names:
        raise ValueError(f"activation: expected one of {', '.join(names)}, got {activation!r}")
    batch = check_positive_int(batch, "batch")
    style = {"description_width": "initial"}
    controls = {
        "scheme": widgets.Dropdown(
            options=[(label, key) for key, label in SCHEMES.items() if key != "lecun"],
            value=scheme,
            description="init",
        ),
        "activation": widgets.Dropdown(options=names, value=activation, description="activation"),
        "depth": widgets.IntSlider(50, min=1, max=100, description="depth", style=style),
        "width": widgets.Dropdown(options=(32, 64, 128, 256), value=128, description="width"),
    }
    cache: dict = {}

    def base(width: int, depth: int):
        """Standard normal inputs and weights, drawn once per width for depth 100."""
        if width not in cache:
            rng = np.random.default_rng(seed)
            x = rng.standard_normal((batch, width))
            cache[width] = (x, rng.standard_normal((100, width, width)), {})
        return cache[width]

    def weights(scheme, activation, width, depth):
        x, gauss, ortho = base(width, depth)
        if scheme == "orthogonal":
            drawn = ortho.setdefault(width, [])
            drawn += [
                initializers.orthogonal((width, width), seed + i) for i in range(len(drawn), depth)
            ]
            g = initializers.gain(activation)
            return x, [g * q for q in ortho[width][:depth]]
        std = weight_std(scheme, width, width, activation)
        return x, [std * w for w in gauss[:depth]]

    def draw(fig, scheme, activation, depth, width):
        x, ws = weights(scheme, activation, width, depth)
        spread = propagate(x, ws, activation)
        var = weight_std(scheme, width, width, activation) ** 2
        theory = predicted_spread(activation, var, width, depth)
        fig.subplots_adjust(bottom=0.17, wspace=0.25)  # room for the x labels
        ax, hist = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        plot_spread(
            {"activations": spread.a, "gradients": spread.grad},
            {"activations": theory.a, "gradients": theory.grad},
            ax=ax,
        )
        ax.legend(fontsize="small", loc="best")
        ax.set_title(f"{SCHEMES[scheme]}, {activation}", fontsize="small")
        finite = spread.out[np.isfinite(spread.out)]
        hist.hist(finite.ravel(), bins=50, color="C0")
        hist.set_yticks([])
        hist.set_title(f"layer {depth}: std {finite.std():.2g}", fontsize="small")

    # On the web, 10 frames: every scheme for tanh and ReLU at depth 50, width 128.
    web_values = {"activation": ("tanh", "relu"), "depth": (50,), "width": (128,)}
    return Explorer(controls, draw, figsize=(7.5, 3.2), web_values=web_values)
