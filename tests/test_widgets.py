"""Tests for mlpbook.widgets: views build, redraw on update, and the explicit networks fit."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import base64
import itertools
import math
import re
import types

import ipywidgets
import numpy as np
import pytest
from ipywidgets.embed import dependency_state, embed_data
from matplotlib.figure import Figure

from mlpbook import approximation as ap
from mlpbook import interactive, widgets
from mlpbook.data import LOGIC_GATES, logic_gate, target_function
from mlpbook.widgets import (
    Explorer,
    activation_explorer,
    approximation_explorer,
    one_hidden_layer,
    perceptron_errors,
    perceptron_playground,
    saturation_explorer,
    staircase_network,
)

BUILDERS = [activation_explorer, perceptron_playground, approximation_explorer]


def _title(view) -> str:
    return view.figure.axes[0].get_title()


def _png(view) -> bytes:
    (output,) = view.output.outputs
    return base64.b64decode(output["data"]["image/png"])


def _max_error(f, n, kind, steepness=10.0):
    x = np.linspace(-1, 1, 2001)[:, None]
    out, _ = one_hidden_layer(x, staircase_network(f, n, steepness, kind=kind), kind=kind)
    return np.abs(out - f(x)).max()


# --- the shared pattern ----------------------------------------------------------------


@pytest.mark.parametrize("build", BUILDERS)
def test_views_are_widgets_drawn_at_construction(build):
    view = build()
    assert isinstance(view, Explorer) and isinstance(view, ipywidgets.VBox)
    assert isinstance(view.figure, Figure)
    assert _png(view).startswith(b"\x89PNG")  # the figure lives in the Output's state
    assert set(view.values) == set(view.controls)


@pytest.mark.parametrize("build", BUILDERS)
def test_embedded_state_holds_the_drawn_figure(build):
    view = build()
    state = embed_data(views=[view], state=dependency_state(view))["manager_state"]["state"]
    (output,) = [s["state"] for s in state.values() if s["model_name"] == "OutputModel"]
    assert "image/png" in output["outputs"][0]["data"]


@pytest.mark.parametrize("build", BUILDERS)
def test_update_rejects_unknown_controls(build):
    with pytest.raises(ValueError, match="unknown control"):
        build().update(nonsense=1)


def test_moving_a_control_redraws():
    view = perceptron_playground("and")
    before = _png(view)
    view.controls["b"].value = -1.5
    assert _png(view) != before
    assert _title(view) == "AND: 0 of 4 misclassified"


# --- activation explorer ---------------------------------------------------------------


def test_activation_explorer_switches_activation_and_parameter():
    view = activation_explorer()
    fig = view.update(activation="elu", alpha=2.0)
    assert fig is view.figure and _title(view) == "elu"
    assert view.figure.axes[0].lines[0].get_ydata().min() == pytest.approx(2.0 * np.expm1(-4.0))
    assert view.controls["alpha"].layout.display is None
    assert view.controls["r"].layout.display == "none"
    view.update(activation="leaky_relu", r=0.3, derivative=False)
    assert len(view.figure.axes[0].lines) == 1
    assert view.controls["r"].layout.display is None
    view.update(activation="tanh")
    assert all(view.controls[k].layout.display == "none" for k in ("r", "alpha"))


def test_activation_explorer_errors():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activation_explorer(["relu", "swish"])
    view = activation_explorer(["relu", "elu"])
    with pytest.raises(ValueError, match="activation"):
        view.update(activation="tanh")
    with pytest.raises(ValueError, match=r"alpha: expected a value in \[0.0, 3.0\], got 5"):
        view.update(alpha=5)


# --- perceptron playground -------------------------------------------------------------


def test_perceptron_playground_title_counts_errors():
    view = perceptron_playground()
    view.update(w1=1.0, w2=1.0, b=-0.5)
    assert _title(view) == "XOR: 1 of 4 misclassified"
    view.update(w1=-1.0, w2=-1.0, b=0.5)
    assert _title(view) == "XOR: 3 of 4 misclassified"
    view.update(gate="nand", w1=-1.0, w2=-1.0, b=1.5)
    assert _title(view) == "NAND: 0 of 4 misclassified"


@pytest.mark.parametrize("gate", LOGIC_GATES)
def test_only_xor_and_xnor_stay_unsolved_on_a_weight_grid(gate):
    values = np.round(np.arange(-2.0, 2.0001, 0.1), 10)
    grid = np.array(list(itertools.product(values, repeat=3)))
    x, y = logic_gate(gate)
    best = perceptron_errors(grid[:, :2], grid[:, 2], x, y).min()
    assert best == (1 if gate in ("xor", "xnor") else 0), (gate, best)


def test_perceptron_errors_single_and_errors():
    x, y = logic_gate("or")
    assert perceptron_errors([1.0, 1.0], -0.5, x, y) == 0
    assert perceptron_errors([0.0, 0.0], 0.0, x, y) == 1  # w = 0, b = 0: everything is 1
    with pytest.raises(ValueError, match="unknown logic gate 'maybe'"):
        perceptron_playground("maybe")
    with pytest.raises(ValueError, match=r"w1: expected a value in \[-2.0, 2.0\], got 3"):
        perceptron_playground().update(w1=3)


# --- explicit universal approximation --------------------------------------------------


def test_staircase_network_shapes():
    for kind in ("sigmoid", "relu"):
        w1, b1, w2, b2 = staircase_network("cubic", 7, 5.0, kind=kind)
        assert (w1.shape, b1.shape, w2.shape, b2.shape) == ((1, 7), (7,), (7, 1), (1,))


@pytest.mark.parametrize("kind", ["sigmoid", "relu"])
def test_staircase_error_on_sine_shrinks_as_n_grows(kind):
    f = target_function("sine")
    errors = [_max_error(f, n, kind) for n in (5, 10, 20, 50)]
    assert all(a > b for a, b in itertools.pairwise(errors)), errors


def test_fifty_units_approximate_sine_closely():
    f = target_function("sine")
    assert _max_error(f, 50, "sigmoid", steepness=10.0) < 0.05  # measured 0.023
    assert _max_error(f, 50, "sigmoid", steepness=20.0) < 0.05  # measured 0.038
    assert _max_error(f, 50, "relu") < 0.01  # measured 0.002


def test_relu_network_interpolates_the_grid_points():
    f = target_function("cubic")
    grid = np.linspace(-1, 1, 9)[:, None]
    out, components = one_hidden_layer(grid, staircase_network(f, 8, kind="relu"), kind="relu")
    np.testing.assert_allclose(out, f(grid), atol=1e-12)
    assert components.shape == (9, 8)


def test_one_hidden_layer_components_add_up():
    params = staircase_network(np.cos, 6, 10.0)
    x = np.linspace(-1, 1, 11)[:, None]
    out, components = one_hidden_layer(x, params)
    np.testing.assert_allclose(out[:, 0], components.sum(axis=1) + params[3][0])
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 1\), got \(11, 2\)"):
        one_hidden_layer(np.zeros((11, 2)), params)


def test_staircase_network_errors():
    with pytest.raises(ValueError, match="n: expected an integer >= 1"):
        staircase_network("sine", 0, 10.0)
    with pytest.raises(ValueError, match="kind: expected 'sigmoid' or 'relu'"):
        staircase_network("sine", 5, 10.0, kind="tanh")
    with pytest.raises(ValueError, match="steepness: expected a finite number > 0"):
        staircase_network("sine", 5, 0.0)
    with pytest.raises(ValueError, match="low < high"):
        staircase_network("sine", 5, 10.0, low=1.0, high=-1.0)
    with pytest.raises(ValueError, match="unknown target function"):
        staircase_network("cosine", 5, 10.0)


def _error_and_bound(view) -> tuple[float, float]:
    match = re.fullmatch(r"\d+ \w+ units: max error ([\d.]+), bound ([\d.]+)", _title(view))
    assert match, _title(view)
    return float(match[1]), float(match[2])


def test_approximation_explorer_error_falls_with_more_units():
    view = approximation_explorer("sine")
    view.update(n=5)
    assert _title(view).startswith("5 sigmoid units: max error")
    err5, _ = _error_and_bound(view)
    view.update(n=50)
    err50, _ = _error_and_bound(view)
    assert err50 < err5 and err50 < 0.05
    view.update(kind="relu")
    assert view.controls["steepness"].disabled
    assert _title(view).startswith("50 relu units")
    assert len(view.figure.axes[0].lines) == 50 + 2  # units, target, network


@pytest.fixture
def titles_only(monkeypatch):
    """Figures drawn but not rendered (their PNG is empty; a frame is its title and its
    curves): fast."""

    def frame(view) -> bytes:
        (ax,) = view.figure.axes
        return _title(view).encode() + b"".join(line.get_ydata().tobytes() for line in ax.lines)

    monkeypatch.setattr(Figure, "savefig", lambda self, buf, **kwargs: buf.write(b""))
    monkeypatch.setattr(interactive, "frame_png", frame)


def test_approximation_explorer_title_gives_the_chapters_bound(titles_only):
    view = approximation_explorer()
    K = {"sine": math.pi, "cubic": 2.0, "abs": 1.0, "square": 2.0}  # max |f'| on [-1, 1]
    x = np.linspace(-1, 1, 200_001)
    for target, lipschitz in K.items():
        f = widgets._explorer_target(target)
        assert np.abs(np.diff(f(x)) / np.diff(x)).max() == pytest.approx(lipschitz, rel=1e-4)
        for n, s in itertools.product((1, 2, 8, 32, 50), (1.0, 10.0, 1000.0)):
            h = 2 / n
            view.update(target=target, kind="relu", n=n, steepness=s)
            error, bound = _error_and_bound(view)
            assert bound == round(ap.relu_bound(lipschitz, h), 3) and error <= bound
            view.update(kind="sigmoid")
            error, bound = _error_and_bound(view)
            assert bound == round(ap.staircase_bound(lipschitz, h, s), 3) and error <= bound
    view.update(target="sine", kind="relu", n=8)
    assert _title(view) == "8 relu units: max error 0.070, bound 0.393"  # π·(2/8)/2 = π/8
    band = view.figure.axes[0].collections[0]  # f ± bound, drawn under the curves
    assert band.get_label() == "f ± bound"
    view.update(target="step")
    assert _title(view) == "8 relu units: max error 0.990 (a jump: no bound)"
    assert not [c for c in view.figure.axes[0].collections if c.get_label() == "f ± bound"]


def test_approximation_explorer_without_biases_stays_off_x_squared():
    view = approximation_explorer("square")
    with_biases = _png(view)
    view.update(no_bias=True)
    assert _png(view) != with_biases
    floor = 3 - 2 * math.sqrt(2)
    assert _title(view) == "no biases, any n ≥ 2: max error 0.172" and round(floor, 3) == 0.172
    assert all(view.controls[name].disabled for name in ("kind", "n", "steepness"))
    no_bias = _png(view)
    for n in (2, 50):
        view.update(n=n, kind="relu")
        assert _png(view) == no_bias  # the width does not matter
    target, network = view.figure.axes[0].lines[-2:]
    x, g = network.get_data()
    np.testing.assert_allclose(g, (2 * math.sqrt(2) - 2) * np.abs(x), atol=1e-6)  # 801 points
    assert np.abs(g - target.get_ydata()).max() == pytest.approx(floor, abs=1e-5)
    view.update(no_bias=False)
    assert not view.controls["n"].disabled and _png(view) != no_bias
    assert float(_title(view).split("max error ")[1].split(",")[0]) < 0.01  # n = 50 ReLU
    view.update(target="sine", no_bias=True)
    assert float(_title(view).rsplit(" ", 1)[1]) > 0.5  # an odd target: no better


def test_approximation_explorer_web_version_stays_within_the_cap(titles_only):
    view = approximation_explorer()
    shown = interactive.show(view, frames=True)  # a ValueError above MAX_FRAMES
    assert shown.controls["n"] == (2, 4, 8, 16, 32)
    assert shown.controls["no_bias"] == (False, True)
    # 5 targets x (sigmoid: 5 n x 3 steepness; relu: 5 n) + one frame per target without biases
    assert len(shown.frames) == 5 * (5 * 3 + 5) + 5 <= interactive.MAX_FRAMES
    off = shown.frame_for(target="square", no_bias=True)
    assert off == shown.frame_for(target="square", no_bias=True, kind="relu", n=32)
    assert shown._disabled[shown.frames.index(off)] == 0b01110  # kind, n and steepness


def test_approximation_explorer_errors():
    with pytest.raises(ValueError, match="unknown target function 'tan'"):
        approximation_explorer("tan")
    with pytest.raises(ValueError, match=r"n: expected a value in \[1, 50\], got 51"):
        approximation_explorer().update(n=51)


def test_module_documents_the_update_pattern():
    assert "update(**values)" in widgets.__doc__


# --- mlpbook.interactive: the same views in the static book ----------------------------

SMALL_PLAYGROUND = {"gate": ["and", "xor"], "w1": [-1.0, 1.0], "w2": [1.0], "b": [-1.5, -0.5]}


def _cheap_view(**controls):
    """An Explorer over the given controls whose figure just prints their values."""

    def draw(fig, **values):
        fig.text(0.5, 0.5, repr(sorted(values.items())), ha="center")

    return Explorer(controls, draw, figsize=(2.0, 1.0))


def test_show_computes_one_frame_per_combination():
    view = perceptron_playground("and")
    before = view.values
    shown = interactive.show(view, SMALL_PLAYGROUND, frames=True)
    assert shown.controls == {
        "gate": ("and", "xor"),
        "w1": (-1.0, 1.0),
        "w2": (1.0,),
        "b": (-1.5, -0.5),
    }
    assert len(shown.frames) == 2 * 2 * 1 * 2 == len(set(shown.frames))
    assert sorted(set(shown._order)) == list(range(8))  # every combination has its frame
    assert all(f.startswith(b"\x89PNG") for f in shown.frames)
    assert view.values == before  # the live view is left as it was
    assert shown.html.count('type="range"') == 2  # w2 offers one value: shown as text
    assert "w₂ = 1.00" in shown.html


def test_each_frame_is_the_figure_update_draws():
    view = perceptron_playground("and")
    shown = interactive.show(view, SMALL_PLAYGROUND, frames=True)
    for gate, w1, b in itertools.product(["and", "xor"], [-1.0, 1.0], [-1.5, -0.5]):
        view.update(gate=gate, w1=w1, w2=1.0, b=b)
        assert shown.frame_for(gate=gate, w1=w1, b=b) == interactive.frame_png(view)
    view.update(gate="and", w1=1.0, w2=1.0, b=-1.5)
    assert _title(view) == "AND: 0 of 4 misclassified"  # the web can reach 0 errors
    assert shown.frame_for(gate="and", w1=1.0, b=-1.5) == interactive.frame_png(view)
    assert shown.frame_for(gate="and", w1=1.0, b=-0.5) != interactive.frame_png(view)


def test_hidden_or_disabled_sliders_get_no_frames_of_their_own():
    view = activation_explorer(["relu", "elu"])
    grid = {"r": [0.1, 0.5], "alpha": [1.0, 2.0], "derivative": [True]}
    shown = interactive.show(view, grid, frames=True)
    assert len(shown.frames) == 1 + 2  # relu ignores r and alpha; elu has two alphas
    assert len(shown._order) == 2 * 2 * 2 * 1
    view.update(activation="relu", r=0.5, alpha=2.0)
    relu = shown.frame_for(activation="relu", r=0.5, alpha=2.0)
    assert relu == interactive.frame_png(view) == shown.frame_for(activation="relu", r=0.1)
    (bits,) = {shown._hidden[shown.frames.index(relu)]}
    assert bits == 0b0110  # r and alpha (controls 1 and 2) hidden on the web too
    view.update(activation="elu", r=0.5, alpha=2.0)
    assert shown.frame_for(activation="elu", alpha=2.0, r=0.5) == interactive.frame_png(view)

    view = approximation_explorer("step")
    grid = {"target": ["step"], "n": [2, 20], "steepness": [1.0, 100.0], "no_bias": [False]}
    shown = interactive.show(view, grid, frames=True)
    assert len(shown.frames) == 2 * 2 + 2  # relu units ignore the steepness
    relu = shown.frame_for(kind="relu", n=20, steepness=1.0)
    assert relu == shown.frame_for(kind="relu", n=20, steepness=100.0)
    assert shown._disabled[shown.frames.index(relu)] == 0b1000  # steepness disabled


def test_sliders_without_values_get_evenly_spaced_ones_within_the_cap():
    view = _cheap_view(
        n=ipywidgets.IntSlider(7, min=1, max=50),
        s=ipywidgets.FloatLogSlider(10.0, base=10, min=0, max=3, step=0.5),
        on=ipywidgets.Checkbox(False, description="on"),
    )
    shown = interactive.show(view, frames=True, max_frames=40)
    n, s = shown.controls["n"], shown.controls["s"]
    assert shown.controls["on"] == (False, True)
    assert 7 in n and 10.0 in s  # the current values are offered
    assert min(n) == 1 and max(n) == 50 and all(isinstance(v, int) for v in n)
    assert min(s) == 1.0 and max(s) == 1000.0
    assert all(float(np.log10(v) * 2).is_integer() for v in s)  # on the slider's steps
    assert len(shown.frames) == 2 * len(n) * len(s) <= 40
    assert len(shown.frames) > 40 / 2  # the most evenly spaced values that fit
    one = interactive.show(view, {"s": [10.0], "on": [False]}, frames=True, max_frames=99)
    assert one.controls["n"] == (1, 7, 13, 19, 25, 32, 38, 44, 50)  # 9 at most, 7 among them
    assert len(one.frames) == 9


def test_html_is_self_contained():
    view = perceptron_playground("and")
    html = interactive.show(view, SMALL_PLAYGROUND, frames=True).html
    text = re.sub(r"[A-Za-z0-9+/=]{200,}", "", html)  # the frames' base64
    assert not re.search(r"https?://|//[a-z]", text, re.IGNORECASE)  # no URL at all
    assert re.findall(r'\bsrc="([^"]*)"', html) == [html.split('src="')[1].split('"')[0]]
    assert html.split('src="')[1].startswith("data:image/png;base64,")
    assert "<link" not in html and "<script src" not in html and "@import" not in html
    assert html.count("<style>") == 1 and html.count("<script>") == 1
    assert "</script>" not in html.split('class="mlpbook-data">')[1].split("</script>")[0]
    assert 'data-frames="8"' in html


def test_one_output_holds_the_live_view_and_the_html():
    view = perceptron_playground("and")
    shown = interactive.show(view, SMALL_PLAYGROUND, frames=True)
    bundle = shown._repr_mimebundle_()
    assert bundle[interactive.WIDGET_VIEW]["model_id"] == view.model_id
    assert bundle["text/html"] == shown.html and "text/plain" in bundle
    # displayed bare, or with frames=False, the web gets the figure as a plain image
    for html in (view._repr_mimebundle_()["text/html"], interactive.show(view, frames=False).html):
        assert html.startswith("<img") and "<input" not in html and "<select" not in html
        assert 'alt="AND: 2 of 4 misclassified"' in html


def test_frames_only_where_nobody_is_at_the_notebook(monkeypatch):
    import IPython

    assert interactive._headless()  # plain Python: pytest
    for allow_stdin, headless in ((False, True), (True, False)):
        kernel = types.SimpleNamespace(
            get_parent=lambda channel, a=allow_stdin: {"content": {"allow_stdin": a}}
        )
        shell = types.SimpleNamespace(kernel=kernel)
        monkeypatch.setattr(IPython, "get_ipython", lambda s=shell: s)
        assert interactive._headless() is headless
    shown = interactive.show(perceptron_playground("and"))  # a person at Jupyter: no frames
    assert shown.frames == [] and shown.html.startswith("<img")


def test_show_rejects_bad_arguments():
    view = perceptron_playground("and")
    cases = [
        ({"w3": [1.0]}, r"unknown control\(s\) \['w3'\]; valid: gate, w1, w2, b"),
        ({"w1": [3.0]}, r"values\['w1'\]: expected values in \[-2.0, 2.0\], got 3.0"),
        ({"w1": ["1"]}, r"values\['w1'\]: expected numbers, got '1'"),
        ({"w1": []}, r"values\['w1'\]: expected at least one value"),
        ({"w1": [1.0, 1.0]}, r"values\['w1'\]: repeated values"),
        ({"gate": ["and", "maybe"]}, r"values\['gate'\]: 'maybe' is not an option"),
    ]
    for values, message in cases:
        with pytest.raises(ValueError, match=message):
            interactive.show(view, values, frames=True)
    with pytest.raises(ValueError, match=r"27 combinations .* exceed max_frames=3"):
        interactive.show(
            _cheap_view(a=ipywidgets.Dropdown(options=range(27))), frames=True, max_frames=3
        )
    with pytest.raises(ValueError, match=r"16 frames exceed max_frames=10"):
        interactive.show(view, {**SMALL_PLAYGROUND, "w2": [-1.0, 1.0]}, frames=True, max_frames=10)
    with pytest.raises(ValueError, match="max_frames: expected an integer >= 1, got 0"):
        interactive.show(view, max_frames=0)
    with pytest.raises(TypeError, match=r"expected a view from mlpbook\.widgets"):
        interactive.show(ipywidgets.IntSlider())
    with pytest.raises(ValueError, match="cannot offer a Text"):
        interactive.show(_cheap_view(t=ipywidgets.Text("x")), frames=True)
    with pytest.raises(ValueError, match=r"values\['on'\]: expected True/False"):
        interactive.show(_cheap_view(on=ipywidgets.Checkbox(False)), {"on": [0, 1]}, frames=True)
    shown = interactive.show(view, SMALL_PLAYGROUND, frames=True)
    with pytest.raises(ValueError, match=r"w2: 2.0 is not offered; offered: \(1.0,\)"):
        shown.frame_for(w2=2.0)
    assert view.values == perceptron_playground("and").values  # unchanged after errors


def test_builders_offer_web_values_within_the_cap():
    counts = {
        perceptron_playground: 6 * 2 * 2 * 4,  # gates x w1 x w2 x b
        approximation_explorer: 5 * (5 * 3 + 5) + 5 * 2,  # targets x (sigmoid: n x s; relu: n)
        # + targets x kinds without biases (n, s disabled)
        saturation_explorer: 3 * 3 * 2,  # activations x mean x spread
        activation_explorer: 7 * 2 + 2 * 7 + 2 * 5,  # r only for leaky_relu, α only for ELU
    }
    for build, count in counts.items():
        view = build()
        assert set(view.web_values) <= set(view.controls)
        assert count <= interactive.MAX_FRAMES, build.__name__
    grid = perceptron_playground().web_values
    weights = np.array(list(itertools.product(grid["w1"], grid["w2"], grid["b"])))
    for gate in LOGIC_GATES:  # what the chapter's text promises, on the web's grid too
        best = perceptron_errors(weights[:, :2], weights[:, 2], *logic_gate(gate)).min()
        assert best == (1 if gate in ("xor", "xnor") else 0), (gate, best)
    assert "show(perceptron_playground" in interactive.__doc__
