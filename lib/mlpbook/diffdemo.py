"""Figures of the backpropagation chapter: computational graphs and finite-difference errors.

- :func:`plot_value_graph` draws the graph of a :class:`mlpbook.autodiff.Value`, each
  edge labelled with the value that flows forward along it and the gradient message that
  flows back (after ``root.backward()``).
- :func:`difference_error` measures the relative error of a one-sided or centred finite
  difference of eˣ against the exact derivative, in float64 or float32, for many steps h.
- :func:`step_size_explorer` is the interactive version: a slider for log₁₀ h, the method
  and the dtype (:mod:`mlpbook.interactive` shows it on the web).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from mlpbook._checks import as_float_array
from mlpbook.autodiff import Value, topological_order
from mlpbook.plots import _new_axes
from mlpbook.widgets import Explorer

__all__ = ["difference_error", "plot_value_graph", "step_size_explorer"]

METHODS = ("centred", "forward")
DTYPES = ("float64", "float32")


def _check_choice(value, options, name: str) -> str:
    if value not in options:
        raise ValueError(f"{name}: expected one of {', '.join(options)}, got {value!r}")
    return value


def difference_error(hs, *, method: str = "centred", dtype="float64", x: float = 1.0):
    """Relative error of a finite-difference derivative of exp at ``x``, for each step h.

    forward: ``(f(x + h) − f(x))/h``, truncation error ≈ ``h·|f″|/2``;
    centred: ``(f(x + h) − f(x − h))/2h``, truncation error ≈ ``h²·|f‴|/6``;
    both plus a rounding error ≈ ``ε·|f|/h``, ε the machine epsilon of ``dtype``.
    Everything (x, h, the evaluations) is computed in ``dtype``; the exact derivative eˣ
    in float64.

    Parameters
    ----------
    hs : array_like of shape (K,)
        Positive steps.
    method : {"centred", "forward"}
    dtype : {"float64", "float32"}
    x : float

    Returns
    -------
    ndarray of shape (K,), float64
        ``|numerical − eˣ| / eˣ`` for each h.
    """
    _check_choice(method, METHODS, "method")
    dt = np.dtype(_check_choice(np.dtype(dtype).name, DTYPES, "dtype"))
    hs = as_float_array(hs, "hs", np.float64)
    if hs.ndim != 1 or np.any(hs <= 0):
        raise ValueError(f"hs: expected a 1-D array of positive steps, got {hs!r}")
    xd, h = dt.type(x), hs.astype(dt)
    if method == "forward":
        approx = (np.exp(xd + h) - np.exp(xd)) / h
    else:
        approx = (np.exp(xd + h) - np.exp(xd - h)) / (dt.type(2) * h)
    exact = np.exp(np.float64(x))
    return np.abs(approx.astype(np.float64) - exact) / exact


def _layout(nodes: list[Value]) -> dict[int, tuple[float, float]]:
    """Columns by depth (a leaf just left of its first consumer), rows spread per column."""
    consumers: dict[int, list[Value]] = {id(n): [] for n in nodes}
    parents = {id(n): [p for p in n.parents if id(p) in consumers] for n in nodes}
    for node in nodes:
        for p in parents[id(node)]:
            consumers[id(p)].append(node)
    depth: dict[int, int] = {}
    for node in nodes:  # topological order: parents first
        depth[id(node)] = 1 + max((depth[id(p)] for p in parents[id(node)]), default=-1)
    for node in nodes:
        if not node.parents and consumers[id(node)]:
            depth[id(node)] = min(depth[id(c)] for c in consumers[id(node)]) - 1
    columns: dict[int, list[Value]] = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for col, members in columns.items():
        for i, node in enumerate(members):  # the operation on the axis, its leaves above
            pos[id(node)] = (float(col), float(len(members) - 1 - i))
    return pos


def _node_text(node: Value) -> str:
    name = node.label or node.op
    return f"{name}\n{node.data:.3g}"


def _ends(p0, p1, r: float = 0.24):
    """The segment p0 → p1 shortened at both ends to the border of squares of half-width r."""
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    t = r / max(abs(dx), abs(dy))
    return (x0 + t * dx, y0 + t * dy), (x1 - t * dx, y1 - t * dy)


def plot_value_graph(root: Value, ax=None, *, show_constants: bool = False, vertical: bool = False):
    """Draw the computational graph of ``root``, values forward and gradients back.

    Each node shows its label (or its operation) and its value; each edge
    parent → child shows the value ``parent.data`` that flows forward (black) and the
    gradient message ``child.local_grads[i] * child.grad`` that flows back (red): above
    and below a horizontal arrow, left and right of any other. Call ``root.backward()``
    first for the gradients.

    Parameters
    ----------
    root : Value
    ax : matplotlib Axes, optional
    show_constants : bool
        Draw unlabelled leaves (the constants 1 of ``h + 1``) too; default hidden.
    vertical : bool
        Inputs at the top and the output at the bottom (narrow screens), instead of
        inputs on the left.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(root, Value):
        raise TypeError(f"root: expected a Value, got {type(root).__name__}")
    nodes = topological_order(root)
    if not show_constants:
        nodes = [n for n in nodes if n.parents or n.label]
    shown = {id(n) for n in nodes}
    pos = _layout(nodes)
    if vertical:
        pos = {k: (y, -x) for k, (x, y) in pos.items()}
    ax = _new_axes(ax)
    for child in nodes:
        for parent, local in zip(child.parents, child.local_grads, strict=True):
            if id(parent) not in shown:
                continue
            start, end = _ends(pos[id(parent)], pos[id(child)])
            ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": "0.4"})
            xm, ym = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            value, grad = f"{parent.data:.3g}", f"{local * child.grad:.3g}"
            if start[1] == end[1]:  # a horizontal arrow: value above, gradient below
                ax.text(xm, ym + 0.08, value, ha="center", va="bottom", fontsize=8)
                ax.text(xm, ym - 0.08, grad, ha="center", va="top", fontsize=8, color="C3")
            elif start[0] == end[0]:  # a vertical arrow: value left, gradient right
                ax.text(xm - 0.08, ym, value, ha="right", va="center", fontsize=8)
                ax.text(xm + 0.08, ym, grad, ha="left", va="center", fontsize=8, color="C3")
            else:  # a slanted arrow: both on its outer side, value above the gradient
                side, ha = (0.1, "left") if vertical else (-0.1, "right")
                ax.text(xm + side, ym, value, ha=ha, va="bottom", fontsize=8)
                ax.text(xm + side, ym, grad, ha=ha, va="top", fontsize=8, color="C3")
    for node in nodes:
        x, y = pos[id(node)]
        leaf = not node.parents
        box = FancyBboxPatch(
            (x - 0.2, y - 0.2),
            0.4,
            0.4,
            boxstyle="round,pad=0.02",
            facecolor="0.92" if leaf else "white",
            edgecolor="0.2",
        )
        ax.add_patch(box)
        ax.text(x, y, _node_text(node), ha="center", va="center", fontsize=8)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.35, max(ys) + 0.35)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _plain_log_ticks(ax) -> None:
    """Ticks 1e-12, 1e-10, … as plain text: mathtext labels cost most of a frame's time."""
    label = FuncFormatter(lambda v, _: f"1e{round(np.log10(v))}")
    for axis, exps in ((ax.xaxis, range(-12, 0, 2)), (ax.yaxis, range(-16, 1, 4))):
        axis.set_major_locator(FixedLocator([10.0**e for e in exps]))
        axis.set_major_formatter(label)
        axis.set_minor_locator(NullLocator())


def step_size_explorer() -> Explorer:
    """The error of a finite difference against the step h, for each method and dtype.

    Controls: log₁₀ h (−12 … −1), the method (centred or forward) and the dtype (float64
    or float32). All four error curves of :func:`difference_error` are drawn, the chosen
    one in colour with the current h marked; the title gives that error.
    """
    controls = {
        "log10_h": widgets.FloatSlider(
            -6.0,
            min=-12.0,
            max=-1.0,
            step=0.5,
            description="log₁₀ h",
            continuous_update=False,
        ),
        "method": widgets.Dropdown(options=METHODS, description="difference"),
        "dtype": widgets.Dropdown(options=DTYPES, description="dtype"),
    }
    hs = np.logspace(-12, -1, 111)
    curves = {(m, d): difference_error(hs, method=m, dtype=d) for m in METHODS for d in DTYPES}

    def draw(fig, log10_h, method, dtype):
        ax = fig.add_subplot()
        for (m, d), err in curves.items():
            chosen = (m, d) == (method, dtype)
            style = {
                "color": "C0" if m == "centred" else "C1",
                "lw": 2 if chosen else 0.8,
                "ls": "-" if d == "float64" else "--",
                "alpha": 1 if chosen else 0.35,
            }
            ax.loglog(hs, np.maximum(err, 1e-17), label=f"{m}, {d}", **style)
        h = 10.0**log10_h
        err = float(difference_error([h], method=method, dtype=dtype)[0])
        ax.plot([h], [max(err, 1e-17)], "ko", ms=7)
        ax.set_ylim(1e-17, 10)
        _plain_log_ticks(ax)
        ax.set_xlabel("step h")
        ax.set_ylabel("relative error of f′(1), f = exp")
        ax.set_title(f"{method}, {dtype}, h = 1e{log10_h:g}: error {err:.1e}")
        ax.legend(fontsize=7, loc="lower left")

    # On the web: 7 steps x 2 methods x 2 dtypes = 28 frames.
    web_values = {"log10_h": (-12.0, -10.0, -8.0, -6.0, -4.0, -2.0, -1.0)}
    return Explorer(controls, draw, figsize=(6.0, 4.0), web_values=web_values)
