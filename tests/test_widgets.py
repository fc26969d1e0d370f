"""Tests for mlpbook.widgets: views build, redraw on update, and the explicit networks fit."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import base64
import itertools

import ipywidgets
import numpy as np
import pytest
from ipywidgets.embed import dependency_state, embed_data
from matplotlib.figure import Figure

from mlpbook import widgets
from mlpbook.data import LOGIC_GATES, logic_gate, target_function
from mlpbook.widgets import (
    Explorer,
    activation_explorer,
    approximation_explorer,
    one_hidden_layer,
    perceptron_errors,
    perceptron_playground,
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


def test_approximation_explorer_error_falls_with_more_units():
    view = approximation_explorer("sine")
    view.update(n=5)
    assert _title(view).startswith("5 sigmoid units: max error")
    err5 = float(_title(view).rsplit(" ", 1)[1])
    view.update(n=50)
    err50 = float(_title(view).rsplit(" ", 1)[1])
    assert err50 < err5 and err50 < 0.05
    view.update(kind="relu")
    assert view.controls["steepness"].disabled
    assert _title(view).startswith("50 relu units")
    assert len(view.figure.axes[0].lines) == 50 + 2  # units, target, network


def test_approximation_explorer_errors():
    with pytest.raises(ValueError, match="unknown target function 'tan'"):
        approximation_explorer("tan")
    with pytest.raises(ValueError, match=r"n: expected a value in \[1, 50\], got 51"):
        approximation_explorer().update(n=51)


def test_module_documents_the_update_pattern():
    assert "update(**values)" in widgets.__doc__
