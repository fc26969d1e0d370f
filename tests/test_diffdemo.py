"""Tests for mlpbook.diffdemo: finite-difference error curves, graph drawing, explorer."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlpbook.autodiff import Value, exp
from mlpbook.diffdemo import difference_error, plot_value_graph, step_size_explorer
from mlpbook.interactive import show

H = np.logspace(-12, -1, 45)


def test_difference_error_matches_a_direct_computation():
    for h in (1e-3, 1e-6):
        fwd = (math.exp(1 + h) - math.exp(1)) / h
        cen = (math.exp(1 + h) - math.exp(1 - h)) / (2 * h)
        assert math.isclose(difference_error([h], method="forward")[0], abs(fwd - math.e) / math.e)
        assert math.isclose(difference_error([h])[0], abs(cen - math.e) / math.e)


@pytest.mark.parametrize(("method", "slope"), [("forward", 1), ("centred", 2)])
def test_truncation_error_has_the_order_of_the_method(method, slope):
    big = np.array([1e-2, 1e-3])  # truncation dominates: error ∝ h^slope
    err = difference_error(big, method=method)
    assert math.isclose(np.log10(err[0] / err[1]), slope, abs_tol=0.05)


@pytest.mark.parametrize(
    ("method", "dtype", "low", "high"),
    [
        ("forward", "float64", 1e-9, 1e-7),
        ("centred", "float64", 1e-6, 1e-4),
        ("centred", "float32", 3e-4, 3e-2),
    ],
)
def test_the_best_step_is_near_the_rounding_truncation_balance(method, dtype, low, high):
    err = difference_error(H, method=method, dtype=dtype)
    assert low <= H[np.argmin(err)] <= high


def test_float32_is_far_worse_than_float64():
    assert difference_error(H, dtype="float32").min() > 100 * difference_error(H).min()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "backward"}, "method"),
        ({"dtype": "float16"}, "dtype"),
        ({"hs": [1e-3, -1e-3]}, "positive"),
        ({"hs": [[1e-3]]}, "1-D"),
    ],
)
def test_difference_error_rejects_bad_input(kwargs, match):
    kwargs = {"hs": [1e-3], **kwargs}
    with pytest.raises(ValueError, match=match):
        difference_error(**kwargs)


def _neuron():
    x, w, b = Value(1.5, "x"), Value(-0.8, "w"), Value(0.4, "b")
    f = 1 / (exp(-(w * x + b)) + 1)
    f.backward()
    return f


def _texts(ax):
    return [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty annotations


def test_plot_value_graph_labels_every_edge_with_value_and_gradient():
    f = _neuron()
    fig, (ax, ax_all) = plt.subplots(1, 2)
    plot_value_graph(f, ax=ax)
    texts = _texts(ax)
    # 9 nodes without the two constants; 8 edges, each with a value and a gradient
    assert len(texts) == 9 + 2 * 8
    assert "0.321" in texts  # ∂f/∂w sent back along the edge w → h1
    assert any(t.startswith("w\n") for t in texts)
    plot_value_graph(f, ax=ax_all, show_constants=True)
    assert len(_texts(ax_all)) == 11 + 2 * 10
    plt.close(fig)


def test_plot_value_graph_rejects_a_non_value():
    with pytest.raises(TypeError, match="Value"):
        plot_value_graph(3.0)


def test_step_size_explorer_redraws_and_shows_28_frames():
    view = step_size_explorer()
    assert "centred, float64" in view.figure.axes[0].get_title()
    view.update(log10_h=-2.0, method="forward", dtype="float32")
    title = view.figure.axes[0].get_title()
    err = difference_error([1e-2], method="forward", dtype="float32")[0]
    assert title.startswith("forward, float32, h = 1e-2") and f"{err:.1e}" in title
    assert len(show(view, frames=True).frames) == 28


def test_vertical_layout_puts_the_inputs_on_top_and_keeps_every_label():
    f = _neuron()
    fig, (ax, ax_v) = plt.subplots(1, 2)
    plot_value_graph(f, ax=ax)
    plot_value_graph(f, ax=ax_v, vertical=True)
    assert sorted(_texts(ax)) == sorted(_texts(ax_v))
    boxes = {
        t.get_text().split("\n")[0]: t.get_position() for t in ax_v.texts if "\n" in t.get_text()
    }
    assert boxes["w"][1] > boxes["/"][1]  # the input above the output
    plt.close(fig)
