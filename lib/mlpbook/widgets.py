"""Interactive views (ipywidgets) the chapters share.

Every builder returns an :class:`Explorer`: an ``ipywidgets.VBox`` of controls above an
``ipywidgets.Output``. One pattern everywhere:

- ``view.controls`` maps each control's name to its widget;
- ``view.update(**values)`` sets controls by name, redraws once and returns the Figure;
- ``view.figure`` is the last Figure drawn.

The figure is drawn when the view is built and stored in the Output as a PNG, so the
view also shows in a static HTML page with embedded widget state, with no kernel and
whatever the matplotlib backend. Figures are plain ``matplotlib.figure.Figure`` objects,
outside pyplot, so they never pile up and need no closing.

On the web: ``mlpbook.interactive.show(view)`` adds a version whose controls switch
between frames computed at build time; ``view.web_values`` holds the slider values it
offers. A view displayed bare shows on the web as its figure, a plain image (its
``text/html``), never as controls that do nothing.
"""

from __future__ import annotations

import base64
import io
import math
import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from traitlets import TraitError

from mlpbook import activations, approximation, data, plots
from mlpbook._checks import as_float_array, check_positive_int, check_shape
from mlpbook.perceptron import perceptron_predict, step

# the one parameter each activation takes, as declared in `activations`
_PARAMS = {
    name: next(iter(params))
    for name in activations.ACTIVATIONS
    if (params := activations.activation_params(name))
}
_STYLE = {"description_width": "initial"}


class Explorer(widgets.VBox):
    """Controls above an Output holding the figure that ``draw`` makes from their values.

    Parameters
    ----------
    controls : dict of str to ipywidgets.ValueWidget
        Named controls; any change redraws.
    draw : callable
        ``draw(fig, **values)`` draws into the empty Figure ``fig``.
    figsize : tuple of float
    web_values : dict of str to sequence, optional
        For some sliders, the values the web version offers (``mlpbook.interactive``).
    """

    def __init__(self, controls: dict, draw, *, figsize=(6.0, 4.0), web_values=None):
        super().__init__()
        self.controls = dict(controls)
        self.web_values = dict(web_values or {})
        self.output = widgets.Output()
        self.figure: Figure | None = None
        self._draw, self._figsize, self._holding = draw, figsize, False
        box = widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"})
        self.children = (box, self.output)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    def _repr_mimebundle_(self, **kwargs):
        from mlpbook.interactive import plain_figure_html

        data = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = plain_figure_html(self)  # the book shows this: no dead controls
        return data

    @property
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def _on_change(self, _change) -> None:
        if not self._holding:
            self.redraw()

    def update(self, **values) -> Figure:
        """Set the named controls (a ValueError for unknown names or values), then redraw."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; valid: {', '.join(self.controls)}")
        self._holding = True  # one redraw for the whole update, not one per control
        try:
            for name, value in values.items():
                control = self.controls[name]
                lo, hi = getattr(control, "min", None), getattr(control, "max", None)
                if isinstance(control, widgets.FloatLogSlider):
                    lo, hi = control.base**lo, control.base**hi
                if lo is not None and not lo <= value <= hi:  # sliders would silently clip
                    raise ValueError(f"{name}: expected a value in [{lo}, {hi}], got {value!r}")
                try:
                    control.value = value
                except TraitError as err:
                    raise ValueError(f"{name}: {err}") from None
        finally:
            self._holding = False
        return self.redraw()

    def redraw(self) -> Figure:
        """Draw the figure for the current values and show it in the Output."""
        fig = Figure(figsize=self._figsize)  # fixed margins: constrained layout doubles the cost
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.92)
        self._draw(fig, **self.values)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        data_ = {"image/png": png, "text/plain": f"<Figure: {self.values}>"}
        self.output.outputs = ({"output_type": "display_data", "data": data_, "metadata": {}},)
        self.figure = fig
        return fig


def activation_explorer(names=None) -> Explorer:
    """Pick an activation, set its parameter (leaky slope r, ELU α), toggle f'.

    Parameters
    ----------
    names : sequence of str, optional
        The dropdown's choices; default every name in ``activations.ACTIVATIONS``.
    """
    names = activations.ACTIVATIONS if names is None else tuple(names)
    for name in names:
        activations.get_activation(name)  # fail now, with the list of valid names
    sliders = {
        "r": widgets.FloatSlider(0.1, min=-0.5, max=1.0, step=0.01, description="slope r"),
        "alpha": widgets.FloatSlider(1.0, min=0.0, max=3.0, step=0.05, description="ELU α"),
    }
    controls = {
        "activation": widgets.Dropdown(options=names, value=names[0], description="activation"),
        **sliders,
        "derivative": widgets.Checkbox(True, description="show derivative"),
    }

    def draw(fig, activation, r, alpha, derivative):
        param = _PARAMS.get(activation)
        for key, slider in sliders.items():
            slider.layout.display = None if key == param else "none"
        params = {param: {"r": r, "alpha": alpha}[param]} if param else {}
        plots.plot_activation(activation, ax=fig.add_subplot(), derivative=derivative, **params)

    web_values = {"r": (-0.5, -0.2, 0.0, 0.1, 0.3, 0.6, 1.0), "alpha": (0.0, 0.5, 1.0, 2.0, 3.0)}
    return Explorer(controls, draw, figsize=(6.0, 3.8), web_values=web_values)


def perceptron_errors(w, b, x, y):
    """How many points the perceptron ``step(x·w + b)`` misclassifies.

    Parameters
    ----------
    w : array_like of shape (2,) or (K, 2)
        One weight vector, or K of them evaluated at once.
    b : float or array_like of shape (K,)
    x : numpy.ndarray of shape (N, 2)
    y : numpy.ndarray of shape (N,)
        Labels 0/1.

    Returns
    -------
    int, or numpy.ndarray of shape (K,) for K weight vectors
    """
    x = as_float_array(x, "x")
    check_shape(x, ("N", 2), "x")
    w, b = as_float_array(w, "w"), as_float_array(b, "b")
    pred = step(w @ x.T + b[..., None])  # (N,) or (K, N)
    return (pred != np.asarray(y)).sum(axis=-1)


def perceptron_playground(gate: str = "xor") -> Explorer:
    """Sliders for w1, w2, b and a gate dropdown; the title counts the misclassified points.

    For XOR no setting reaches 0 errors: its two classes are not linearly separable.
    """
    data.logic_gate(gate)  # fail now, with the list of valid names
    slider = dict(min=-2.0, max=2.0, step=0.1, style=_STYLE)
    controls = {
        "gate": widgets.Dropdown(
            options=[(g.upper(), g) for g in data.LOGIC_GATES],
            value=gate.lower(),
            description="gate",
        ),
        "w1": widgets.FloatSlider(1.0, description="w₁", **slider),
        "w2": widgets.FloatSlider(1.0, description="w₂", **slider),
        "b": widgets.FloatSlider(-0.5, description="b", **slider),
    }

    def draw(fig, gate, w1, w2, b):
        x, y = data.logic_gate(gate)
        ax = plots.plot_perceptron_line([w1, w2], b, ax=fig.add_subplot())
        wrong = perceptron_predict(x, np.array([w1, w2]), b) != y
        ax.scatter(x[:, 0], x[:, 1], c=[f"C{c}" for c in y], s=80, edgecolors="k", zorder=3)
        ax.scatter(*x[wrong].T, s=300, facecolors="none", edgecolors="red", lw=2, zorder=3)
        ax.set_title(f"{gate.upper()}: {int(wrong.sum())} of 4 misclassified")

    # On the web, 96 frames: AND, OR, NAND and NOR reach 0 errors, XOR and XNOR 1.
    web_values = {"w1": (-1.0, 1.0), "w2": (-1.0, 1.0), "b": (-1.5, -0.5, 0.5, 1.5)}
    return Explorer(controls, draw, figsize=(4.5, 4.5), web_values=web_values)


def staircase_network(f, n: int, steepness: float = 10.0, low=-1.0, high=1.0, *, kind="sigmoid"):
    """Weights of a 1-D, one-hidden-layer network that approximates ``f`` on [low, high].

    The target sampled on the grid ``x_i = low + i h``, ``h = (high - low) / n``,
    i = 0..n, handed to ``mlpbook.approximation`` (the constructions live there):

    - ``kind="sigmoid"``: `~mlpbook.approximation.sigmoid_staircase`, unit i (1..n) a
      step of height ``f(x_i) - f(x_{i-1})`` centred halfway between ``x_{i-1}`` and
      ``x_i``, ``σ(steepness (x - centre) / h)``: steepness is per grid cell, so it means
      the same for every n. Large steepness gives a staircase; about 10 smooths its corners.
    - ``kind="relu"``: `~mlpbook.approximation.relu_interpolant`, the piecewise-linear
      interpolant of f through the grid, unit i (0..n-1) a ReLU hinge at ``x_i`` adding
      the change of slope there.

    Parameters
    ----------
    f : callable or str
        A vectorised function of x of shape (M,), or a name for ``data.target_function``.
    n : int
        Hidden units.

    Returns
    -------
    w1 : numpy.ndarray of shape (1, n)
    b1 : numpy.ndarray of shape (n,)
    w2 : numpy.ndarray of shape (n, 1)
    b2 : numpy.ndarray of shape (1,)
        ``out = act(x @ w1 + b1) @ w2 + b2`` (see ``one_hidden_layer``), b2 = f(low).
    """
    f = data.target_function(f) if isinstance(f, str) else f
    n = check_positive_int(n, "n")
    if kind not in ("sigmoid", "relu"):
        raise ValueError(f"kind: expected 'sigmoid' or 'relu', got {kind!r}")
    if not (isinstance(steepness, numbers.Real) and 0 < steepness < np.inf):
        raise ValueError(f"steepness: expected a finite number > 0, got {steepness!r}")
    if not low < high:
        raise ValueError(f"expected low < high, got low={low!r}, high={high!r}")
    grid = np.linspace(low, high, n + 1)
    fg = np.asarray(f(grid), dtype=np.float64).reshape(n + 1)
    if kind == "sigmoid":
        return approximation.sigmoid_staircase(grid, fg, steepness)
    return approximation.relu_interpolant(grid, fg)


def one_hidden_layer(x, params, *, kind="sigmoid"):
    """Evaluate ``act(x @ w1 + b1) @ w2 + b2`` and each hidden unit's share of it.

    Parameters
    ----------
    x : numpy.ndarray of shape (N, 1)
    params : tuple (w1 (1, H), b1 (H,), w2 (H, 1), b2 (1,))
    kind : {"sigmoid", "relu"}

    Returns
    -------
    out : numpy.ndarray of shape (N, 1)
    components : numpy.ndarray of shape (N, H)
        ``act(x @ w1 + b1) * w2.T`` (`mlpbook.approximation.unit_contributions`);
        ``out = components.sum(axis=1) + b2``.
    """
    x = as_float_array(x, "x")
    check_shape(x, ("N", 1), "x")
    components = approximation.unit_contributions(x, params, kind)
    return components.sum(axis=1, keepdims=True) + np.asarray(params[3]), components


# The approximation explorer's targets on [-1, 1]: label, Lipschitz constant K (inf: a jump).
_TARGETS = {
    "sine": ("sin(πx)", math.pi),
    "cubic": ("x³ − x", 2.0),
    "abs": ("|x|", 1.0),
    "square": ("x²", 2.0),
    "step": ("step", math.inf),
}


def _explorer_target(name: str):
    if isinstance(name, str) and name.lower() == "square":
        return np.square
    return data.target_function(name)  # a ValueError with the valid names otherwise


def approximation_explorer(target: str = "sine") -> Explorer:
    """Universal approximation by hand: n steep sigmoids (or ReLU hinges) fit a target.

    Sliders for the number of hidden units n (1..50) and the steepness s per cell. The
    weights come from `mlpbook.approximation` (``sigmoid_staircase``,
    ``relu_interpolant``); the grey band is the target ± the chapter's bound on the sup
    error, ``K·h/2`` (ReLU) or ``K·h·(½ + 2 ln 2/s)`` (sigmoid), h = 2/n, and the title
    gives the largest error on [-1, 1] next to that bound (none for the step: a jump has
    no Lipschitz constant K).

    The "no biases" box shows the best network without hidden and output biases
    (``nobias_relu_fit``): two slopes through 0, the same for every n ≥ 2, so n, the
    kind and the steepness are disabled; on x² it stays 3 − 2√2 ≈ 0.172 off.

    Parameters
    ----------
    target : str
        "sine", "cubic", "abs", "square" (x²) or "step".
    """
    _explorer_target(target)  # fail now, with the list of valid names
    controls = {
        "target": widgets.Dropdown(
            options=[(label, name) for name, (label, _) in _TARGETS.items()],
            value=target.lower(),
            description="target",
        ),
        "kind": widgets.Dropdown(options=("sigmoid", "relu"), description="units"),
        "n": widgets.IntSlider(8, min=1, max=50, description="hidden units n", style=_STYLE),
        "steepness": widgets.FloatLogSlider(
            10.0, base=10, min=0, max=3, description="steepness s", style=_STYLE
        ),
        "no_bias": widgets.Checkbox(False, description="no biases"),
    }
    for name in ("n", "steepness"):
        controls[name].continuous_update = False  # redraw when released, not on every tick

    def draw(fig, target, kind, n, steepness, no_bias):
        for name in ("kind", "n"):
            controls[name].disabled = no_bias
        controls["steepness"].disabled = no_bias or kind == "relu"
        f = _explorer_target(target)
        x = np.linspace(-1.0, 1.0, 801)
        ax = fig.add_subplot()
        if no_bias:
            params, act = approximation.nobias_relu_fit(x, f(x)), "relu"
        else:
            grid = np.linspace(-1.0, 1.0, n + 1)
            if kind == "relu":
                params = approximation.relu_interpolant(grid, f(grid))
            else:
                params = approximation.sigmoid_staircase(grid, f(grid), steepness)
            act = kind
        out = approximation.forward(x, params, act)[:, 0]
        components = approximation.unit_contributions(x, params, act)
        error = approximation.sup_error(out, f(x))
        lipschitz, h = _TARGETS[target][1], 2.0 / n
        if no_bias:
            title = f"no biases, any n ≥ 2: max error {error:.3f}"
        elif math.isinf(lipschitz):
            title = f"{n} {kind} units: max error {error:.3f} (a jump: no bound)"
        else:
            if kind == "relu":
                bound = approximation.relu_bound(lipschitz, h)
            else:
                bound = approximation.staircase_bound(lipschitz, h, steepness)
            ax.fill_between(x, f(x) - bound, f(x) + bound, color="0.85", label="f ± bound")
            title = f"{n} {kind} units: max error {error:.3f}, bound {bound:.3f}"
        plots.plot_function_fit(x, f(x), out, ax=ax, components=components)
        ax.set_title(title)

    # On the web: doubling n halves the bound; 5 x (5 x 3 + 5) frames with biases, and
    # one per target without (the same for every n, kind and steepness): 110 in all.
    web_values = {"n": (2, 4, 8, 16, 32), "steepness": (1.0, 10.0, 100.0)}
    return Explorer(controls, draw, figsize=(6.5, 4.0), web_values=web_values)


def saturation_explorer(name: str = "sigmoid", *, n: int = 20_000, seed: int = 0) -> Explorer:
    """Pre-activations z ~ N(mean, spread²) through an activation: histograms of z, f, f'.

    Sliders for the mean and the spread of z; the third panel's title gives the fraction
    of units whose derivative is below 0.01 (saturated or inactive). The same n standard
    normal draws (from ``seed``) are shifted and scaled, so moving a slider moves the
    histograms, not the noise.

    Parameters
    ----------
    name : str
        The activation selected first; the dropdown offers every name of
        ``activations.ACTIVATIONS``.
    """
    activations.get_activation(name)  # fail now, with the list of valid names
    n = check_positive_int(n, "n")
    base = np.random.default_rng(seed).standard_normal(n)
    controls = {
        "activation": widgets.Dropdown(
            options=activations.ACTIVATIONS, value=name, description="activation"
        ),
        "mean": widgets.FloatSlider(0.0, min=-6.0, max=6.0, step=0.25, description="mean of z"),
        "spread": widgets.FloatSlider(
            1.0, min=0.25, max=8.0, step=0.25, description="spread of z", style=_STYLE
        ),
    }

    def draw(fig, activation, mean, spread):
        axes = [fig.add_subplot(1, 3, i) for i in (1, 2, 3)]
        plots.plot_saturation(mean + spread * base, activation, axes=axes)

    # On the web, 18 frames: saturation at mean 4 (sigmoid) or spread 4 (tanh), ReLU half off.
    web_values = {
        "activation": ("sigmoid", "tanh", "relu"),
        "mean": (0.0, 2.0, 4.0),
        "spread": (1.0, 4.0),
    }
    return Explorer(controls, draw, figsize=(8.0, 2.8), web_values=web_values)
