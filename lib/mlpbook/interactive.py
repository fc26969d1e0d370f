"""Interactive figures that work both in Jupyter and in the static, offline HTML book.

A chapter shows an :class:`~mlpbook.widgets.Explorer` in one line::

    from mlpbook.interactive import show

    show(perceptron_playground("xor"))

``show(view)`` returns an :class:`Interactive`; its one output carries two versions:

- ``application/vnd.jupyter.widget-view+json``: the live ipywidgets view, redrawn by the
  kernel, for Jupyter;
- ``text/html``: the same controls as plain HTML switching between frames computed now
  (PNG images, each the figure ``view.update(**values)`` draws), with a small script and
  CSS inlined in the output. It needs no kernel, no server and nothing from the internet.

Jupyter shows the live view (it ranks widget views first). The book ranks ``text/html``
first (``nb_mime_priority_overrides`` in ``_config.yml``), and this module is also a Sphinx
extension that drops the widget manager's scripts and state from pages that then show no
widget view.

Frames. Dropdowns, toggle buttons and checkboxes offer every option. A slider offers
the values in ``values[name]``, else those in the view's ``web_values``, else evenly
spaced values (its current value among them), as many as ``max_frames`` allows. A
slider that the view hides or disables for a choice of the other controls (the ELU α
slider when the activation is ReLU) does not change that figure: it gets no frames of its
own and is hidden or disabled in the HTML too. A control with one value shows as text.

Frames are computed only where a notebook runs without a person at it (the book's build,
``jupyter nbconvert --execute``, plain Python): there the kernel's request does not allow
input (``allow_stdin`` false). In a live Jupyter session the ``text/html`` version is the
view's figure as a plain image, which costs nothing; ``frames=True`` forces the frames.

A view that cannot be enumerated (a control of another kind, too many frames) can be
displayed bare or with ``show(view, frames=False)``: the web then shows its figure as a
plain image, never controls that do nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import numbers
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

MAX_FRAMES = 120  # frames per figure, unless show(max_frames=...) says otherwise
MAX_AUTO_VALUES = 9  # values per slider when neither values nor web_values gives them
PNG_COLORS = 64  # frames are palette PNGs: about a third of the bytes, same look
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_SELECTIONS = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)
_SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)


@dataclass
class _Axis:
    """One control of the HTML version: its kind, the values it offers and their labels."""

    name: str
    kind: str  # "select", "buttons", "checkbox" or "slider"
    description: str
    values: tuple
    labels: tuple
    start: int  # index of the value the page opens with
    auto: bool = False  # a slider whose values show() chooses


def _frame_png(png: bytes, colors: int = PNG_COLORS) -> bytes:
    """The PNG of one frame: ``png`` reduced to a palette of ``colors`` (no dithering)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()


def _view_png(view) -> bytes:
    """The PNG the view's Output shows now (what its last redraw drew)."""
    (output,) = view.output.outputs
    return base64.b64decode(output["data"]["image/png"])


def frame_png(view) -> bytes:
    """The frame a static page shows for the view's current values.

    It is the figure the view's last ``update``/``redraw`` drew, as the palette PNG the
    HTML embeds.
    """
    return _frame_png(_view_png(view))


def plain_figure_html(view) -> str:
    """The view's current figure as a plain ``<img>`` (what the web shows without frames)."""
    png = base64.b64encode(_view_png(view)).decode("ascii")
    return (
        '<img class="mlpbook-plain-figure" style="max-width:100%;height:auto"'
        f' src="data:image/png;base64,{png}" alt="{html.escape(_alt_text(view))}">'
    )


def _alt_text(view) -> str:
    fig = getattr(view, "figure", None)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()] if fig is not None else []
    return "; ".join(titles) or "figure"


def _headless() -> bool:
    """True unless this runs in a kernel whose current request allows input (a person)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return True
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:
        return True
    try:
        return not kernel.get_parent("shell")["content"].get("allow_stdin", False)
    except (AttributeError, KeyError, TypeError):
        return True


# --- the values each control offers ----------------------------------------------------


def _slider_range(control) -> tuple[float, float]:
    lo, hi = control.min, control.max
    if isinstance(control, widgets.FloatLogSlider):
        lo, hi = control.base**lo, control.base**hi
    return lo, hi


def _label(control, value) -> str:
    try:
        return format(value, getattr(control, "readout_format", ""))
    except (TypeError, ValueError):
        return str(value)


def _nearest(values, value) -> int:
    return int(np.argmin([abs(v - value) for v in values]))


def _check_slider_values(name: str, control, given) -> tuple:
    lo, hi = _slider_range(control)
    checked = []
    for value in given:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"values[{name!r}]: expected numbers, got {value!r}")
        if not lo <= value <= hi:
            raise ValueError(f"values[{name!r}]: expected values in [{lo}, {hi}], got {value!r}")
        if isinstance(control, widgets.IntSlider) and value != int(value):
            raise ValueError(f"values[{name!r}]: expected integers, got {value!r}")
        checked.append(int(value) if isinstance(control, widgets.IntSlider) else float(value))
    return tuple(sorted(checked))


def _auto_slider_values(control, k: int) -> tuple:
    """``k`` evenly spaced values on the slider's steps, from min to max, and its current value."""
    if isinstance(control, widgets.FloatLogSlider):
        exps = np.linspace(control.min, control.max, k)
        exps = control.min + np.round((exps - control.min) / control.step) * control.step
        raw = [control.base**e for e in exps]
    else:
        lo, hi = control.min, control.max
        raw = np.linspace(lo, hi, k)
        raw = np.clip(lo + np.round((raw - lo) / control.step) * control.step, lo, hi)
    if isinstance(control, widgets.IntSlider):
        vals = [round(float(v)) for v in raw]
    else:
        vals = [float(np.round(v, 10)) for v in raw]
    return tuple(sorted({*vals, control.value}))


def _axes(view, values: dict) -> list[_Axis]:
    controls = view.controls
    unknown = sorted(set(values) - set(controls))
    if unknown:
        raise ValueError(f"values: unknown control(s) {unknown}; valid: {', '.join(controls)}")
    defaults = dict(getattr(view, "web_values", None) or {})
    axes = []
    for name, control in controls.items():
        given = values.get(name, defaults.get(name))
        if given is not None:
            given = tuple(given) if not isinstance(given, str) else (given,)
            if not given:
                raise ValueError(f"values[{name!r}]: expected at least one value, got none")
            if len(set(given)) != len(given):
                raise ValueError(f"values[{name!r}]: repeated values in {list(given)}")
        description = control.description or name
        if isinstance(control, _SELECTIONS):
            options = list(zip(control._options_labels, control._options_values, strict=True))
            if given is not None:
                valid = [v for _, v in options]
                bad = [v for v in given if v not in valid]
                if bad:
                    raise ValueError(
                        f"values[{name!r}]: {bad[0]!r} is not an option; valid: {valid}"
                    )
                options = [(lab, v) for lab, v in options if v in given]
            vals = tuple(v for _, v in options)
            kind = "buttons" if isinstance(control, widgets.ToggleButtons) else "select"
            start = vals.index(control.value) if control.value in vals else 0
            axes.append(
                _Axis(name, kind, description, vals, tuple(lab for lab, _ in options), start)
            )
        elif isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
            vals = (False, True) if given is None else tuple(bool(v) for v in given)
            if given is not None and not all(isinstance(v, (bool, np.bool_)) for v in given):
                raise ValueError(f"values[{name!r}]: expected True/False, got {list(given)}")
            start = vals.index(control.value) if control.value in vals else 0
            labels = tuple("on" if v else "off" for v in vals)
            axes.append(_Axis(name, "checkbox", description, vals, labels, start))
        elif isinstance(control, _SLIDERS):
            auto = given is None
            vals = (
                _auto_slider_values(control, 2)
                if auto
                else _check_slider_values(name, control, given)
            )
            axis = _Axis(name, "slider", description, vals, (), 0, auto)
            _set_slider_values(axis, control, vals)
            axes.append(axis)
        else:
            raise ValueError(
                f"control {name!r}: a static page cannot offer a {type(control).__name__};"
                " show the view with frames=False (a plain figure) instead"
            )
    return axes


def _set_slider_values(axis: _Axis, control, vals) -> None:
    axis.values = tuple(vals)
    axis.labels = tuple(_label(control, v) for v in vals)
    axis.start = _nearest(vals, control.value)


# --- the frames ------------------------------------------------------------------------


class Interactive:
    """A view and its static HTML version: what :func:`show` returns.

    Attributes
    ----------
    view : mlpbook.widgets.Explorer
        The live view (Jupyter shows it).
    frames : list of bytes
        The distinct PNG frames (empty when none were computed).
    html : str
        The ``text/html`` output: controls over the frames, or the plain figure.
    """

    def __init__(self, view, axes, frames, order, hidden, disabled):
        self.view = view
        self._axes = axes
        self.frames = frames
        self._order = order
        self._hidden, self._disabled = hidden, disabled
        self.html = _render_html(self) if frames else plain_figure_html(view)

    @property
    def controls(self) -> dict:
        """The values each control offers in the HTML version, by name (empty without frames)."""
        return {a.name: a.values for a in self._axes}

    def frame_for(self, **values) -> bytes:
        """The frame the HTML shows when its controls read ``values`` (others at the start).

        A ValueError for unknown controls or values the HTML does not offer.
        """
        if not self.frames:
            raise ValueError("no frames: this figure shows as a plain figure on the web")
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; valid: {', '.join(self.controls)}")
        index = []
        for axis in self._axes:
            if axis.name not in values:
                index.append(axis.start)
                continue
            value = values[axis.name]
            matches = [i for i, v in enumerate(axis.values) if v == value]
            if not matches:
                raise ValueError(f"{axis.name}: {value!r} is not offered; offered: {axis.values}")
            index.append(matches[0])
        flat = int(np.ravel_multi_index(index, [len(a.values) for a in self._axes]))
        return self.frames[self._order[flat]]

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = self.view._repr_mimebundle_()
        data["text/html"] = self.html
        return data


def show(view, values=None, *, frames=None, max_frames: int = MAX_FRAMES) -> Interactive:
    """Display ``view`` live in Jupyter and as controls over precomputed frames on the web.

    Parameters
    ----------
    view : mlpbook.widgets.Explorer
        The view, as a builder of :mod:`mlpbook.widgets` returns it.
    values : dict of str to sequence, optional
        For some controls, the values the web version offers (default: the view's
        ``web_values``, else every option, else evenly spaced slider values).
    frames : bool, optional
        Compute the frames (True), or show the plain figure on the web (False); default:
        only where nobody is at the notebook (see the module's notes).
    max_frames : int
        The most frames one figure may have; more raise a ValueError that says so.

    Returns
    -------
    Interactive
        Display it (the last expression of a cell); ``.frames`` holds the PNGs.
    """
    if not hasattr(view, "controls") or not hasattr(view, "update"):
        raise TypeError(
            f"show: expected a view from mlpbook.widgets (an Explorer), got {type(view).__name__}"
        )
    if values is not None and not isinstance(values, dict):
        raise TypeError(f"values: expected a dict of control name to values, got {values!r}")
    if isinstance(max_frames, bool) or not isinstance(max_frames, numbers.Integral):
        raise ValueError(f"max_frames: expected an integer >= 1, got {max_frames!r}")
    if max_frames < 1:
        raise ValueError(f"max_frames: expected an integer >= 1, got {max_frames!r}")
    if frames is None:
        frames = _headless()
    if not frames:
        return Interactive(view, [], [], [], [], [])
    return Interactive(view, *_compute_frames(view, _axes(view, values or {}), int(max_frames)))


def _compute_frames(view, axes: list[_Axis], max_frames: int):
    original = view.values
    sliders = [i for i, a in enumerate(axes) if a.kind == "slider"]
    discrete = [i for i, a in enumerate(axes) if a.kind != "slider"]
    n_discrete = math.prod(len(axes[i].values) for i in discrete)
    if n_discrete > max_frames:
        raise ValueError(
            f"{n_discrete} combinations of {[axes[i].name for i in discrete]} already exceed"
            f" max_frames={max_frames}: offer fewer options with values={{...}}"
        )
    cache: dict[tuple, tuple[bytes, int, int]] = {}  # by the controls' values

    def draw(index: tuple) -> tuple[bytes, int, int]:
        key = tuple(a.values[i] for a, i in zip(axes, index, strict=True))
        if key not in cache:
            view.update(**{a.name: v for a, v in zip(axes, key, strict=True)})
            hidden = disabled = 0
            for bit, axis in enumerate(axes):
                control = view.controls[axis.name]
                hidden |= (control.layout.display == "none") << bit
                disabled |= bool(getattr(control, "disabled", False)) << bit
            cache[key] = (frame_png(view), hidden, disabled)
        return cache[key]

    try:
        # Which sliders matter for each choice of the discrete controls: those the view
        # neither hides nor disables once drawn (sliders at their start values).
        relevant = {}
        for choice in itertools.product(*(range(len(axes[i].values)) for i in discrete)):
            index = [a.start for a in axes]
            for i, c in zip(discrete, choice, strict=True):
                index[i] = c
            _, hidden, disabled = draw(tuple(index))
            relevant[choice] = [i for i in sliders if not (hidden | disabled) >> i & 1]

        def count() -> int:
            return sum(math.prod(len(axes[i].values) for i in rel) for rel in relevant.values())

        auto = [i for i in sliders if axes[i].auto]
        for k in range(MAX_AUTO_VALUES, 1, -1):
            for i in auto:
                control = view.controls[axes[i].name]
                _set_slider_values(axes[i], control, _auto_slider_values(control, k))
            if count() <= max_frames or not auto:
                break
        if count() > max_frames:
            sizes = {axes[i].name: len(axes[i].values) for i in sliders}
            raise ValueError(
                f"{count()} frames exceed max_frames={max_frames} (values per control:"
                f" {sizes}): offer fewer values with values={{...}} or raise max_frames"
            )

        frames: list[bytes] = []
        ids: dict[bytes, int] = {}
        hidden_of: list[int] = []
        disabled_of: list[int] = []
        order = []
        for full in itertools.product(*(range(len(a.values)) for a in axes)):
            choice = tuple(full[i] for i in discrete)
            if choice not in relevant:
                raise AssertionError("unreachable: every choice was drawn")
            key = tuple(
                full[i] if (a.kind != "slider" or i in relevant[choice]) else a.start
                for i, a in enumerate(axes)
            )
            png, hidden, disabled = draw(key)
            if png not in ids:
                ids[png] = len(frames)
                frames.append(png)
                hidden_of.append(hidden)
                disabled_of.append(disabled)
            order.append(ids[png])
    finally:
        view.update(**original)
    return axes, frames, order, hidden_of, disabled_of


# --- the HTML --------------------------------------------------------------------------

_CSS = """
.mlpbook-interactive{margin:.5em 0 1em}
.mlpbook-interactive .mlpbook-controls{display:flex;flex-wrap:wrap;gap:.4em 1.4em;
align-items:center;margin:0 0 .5em;font-size:.9em}
.mlpbook-interactive .mlpbook-control{display:inline-flex;align-items:center;gap:.45em}
.mlpbook-interactive .mlpbook-control[hidden]{display:none}
.mlpbook-interactive input[type=range]{width:10em;margin:0}
.mlpbook-interactive output{min-width:3.5em;font-variant-numeric:tabular-nums}
.mlpbook-interactive button{border:1px solid #999;background:#f2f2f2;color:#222;
padding:.1em .7em;border-radius:3px;cursor:pointer;font:inherit}
.mlpbook-interactive button[aria-pressed=true]{background:#1f5fbf;border-color:#1f5fbf;
color:#fff}
.mlpbook-interactive :disabled{opacity:.45;cursor:default}
.mlpbook-interactive img{display:block;max-width:100%;height:auto}
"""

# Reads the data next to it; keys are mixed-radix indices over the controls, in order.
_JS = """(() => {
const root = document.currentScript.closest(".mlpbook-interactive");
const data = JSON.parse(root.querySelector("script.mlpbook-data").textContent);
const img = root.querySelector("img.mlpbook-frame");
const boxes = root.querySelectorAll(".mlpbook-control");
const state = data.controls.map(c => c.start);
function render() {
  let k = 0;
  data.controls.forEach((c, i) => { k = k * c.labels.length + state[i]; });
  const f = data.order[k];
  img.src = "data:image/png;base64," + data.frames[f];
  img.alt = data.alt + ": " + data.controls.map(
    (c, i) => c.description + " = " + c.labels[state[i]]).join(", ");
  data.controls.forEach((c, i) => {
    const box = boxes[i];
    box.hidden = Boolean((data.hidden[f] >> i) & 1);
    const off = Boolean((data.disabled[f] >> i) & 1);
    box.querySelectorAll("input, select, button").forEach(el => { el.disabled = off; });
    const out = box.querySelector("output");
    if (out) out.textContent = c.labels[state[i]];
    box.querySelectorAll("button").forEach(
      b => b.setAttribute("aria-pressed", String(Number(b.dataset.v) === state[i])));
  });
}
root.querySelectorAll("[data-i]").forEach(el => {
  const i = Number(el.dataset.i), kind = data.controls[i].kind;
  const set = v => { state[i] = v; render(); };
  if (kind === "slider") el.addEventListener("input", () => set(Number(el.value)));
  else if (kind === "select") el.addEventListener("change", () => set(Number(el.value)));
  else if (kind === "checkbox") el.addEventListener("change", () => set(el.checked ? 1 : 0));
  else el.addEventListener("click", () => set(Number(el.dataset.v)));
});
render();
})();"""


def _control_html(i: int, axis: _Axis) -> str:
    desc = html.escape(axis.description)
    labels = [html.escape(lab) for lab in axis.labels]
    if len(axis.values) == 1:  # nothing to choose: say what the figure shows
        return f'<span class="mlpbook-control mlpbook-fixed">{desc} = {labels[0]}</span>'
    if axis.kind == "slider":
        return (
            f'<label class="mlpbook-control"><span>{desc}</span><input type="range" min="0"'
            f' max="{len(labels) - 1}" step="1" value="{axis.start}" data-i="{i}">'
            f"<output>{labels[axis.start]}</output></label>"
        )
    if axis.kind == "select":
        options = "".join(
            f'<option value="{j}"{" selected" if j == axis.start else ""}>{lab}</option>'
            for j, lab in enumerate(labels)
        )
        return (
            f'<label class="mlpbook-control"><span>{desc}</span>'
            f'<select data-i="{i}">{options}</select></label>'
        )
    if axis.kind == "checkbox":
        on = axis.values.index(True) if True in axis.values else 0
        checked = " checked" if axis.start == on else ""
        return (
            f'<label class="mlpbook-control"><input type="checkbox" data-i="{i}"{checked}>'
            f"<span>{desc}</span></label>"
        )
    buttons = "".join(
        f'<button type="button" data-i="{i}" data-v="{j}"'
        f' aria-pressed="{str(j == axis.start).lower()}">{lab}</button>'
        for j, lab in enumerate(labels)
    )
    return f'<span class="mlpbook-control" role="group"><span>{desc}</span>{buttons}</span>'


def _render_html(inter: Interactive) -> str:
    axes = inter._axes
    for axis in axes:  # the script's checkbox index is 1 for checked
        if axis.kind == "checkbox" and len(axis.values) == 2 and axis.values != (False, True):
            raise AssertionError("checkbox values must be (False, True)")
    encoded = [base64.b64encode(png).decode("ascii") for png in inter.frames]
    start = inter._order[
        int(np.ravel_multi_index([a.start for a in axes], [len(a.values) for a in axes]))
    ]
    data = {
        "controls": [
            {
                "kind": a.kind,
                "description": a.description,
                "labels": list(a.labels),
                "start": a.start,
            }
            for a in axes
        ],
        "order": inter._order,
        "frames": encoded,
        "hidden": inter._hidden,
        "disabled": inter._disabled,
        "alt": "interactive figure",
    }
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
    controls = "".join(_control_html(i, a) for i, a in enumerate(axes))
    return (
        f'<div class="mlpbook-interactive" data-frames="{len(encoded)}" id="mlpbook-{digest}">'
        f"<style>{_CSS.strip()}</style>"
        f'<div class="mlpbook-controls">{controls}</div>'
        f'<img class="mlpbook-frame" alt="interactive figure"'
        f' src="data:image/png;base64,{encoded[start]}">'
        f'<script type="application/json" class="mlpbook-data">{payload}</script>'
        f"<script>{_JS}</script></div>"
    )


# --- Sphinx ----------------------------------------------------------------------------


def _drop_unused_widget_js(app, pagename, templatename, context, doctree) -> None:
    """Remove the widget manager's scripts and state from a page that shows no widget view.

    Runs after myst-nb has added them (``html-page-context``, priority 600), on the
    doctree after myst-nb picked each output's mime type for this builder.
    """
    from docutils import nodes
    from myst_nb.sphinx_ import NbMetadataCollector

    if doctree is None or "script_files" not in context:
        return
    entries = NbMetadataCollector.get_js_files(app.env, pagename)
    widget_js = [entry for key, entry in entries.items() if key.startswith("ipywidgets_")]
    if not widget_js or any(WIDGET_VIEW in n.astext() for n in doctree.findall(nodes.raw)):
        return

    def added_for_widgets(js) -> bool:  # Sphinx puts a local file under _static/
        name, attributes = getattr(js, "filename", None), getattr(js, "attributes", {})
        return any(
            name in (uri, f"_static/{uri}")
            and all(attributes.get(k) == v for k, v in kwargs.items())
            for uri, kwargs in widget_js
        )

    scripts = context["script_files"]
    scripts[:] = [js for js in scripts if not added_for_widgets(js)]


def setup(app):
    """Sphinx extension: pages whose widgets all show as HTML load no widget manager."""
    app.connect("html-page-context", _drop_unused_widget_js, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
