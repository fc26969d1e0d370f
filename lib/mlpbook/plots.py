"""Matplotlib figures the chapters share.

Every function draws into ``ax`` (or ``axes``) when given one and otherwise makes a new
figure; it returns the Axes, or the Figure for multi-panel plots, and never calls
``plt.show()``. Class colours are matplotlib's ``C0``, ``C1``, … everywhere. Importing
this module changes no global style: call ``use_book_style()`` for the book's look.
"""

from __future__ import annotations

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgba
from matplotlib.mathtext import MathTextParser

from mlpbook._checks import as_float_array, check_labels, check_positive_int, check_shape

_BOOK_STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


def use_book_style() -> None:
    """Set the few rcParams the book's figures use (light grid, no top/right spines)."""
    plt.rcParams.update(_BOOK_STYLE)


def _new_axes(ax):
    return plt.subplots()[1] if ax is None else ax


def _panels(count: int, ncols: int, width: float, height: float, **kwargs):
    """A figure with ``count`` visible panels on a grid of ``ncols`` columns."""
    nrows = max(1, math.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, layout="constrained", **kwargs)  # fmt: skip
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes.flat[:count]


def _class_colors(num_classes: int) -> list:
    return [to_rgba(f"C{c % 10}") for c in range(num_classes)]


@functools.cache
def _mathtext(tex: str, fallback: str) -> str:
    """``$tex$`` if matplotlib's mathtext can draw it, else the plain fallback."""
    try:
        MathTextParser("path").parse(f"${tex}$")
    except ValueError:  # e.g. \begin{cases}, which mathtext does not know
        return fallback
    return f"${tex}$"


def plot_activation(
    name_or_activation, *, ax=None, x=None, derivative=True, shade_below=None, **params
):
    """Draw an activation (solid) and its derivative (dashed), marking the kinks.

    Parameters
    ----------
    name_or_activation : str or mlpbook.activations.Activation
        A name for ``get_activation`` (then ``**params`` are its parameters, e.g. ``r``).
    x : numpy.ndarray of shape (M,), optional
        Where to evaluate; default 601 points on [-4, 4].
    derivative : bool
        Also draw f'. At a kink the derivative's line is broken, its one-sided limits
        drawn as open circles and the value the code uses as a filled dot.
    shade_below : float, optional
        Shade (grey) the x where :math:`|f'(x)| <` ``shade_below``: where the unit is
        saturated or inactive and passes almost no gradient back.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mlpbook.activations import get_activation

    if isinstance(name_or_activation, str):
        act = get_activation(name_or_activation, **params)
    elif params:
        raise TypeError("pass parameters only with an activation name, not an Activation")
    else:
        act = name_or_activation
    x = np.linspace(-4.0, 4.0, 601) if x is None else np.sort(as_float_array(x, "x"))
    check_shape(x, ("M",), "x")
    ax = _new_axes(ax)
    if shade_below is not None:
        flat = np.abs(act.grad(x)) < float(shade_below)
        ax.fill_between(x, 0, 1, where=flat, color="0.85", lw=0, zorder=0,
                        transform=ax.get_xaxis_transform())  # fmt: skip
    kinks = np.array([k for k in act.kinks if x[0] <= k <= x[-1]], dtype=float)
    ax.plot(x, act.fn(x), color="C0", label=_mathtext(act.formula, act.name))
    if kinks.size:
        ax.scatter(kinks, act.fn(kinks), color="C0", s=18, zorder=3)
    if derivative:
        # a NaN at each kink breaks the line, so no false vertical segment is drawn
        xd = np.concatenate([x, kinks])
        order = np.argsort(xd, kind="stable")
        gd = np.concatenate([act.grad(x), np.full(kinks.size, np.nan)])
        dlabel = _mathtext(act.derivative_formula, f"{act.name}'")
        ax.plot(xd[order], gd[order], "--", color="C1", label=dlabel)
        if kinks.size:
            eps = 1e-6 * (x[-1] - x[0])
            sides = np.concatenate([kinks - eps, kinks + eps])
            ax.scatter(sides, act.grad(sides), s=30, facecolors="white", edgecolors="C1", zorder=3)
            ax.scatter(kinks, act.grad(kinks), s=18, color="C1", zorder=4)
    ax.set_title(act.name)
    ax.set_xlabel("x")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_activation_grid(
    names=None, ncols: int = 3, *, derivative: bool = True, shade_below=None, params=None
):
    """One small ``plot_activation`` panel per name (default: every name in ACTIVATIONS).

    Parameters
    ----------
    names : sequence of str, optional
    ncols : int
    derivative : bool
        Also draw each f'.
    shade_below : float, optional
        Passed to ``plot_activation``: shade where :math:`|f'| <` ``shade_below``.
    params : dict of str to dict, optional
        Parameters by name, e.g. ``{"leaky_relu": {"r": 0.1}}``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from mlpbook.activations import ACTIVATIONS

    names = ACTIVATIONS if names is None else tuple(names)
    params = {} if params is None else dict(params)
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise ValueError(f"params: names not in the grid: {', '.join(unknown)}")
    fig, axes = _panels(len(names), check_positive_int(ncols, "ncols"), 3.6, 2.8)
    for ax, name in zip(axes, names, strict=True):
        plot_activation(
            name, ax=ax, derivative=derivative, shade_below=shade_below, **params.get(name, {})
        )
    return fig


def _probability_of_one(out: np.ndarray, m: int) -> np.ndarray:
    """P(class 1) of shape (M,) from probabilities or scores of shape (M,), (M, 1), (M, 2)."""
    if out.ndim == 2 and out.shape[1] == 2:
        if np.all((out >= 0) & (out <= 1)) and np.allclose(out.sum(axis=1), 1):
            return out[:, 1]
        out = out[:, 1] - out[:, 0]  # scores: softmax over two classes is a sigmoid of this
    out = out.reshape(m)
    if np.all((out >= 0) & (out <= 1)):
        return out
    return 0.5 * (1 + np.tanh(out / 2))  # logistic, without overflow warnings


def plot_decision_boundary(predict, x, y, *, ax=None, resolution=200, padding=0.5, proba=False):
    """Shade the regions a classifier assigns to each class, over the data points.

    Parameters
    ----------
    predict : callable
        Maps a grid of shape (M, 2) to labels of shape (M,) or, with ``proba``, to
        probabilities or scores of shape (M,) or (M, C). One or two columns are shaded
        by P(class 1), with the 0.5 contour; more columns are shaded by their argmax.
    x : numpy.ndarray of shape (N, 2)
    y : numpy.ndarray of shape (N,)
        Integer class labels, any number of classes.
    resolution : int
        Grid points along each axis.
    padding : float
        Margin around the data, in data units.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = as_float_array(x, "x")
    n = check_shape(x, ("N", 2), "x")["N"]
    y = check_labels(y, n, None)
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    lo, hi = x.min(axis=0) - padding, x.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    m = grid.shape[0]
    out = np.asarray(predict(grid))
    if out.ndim not in (1, 2) or out.shape[0] != m:
        raise ValueError(f"predict: expected an output of shape (M,) or (M, C), got {out.shape}")
    ax = _new_axes(ax)
    if proba and (out.ndim == 1 or out.shape[1] <= 2):
        p1 = _probability_of_one(out.astype(float), m).reshape(xx.shape)
        cmap = LinearSegmentedColormap.from_list("p1", ["C0", "white", "C1"])
        ax.contourf(xx, yy, p1, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
        if p1.min() < 0.5 < p1.max():  # contour() warns when the level is never crossed
            ax.contour(xx, yy, p1, levels=[0.5], colors="k", linewidths=1)
        labels = None
    else:
        labels = out.argmax(axis=1) if proba else out.astype(np.int64) if out.dtype == bool else out
        check_shape(labels, (m,), "predict(grid)")
        labels = check_labels(labels, m, None, "predict(grid)")
    num_classes = max(int(y.max(initial=0)), -1 if labels is None else int(labels.max())) + 1
    colors = _class_colors(max(num_classes, 2))
    if labels is not None:
        levels = np.arange(len(colors) + 1) - 0.5
        cmap = ListedColormap(colors)
        ax.contourf(xx, yy, labels.reshape(xx.shape), levels=levels, cmap=cmap, alpha=0.3)
    ax.scatter(x[:, 0], x[:, 1], c=[colors[c] for c in y], edgecolors="k", s=20, zorder=3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return ax


def _clip_half_plane(w, b, xlim, ylim) -> np.ndarray:
    """Corners of the rectangle's part where w·x + b >= 0, shape (K, 2)."""
    corners = np.array(
        [(xlim[0], ylim[0]), (xlim[1], ylim[0]), (xlim[1], ylim[1]), (xlim[0], ylim[1])]
    )
    f = corners @ w + b
    poly = []
    for i in range(4):
        j = (i + 1) % 4
        if f[i] >= 0:
            poly.append(corners[i])
        if (f[i] >= 0) != (f[j] >= 0):
            poly.append(corners[i] + f[i] / (f[i] - f[j]) * (corners[j] - corners[i]))
    return np.array(poly).reshape(-1, 2)


def plot_perceptron_line(w, b, *, ax=None, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5)):
    """Draw the perceptron's boundary w·x + b = 0, its positive side and its normal w.

    Parameters
    ----------
    w : numpy.ndarray of shape (2,)
    b : float
    xlim, ylim : tuple of float
        The window to draw.

    Returns
    -------
    matplotlib.axes.Axes
        One line (none when w = 0, which a text then explains).
    """
    w = as_float_array(w, "w").astype(float)
    check_shape(w, (2,), "w")
    b = float(b)
    ax = _new_axes(ax)
    poly = _clip_half_plane(w, b, xlim, ylim)
    if len(poly) >= 3:
        ax.fill(poly[:, 0], poly[:, 1], color="C1", alpha=0.15, lw=0, label="w·x + b ≥ 0")
    norm = np.hypot(*w)
    if norm == 0:
        side = "1 (positive)" if b >= 0 else "0 (negative)"
        ax.text(
            0.5,
            0.5,
            f"w = 0: no boundary,\nevery point is class {side}",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    else:
        if abs(w[1]) >= abs(w[0]):
            xs = np.array(xlim, dtype=float)
            ys = -(w[0] * xs + b) / w[1]
        else:  # steep or vertical: solve for x instead
            ys = np.array(ylim, dtype=float)
            xs = -(w[1] * ys + b) / w[0]
        ax.plot(xs, ys, color="k", lw=1.5, label="w·x + b = 0")
        centre = np.array([np.mean(xlim), np.mean(ylim)])
        foot = centre - (w @ centre + b) / norm**2 * w  # closest boundary point to the centre
        tip = foot + 0.2 * min(np.ptp(xlim), np.ptp(ylim)) * w / norm
        ax.annotate("", xy=tip, xytext=foot, arrowprops={"arrowstyle": "->", "lw": 1.5})
        ax.annotate("w", xy=tip, xytext=(3, 3), textcoords="offset points")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_aspect("equal")
    return ax


def plot_history(history, *, axes=None):
    """Loss curves (and accuracy curves when recorded), with the best epoch marked.

    Parameters
    ----------
    history : object
        With lists ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy`` (any may be
        empty) and ``best_epoch``, a 0-based index or None. Epochs are drawn from 1.
    axes : sequence of Axes, optional
        One for the loss, a second for accuracy if there is any.

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = {
        k: list(getattr(history, k, None) or [])
        for k in ("loss", "val_loss", "accuracy", "val_accuracy")
    }
    panels = [("loss", "val_loss")]
    if series["accuracy"] or series["val_accuracy"]:
        panels.append(("accuracy", "val_accuracy"))
    axes = list(
        _panels(len(panels), len(panels), 5, 3.5)[1] if axes is None else np.atleast_1d(axes)
    )
    if len(axes) < len(panels):
        raise ValueError(f"axes: expected {len(panels)} Axes (loss, accuracy), got {len(axes)}")
    best = getattr(history, "best_epoch", None)
    longest = max(len(s) for s in series.values())
    if best is not None and not 0 <= best < longest:
        raise ValueError(f"best_epoch: expected a 0-based index in 0..{longest - 1}, got {best!r}")
    for ax, (train, val) in zip(axes, panels, strict=False):
        for key, style in ((train, "-"), (val, "--")):
            if series[key]:
                epochs = np.arange(1, len(series[key]) + 1)
                ax.plot(epochs, series[key], style, label=key.replace("_", " "))
        if best is not None:
            ax.axvline(best + 1, color="gray", ls=":", label=f"best epoch ({best + 1})")
            marked = val if best < len(series[val]) else train
            if best < len(series[marked]):
                ax.scatter([best + 1], [series[marked][best]], color="k", zorder=3)
        ax.set_xlabel("epoch")
        ax.set_ylabel(train)
        if ax.lines:
            ax.legend(fontsize="small")
        else:
            ax.text(0.5, 0.5, "nothing recorded", ha="center", transform=ax.transAxes)
    return axes[0].figure


def _column(a, name: str, dims: dict) -> np.ndarray:
    """Accept shape (N,) or (N, 1) and return shape (N,)."""
    a = as_float_array(a, name)
    check_shape(a, ("N", 1) if a.ndim == 2 else ("N",), name, dims)
    return a.reshape(-1)


def plot_function_fit(
    x, y_true, y_pred=None, *, ax=None, components=None, x_train=None, y_train=None
):
    """A 1-D target, a model's approximation, its hidden units and the training points.

    Parameters
    ----------
    x, y_true : numpy.ndarray of shape (N,) or (N, 1)
        Where the curves are drawn, and the target there.
    y_pred : numpy.ndarray of shape (N,) or (N, 1), optional
        The model's output.
    components : numpy.ndarray of shape (N, H), optional
        Each hidden unit's contribution to the output, drawn as thin lines.
    x_train, y_train : numpy.ndarray of shape (M,) or (M, 1), optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    dims: dict = {}
    x = _column(x, "x", dims)
    order = np.argsort(x, kind="stable")
    ax = _new_axes(ax)
    if components is not None:
        components = as_float_array(components, "components")
        check_shape(components, ("N", "H"), "components", dims)
        for h, comp in enumerate(components[order].T):
            ax.plot(
                x[order],
                comp,
                lw=0.7,
                alpha=0.5,
                color="C2",
                label="hidden units" if h == 0 else None,
            )
    ax.plot(x[order], _column(y_true, "y_true", dims)[order], color="k", lw=2, label="target")
    if y_pred is not None:
        ax.plot(
            x[order],
            _column(y_pred, "y_pred", dims)[order],
            "--",
            color="C3",
            lw=2,
            label="network",
        )
    if (x_train is None) != (y_train is None):
        raise ValueError("x_train and y_train: pass both or neither")
    if x_train is not None:
        train_dims: dict = {}
        xt, yt = _column(x_train, "x_train", train_dims), _column(y_train, "y_train", train_dims)
        ax.scatter(xt, yt, s=15, color="C0", zorder=3, label="training points")
    ax.set_xlabel("x")
    ax.legend(fontsize="small")
    return ax


def plot_weight_histograms(arrays, labels, *, bins: int = 50):
    """One histogram per layer (weights, activations or gradients), on a shared x-axis.

    Parameters
    ----------
    arrays : sequence of numpy.ndarray, any shapes
        One array per layer; non-finite values are left out and counted in the title.
    labels : sequence of str
        One title per array.

    Returns
    -------
    matplotlib.figure.Figure
    """
    arrays, labels = list(arrays), list(labels)
    if len(arrays) != len(labels) or not arrays:
        raise ValueError(
            f"expected one label per array (at least one array), "
            f"got {len(arrays)} arrays and {len(labels)} labels"
        )
    bins = check_positive_int(bins, "bins")
    fig, axes = _panels(len(arrays), min(len(arrays), 5), 2.8, 2.4, sharex=True)
    for ax, a, label in zip(axes, arrays, labels, strict=True):
        values = as_float_array(a, label).ravel()
        finite = values[np.isfinite(values)]
        title = (
            f"{label}\nmean {finite.mean():.2g}, std {finite.std():.2g}" if finite.size else label
        )
        if finite.size < values.size:
            title += f"\n{values.size - finite.size} non-finite"
        ax.hist(finite, bins=bins, color="C0")
        ax.set_title(title, fontsize="small")
    return fig


def plot_layer_statistics(values, *, ax=None, ylabel="value", log=True):
    """One line per series of per-layer values, layer 1 (next to the input) on the left.

    Parameters
    ----------
    values : dict of str to sequence of float
        A label (e.g. an activation's name) and one value per layer, such as the norm of
        each layer's weight gradient.
    ylabel : str
    log : bool
        Logarithmic y axis (values must then be > 0).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not values:
        raise ValueError("values: expected at least one series")
    ax = _new_axes(ax)
    for label, series in values.items():
        v = as_float_array(series, label)
        check_shape(v, ("L",), label)
        if log and not (v > 0).all():
            raise ValueError(f"{label}: a log axis needs values > 0, got min {v.min()!r}")
        ax.plot(np.arange(1, v.size + 1), v, "o-", label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def plot_saturation(z, name="sigmoid", *, axes=None, threshold=0.01, **params):
    """Histograms of a batch of pre-activations z, of f(z) and of f'(z).

    Parameters
    ----------
    z : array_like of any shape
        Pre-activations, flattened.
    name : str
        An activation name for ``get_activation`` (``**params`` are its parameters).
    axes : sequence of 3 Axes, optional
    threshold : float
        The third panel's title gives the fraction of entries with
        :math:`|f'(z)| <` ``threshold``: saturated (or inactive) units.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from mlpbook.activations import get_activation

    act = get_activation(name, **params)
    z = as_float_array(z, "z").reshape(-1)
    if z.size == 0:
        raise ValueError("z: expected at least one value")
    if axes is None:
        axes = _panels(3, 3, 3.0, 2.6)[1]
    axes = list(np.atleast_1d(axes))
    if len(axes) != 3:
        raise ValueError(f"axes: expected 3 Axes (z, f(z), f'(z)), got {len(axes)}")
    grad = act.grad(z)
    flat = float(np.mean(np.abs(grad) < threshold))
    for ax, v, title, color in zip(
        axes,
        (z, act.fn(z), grad),
        ("z", f"{act.name}(z)", f"{act.name}'(z)"),
        ("C7", "C0", "C1"),
        strict=True,
    ):
        ax.hist(v, bins=40, color=color)
        ax.set_title(title)
        ax.set_yticks([])
    axes[2].set_title(f"{act.name}'(z): {flat:.0%} below {threshold:g}")
    return axes[0].figure
