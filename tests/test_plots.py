"""Tests for mlpbook.plots: every helper draws what it says and returns Axes or Figure."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import importlib
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from mlpbook import plots
from mlpbook.activations import ACTIVATIONS, get_activation
from mlpbook.data import make_moons, make_spirals


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _filled_regions(ax) -> list[int]:
    """Indices of the filled-contour levels that cover some area."""
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    return [i for i, path in enumerate(cs.get_paths()) if len(path.vertices)]


def test_import_sets_no_global_style_and_use_book_style_does():
    with matplotlib.rc_context():
        before = dict(matplotlib.rcParams)
        importlib.reload(plots)
        assert dict(matplotlib.rcParams) == before
        plots.use_book_style()
        assert matplotlib.rcParams["axes.spines.top"] is False


# --- activations -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize(("derivative", "lines"), [(True, 2), (False, 1)])
def test_plot_activation_draws_function_and_derivative(name, derivative, lines):
    ax = plots.plot_activation(name, derivative=derivative)
    assert isinstance(ax, Axes)
    assert len(ax.lines) == lines
    assert ax.get_title() == name


def test_plot_activation_breaks_and_marks_the_derivative_at_kinks():
    _, ax = plt.subplots()
    assert plots.plot_activation("relu", ax=ax) is ax
    derivative = ax.lines[1].get_ydata()
    assert np.isnan(derivative).sum() == 1  # one kink, one break
    # function's kink dot, the derivative's one-sided limits, the value used at 0
    assert len(ax.collections) == 3
    assert len(plots.plot_activation("sigmoid").collections) == 0


def test_plot_activation_labels_use_mathtext_or_fall_back_to_the_name():
    ax = plots.plot_activation("relu")
    labels = [line.get_label() for line in ax.lines]
    assert labels[0].startswith("$") and labels[0].endswith("$")
    assert labels[1] == "relu'"  # \begin{cases} is beyond mathtext


def test_plot_activation_passes_parameters_and_accepts_an_activation():
    ax = plots.plot_activation("leaky_relu", r=0.25, x=np.linspace(-2, -1, 11))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.25)
    assert len(ax.collections) == 0  # the kink at 0 is outside x
    ax = plots.plot_activation(get_activation("elu", alpha=2.0), derivative=False)
    assert ax.lines[0].get_ydata().min() == pytest.approx(2.0 * np.expm1(-4.0))
    with pytest.raises(TypeError, match="only with an activation name"):
        plots.plot_activation(get_activation("elu"), alpha=2.0)


def test_plot_activation_grid_has_one_visible_panel_per_name():
    fig = plots.plot_activation_grid(["relu", "tanh", "elu", "step"], ncols=3)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [
        "relu",
        "tanh",
        "elu",
        "step",
    ]
    assert sum(ax.get_visible() for ax in plots.plot_activation_grid().axes) == len(ACTIVATIONS)


def _shaded_x(ax) -> np.ndarray:
    """The x covered by the shading polygons of ``shade_below``."""
    (poly,) = [c for c in ax.collections if c.get_zorder() == 0]
    return np.concatenate([p.vertices[:, 0] for p in poly.get_paths()])


def test_plot_activation_shades_where_the_derivative_is_small():
    ax = plots.plot_activation("sigmoid", shade_below=0.05)
    xs = _shaded_x(ax)
    # sigma' < 0.05 exactly where |x| > 2.887: two tails, nothing near 0
    assert xs.min() == pytest.approx(-4.0) and xs.max() == pytest.approx(4.0)
    assert np.abs(xs).min() > 2.88
    relu = _shaded_x(plots.plot_activation("relu", shade_below=0.05))
    assert relu.max() <= 0.0 + 1e-12 and relu.min() == pytest.approx(-4.0)
    # nothing is shaded without the option, and the lines are the same
    assert len(plots.plot_activation("sigmoid").collections) == 0


def test_plot_activation_grid_passes_parameters_and_shading():
    fig = plots.plot_activation_grid(
        ["relu", "leaky_relu"], ncols=2, shade_below=0.05, params={"leaky_relu": {"r": 0.2}}
    )
    relu_ax, leaky_ax = fig.axes
    assert len([c for c in relu_ax.collections if c.get_zorder() == 0]) == 1
    # r = 0.2 >= 0.05: a leaky ReLU with that slope is never shaded
    assert not next(c for c in leaky_ax.collections if c.get_zorder() == 0).get_paths()
    np.testing.assert_allclose(leaky_ax.lines[1].get_ydata()[:10], 0.2)
    with pytest.raises(ValueError, match="not in the grid: elu"):
        plots.plot_activation_grid(["relu"], params={"elu": {"alpha": 2.0}})


def test_plot_layer_statistics_one_line_per_series_on_a_log_axis():
    ax = plots.plot_layer_statistics({"sigmoid": [1e-4, 1e-2, 1.0], "relu": [0.5, 0.6, 0.4]})
    assert [line.get_label() for line in ax.lines] == ["sigmoid", "relu"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "log"
    assert plots.plot_layer_statistics({"a": [-1.0, 2.0]}, log=False).get_yscale() == "linear"
    with pytest.raises(ValueError, match="values > 0"):
        plots.plot_layer_statistics({"a": [0.0, 1.0]})
    with pytest.raises(ValueError, match="at least one series"):
        plots.plot_layer_statistics({})


def test_plot_saturation_counts_the_small_derivatives():
    z = np.array([-10.0, -0.1, 0.0, 0.1, 10.0])
    fig = plots.plot_saturation(z, "sigmoid")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert fig.axes[2].get_title() == "sigmoid'(z): 40% below 0.01"  # the two tails
    fig = plots.plot_saturation(z, "leaky_relu", r=0.5, threshold=0.6)
    assert "60% below 0.6" in fig.axes[2].get_title()  # slope 0.5 at -10, -0.1 and 0
    assert "60% below 0.6" in plots.plot_saturation(z, "relu", threshold=0.6).axes[2].get_title()
    with pytest.raises(ValueError, match="expected 3 Axes"):
        plots.plot_saturation(z, axes=[fig.axes[0]])
    with pytest.raises(ValueError, match="at least one value"):
        plots.plot_saturation([])


# --- decision boundaries ---------------------------------------------------------------


@pytest.fixture
def moons():
    return make_moons(60, rng=0)


def test_decision_boundary_regions_follow_the_predictions(moons):
    x, y = moons
    ax = plots.plot_decision_boundary(lambda g: np.zeros(len(g), dtype=int), x, y, resolution=30)
    assert isinstance(ax, Axes)
    assert _filled_regions(ax) == [0]  # all zeros: one region, class 0's
    ax = plots.plot_decision_boundary(lambda g: g[:, 1] > 0.25, x, y)  # booleans are labels too
    assert _filled_regions(ax) == [0, 1]
    (points,) = [c for c in ax.collections if not isinstance(c, ContourSet)]
    assert len(points.get_offsets()) == len(x)


def test_decision_boundary_with_probabilities_and_scores(moons):
    x, y = moons
    for predict in (
        lambda g: 1 / (1 + np.exp(-np.clip(g[:, 0], -30, 30))),  # P(class 1), shape (M,)
        lambda g: 5 * g[:, :1],  # scores (M, 1): squashed by a logistic
        lambda g: np.column_stack([-g[:, 0], g[:, 0]]),  # two scores per point
    ):
        ax = plots.plot_decision_boundary(predict, x, y, proba=True, resolution=40)
        contours = [c for c in ax.collections if isinstance(c, ContourSet)]
        assert [c.filled for c in contours] == [True, False]  # shading and the 0.5 line
        assert contours[1].levels.tolist() == [0.5]


def test_decision_boundary_three_classes_by_argmax():
    x, y = make_spirals(90, classes=3, rng=0)
    angle = lambda g: np.arctan2(g[:, 1], g[:, 0])  # noqa: E731
    scores = lambda g: np.column_stack([np.cos(angle(g) - a) for a in (0, 2, 4)])  # noqa: E731
    ax = plots.plot_decision_boundary(scores, x, y, proba=True, resolution=50)
    assert _filled_regions(ax) == [0, 1, 2]


def test_decision_boundary_errors(moons):
    x, y = moons
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\), got \(60, 3\)"):
        plots.plot_decision_boundary(lambda g: g[:, 0], np.zeros((60, 3)), y)
    with pytest.raises(ValueError, match="predict"):
        plots.plot_decision_boundary(lambda g: np.zeros((len(g), 2), dtype=int), x, y)
    with pytest.raises(ValueError, match="predict: expected an output of shape"):
        plots.plot_decision_boundary(lambda g: np.zeros(3), x, y)


# --- perceptron ------------------------------------------------------------------------


def test_perceptron_line_lies_on_the_boundary_and_shades_the_positive_side():
    w, b = np.array([1.0, 2.0]), -1.0
    ax = plots.plot_perceptron_line(w, b, xlim=(-1, 2), ylim=(-1, 2))
    assert isinstance(ax, Axes)
    (line,) = ax.lines
    points = np.column_stack([line.get_xdata(), line.get_ydata()])
    np.testing.assert_allclose(points @ w + b, 0.0, atol=1e-12)
    (shade,) = ax.patches
    assert np.all(shade.get_xy() @ w + b >= -1e-9)
    assert ax.get_xlim() == (-1, 2)


def test_perceptron_vertical_line_and_zero_weights():
    ax = plots.plot_perceptron_line([2.0, 0.0], -1.0)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.5, 0.5])
    ax = plots.plot_perceptron_line([0.0, 0.0], 0.5)
    assert len(ax.lines) == 0
    assert any("w = 0" in t.get_text() for t in ax.texts)
    assert len(ax.patches) == 1  # b >= 0: everything is on the positive side
    assert len(plots.plot_perceptron_line([0.0, 0.0], -0.5).patches) == 0


def test_perceptron_line_rejects_bad_weights():
    with pytest.raises(ValueError, match=r"w: expected shape \(2,\), got \(3,\)"):
        plots.plot_perceptron_line([1.0, 2.0, 3.0], 0.0)


# --- training history ------------------------------------------------------------------


@dataclass
class StandInHistory:
    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    best_epoch: int | None = None


def test_plot_history_loss_and_accuracy_with_best_epoch():
    h = StandInHistory([1.0, 0.6, 0.4], [1.1, 0.7, 0.8], [0.5, 0.7, 0.9], [0.4, 0.6, 0.5], 1)
    fig = plots.plot_history(h)
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 3 and len(acc_ax.lines) == 3  # train, validation, best
    assert loss_ax.lines[2].get_xdata()[0] == 2  # 0-based best_epoch 1 is epoch 2
    np.testing.assert_allclose(loss_ax.collections[0].get_offsets(), [[2, 0.7]])


def test_plot_history_without_accuracy_or_anything():
    fig = plots.plot_history(StandInHistory(loss=[1.0, 0.5]))
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    fig = plots.plot_history(StandInHistory())
    assert any("nothing recorded" in t.get_text() for t in fig.axes[0].texts)


def test_plot_history_into_given_axes_and_errors():
    fig, axes = plt.subplots(1, 2)
    h = StandInHistory([1.0], [1.0], [0.5], [0.5], 0)
    assert plots.plot_history(h, axes=axes) is fig
    with pytest.raises(ValueError, match="axes: expected 2 Axes"):
        plots.plot_history(h, axes=axes[0])
    with pytest.raises(ValueError, match=r"best_epoch: expected a 0-based index in 0\.\.0, got 1"):
        plots.plot_history(StandInHistory(loss=[1.0], best_epoch=1))


# --- function fits and histograms ------------------------------------------------------


def test_plot_function_fit_draws_target_model_units_and_points():
    x = np.linspace(-1, 1, 50)[:, None]
    components = np.column_stack([np.tanh(5 * x[:, 0]), x[:, 0] ** 2, np.ones(50)])
    ax = plots.plot_function_fit(
        x, np.sin(x), np.sin(x) + 0.1, components=components, x_train=x[::5], y_train=np.sin(x[::5])
    )
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 2 + 3
    assert len(ax.collections[0].get_offsets()) == 10
    assert len(plots.plot_function_fit(x[:, 0], np.sin(x[:, 0])).lines) == 1


def test_plot_function_fit_errors():
    x = np.linspace(-1, 1, 5)
    with pytest.raises(ValueError, match=r"y_true: expected shape \(N,\) with N=5, got \(4,\)"):
        plots.plot_function_fit(x, x[:4])
    with pytest.raises(ValueError, match=r"components: expected shape \(N, H\) with N=5"):
        plots.plot_function_fit(x, x, components=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="pass both or neither"):
        plots.plot_function_fit(x, x, x_train=x)


def test_plot_weight_histograms_one_panel_per_array():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(0, s, size=(20, 20)) for s in (1.0, 0.5, 0.1)]
    arrays.append(np.array([0.0, np.inf, np.nan, 1.0]))
    fig = plots.plot_weight_histograms(arrays, ["l1", "l2", "l3", "l4"], bins=10)
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    assert all(len(ax.patches) == 10 for ax in visible)
    assert "2 non-finite" in visible[3].get_title()


def test_plot_weight_histograms_errors():
    with pytest.raises(ValueError, match="one label per array"):
        plots.plot_weight_histograms([np.zeros(3)], ["a", "b"])
