"""Wrong answers (mutants) and differently written right answers (variants) for chapter 3.

`tests/test_assignments.py` autogrades each of them with nbgrader and with course-grade, and
`tests/test_case_seeds.py` runs every test cell in-process under 40 case seeds. A mutant
replaces one answer cell (``cell``, its grade id) with ``source`` and must lose points in
every part of ``loses`` and keep full marks in every other part; with ``zero`` it must score
0 in those parts. A variant replaces one or more answer cells (``cells``: grade id → source)
with a correct answer written differently and must score full marks.

The mistakes are those of the spec (`specs/chapters-2-6.md` §2.3) and more: each part's
prompt fixes the conventions they break.
"""

FORWARD, BUMP, RELU = "one_hidden_layer", "step_and_bump", "relu_interpolant"
STAIRCASE, UNITS = "sigmoid_staircase", "units_needed"

# the right step_unit, for the mutants of bump alone
STEP = """
def step_unit(position, steepness):
    return float(steepness), -float(steepness) * float(position)
"""


def _forward(hidden: str, output: str = "hidden @ w2 + b2", z: str = "x @ w1 + b1") -> str:
    return f"""
def one_hidden_layer(x, w1, b1, w2, b2, activation):
    x, w1, b1, w2, b2 = (np.asarray(v) for v in (x, w1, b1, w2, b2))
    z = {z}
    if activation == "relu":
        hidden = np.maximum(z, 0.0)
    else:
        hidden = {hidden}
    return {output}
"""


STABLE = "np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))"


def _relu(body: str) -> str:
    return f"""
def relu_interpolant(x_grid, f_grid):
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    n = len(x) - 1
    slopes = np.diff(f) / np.diff(x)
{body}
"""


def _staircase(body: str) -> str:
    return f"""
def sigmoid_staircase(x_grid, f_grid, steepness):
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    n = len(x) - 1
    h = (x[-1] - x[0]) / n
    centres = (x[:-1] + x[1:]) / 2
{body}
"""


def _units(body: str) -> str:
    return f"""
import math


def units_needed(lipschitz, a, b, eps, kind, steepness=None):
    factor = 0.5 if kind == "relu" else 0.5 + 2 * math.log(2) / steepness
{body}
"""


MUTANTS = [
    # ---------------------------------------------------------------- part 1: forward pass
    {
        "name": "forward-column-convention",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward(STABLE, z="w1 @ x + b1"),
    },
    {
        "name": "forward-column-convention-transposed",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward(STABLE, z="(w1.T @ x.T + b1).T"),
    },
    {
        "name": "forward-bias-after-activation",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": """
def one_hidden_layer(x, w1, b1, w2, b2, activation):
    z = np.asarray(x) @ w1
    if activation == "relu":
        hidden = np.maximum(z, 0.0) + b1
    else:
        hidden = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z))) + b1
    return hidden @ w2 + b2
""",
    },
    {
        "name": "forward-activation-on-output",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": """
def one_hidden_layer(x, w1, b1, w2, b2, activation):
    def f(z):
        if activation == "relu":
            return np.maximum(z, 0.0)
        return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))

    return f(f(np.asarray(x) @ w1 + b1) @ w2 + b2)
""",
    },
    {
        "name": "forward-squeezes-single-output",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward(STABLE, output="np.squeeze(hidden @ w2 + b2)"),
    },
    {
        "name": "forward-naive-sigmoid-overflows",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward("1.0 / (1.0 + np.exp(-z))"),
    },
    {
        "name": "forward-np-where-sigmoid-overflows",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward("np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))"),
    },
    {
        "name": "forward-no-output-bias",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward(STABLE, output="hidden @ w2"),
    },
    {
        "name": "forward-tanh-for-sigmoid",
        "cell": FORWARD,
        "loses": {FORWARD},
        "source": _forward("np.tanh(z)"),
    },
    {
        "name": "forward-uses-mlpbook-widgets",
        "cell": FORWARD,
        "loses": {FORWARD},
        "zero": True,
        "source": """
from mlpbook.widgets import one_hidden_layer as library_forward


def one_hidden_layer(x, w1, b1, w2, b2, activation):
    return library_forward(x, (w1, b1, w2, b2), kind=activation)[0]
""",
    },
    # ---------------------------------------------------------------- part 2: step and bump
    {
        "name": "step-bias-sign",
        "cell": BUMP,
        "loses": {BUMP},
        "source": """
def step_unit(position, steepness):
    return steepness, steepness * position


def bump(left, right, height, steepness):
    w_up, b_up = step_unit(left, steepness)
    w_down, b_down = step_unit(right, steepness)
    return np.array([[w_up, w_down]]), np.array([b_up, b_down]), np.array([[height], [-height]])
""",
    },
    {
        "name": "step-steepness-on-bias-only",
        "cell": BUMP,
        "loses": {BUMP},
        "source": """
def step_unit(position, steepness):
    return 1.0, -steepness * position


def bump(left, right, height, steepness):
    w_up, b_up = step_unit(left, steepness)
    w_down, b_down = step_unit(right, steepness)
    return np.array([[w_up, w_down]]), np.array([b_up, b_down]), np.array([[height], [-height]])
""",
    },
    {
        "name": "step-bias-is-minus-position",
        "cell": BUMP,
        "loses": {BUMP},
        "source": """
def step_unit(position, steepness):
    return steepness, -position


def bump(left, right, height, steepness):
    return (
        np.array([[steepness, steepness]]),
        np.array([-steepness * left, -steepness * right]),
        np.array([[height], [-height]]),
    )
""",
    },
    {
        "name": "bump-steps-do-not-cancel",
        "cell": BUMP,
        "loses": {BUMP},
        "source": STEP
        + """

def bump(left, right, height, steepness):
    w_up, b_up = step_unit(left, steepness)
    w_down, b_down = step_unit(right, steepness)
    return np.array([[w_up, w_down]]), np.array([b_up, b_down]), np.array([[height], [height]])
""",
    },
    {
        "name": "bump-left-right-swapped",
        "cell": BUMP,
        "loses": {BUMP},
        "source": STEP
        + """

def bump(left, right, height, steepness):
    w_up, b_up = step_unit(right, steepness)
    w_down, b_down = step_unit(left, steepness)
    return np.array([[w_up, w_down]]), np.array([b_up, b_down]), np.array([[height], [-height]])
""",
    },
    {
        "name": "bump-height-in-w1",
        "cell": BUMP,
        "loses": {BUMP},
        "source": STEP
        + """

def bump(left, right, height, steepness):
    w_up, b_up = step_unit(left, steepness * height)
    w_down, b_down = step_unit(right, steepness * height)
    return np.array([[w_up, w_down]]), np.array([b_up, b_down]), np.array([[1.0], [-1.0]])
""",
    },
    {
        "name": "bump-falling-unit-without-offset",
        "cell": BUMP,
        "loses": {BUMP},
        "source": STEP
        + """

def bump(left, right, height, steepness):
    # the step down as a falling unit sigma(-s (x - right)) = 1 - sigma(s (x - right)):
    # right in the middle, but off by `height` everywhere without an output bias
    w_up, b_up = step_unit(left, steepness)
    return (
        np.array([[w_up, -steepness]]),
        np.array([b_up, steepness * right]),
        np.array([[height], [height]]),
    )
""",
    },
    # ---------------------------------------------------------------- part 3: ReLU interpolant
    {
        "name": "relu-output-weights-are-slopes",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu("    return np.ones((1, n)), -x[:-1], slopes[:, None], f[:1]"),
    },
    {
        "name": "relu-hinges-one-late",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    return np.ones((1, n)), -x[1:], np.diff(slopes, prepend=0.0)[:, None], f[:1]"
        ),
    },
    {
        "name": "relu-no-output-bias",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    changes = np.diff(slopes, prepend=0.0)[:, None]\n"
            "    return np.ones((1, n)), -x[:-1], changes, np.zeros(1)"
        ),
    },
    {
        "name": "relu-hinge-bias-plus-x",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    return np.ones((1, n)), x[:-1], np.diff(slopes, prepend=0.0)[:, None], f[:1]"
        ),
    },
    {
        "name": "relu-uniform-h-on-uneven-grid",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    h = (x[-1] - x[0]) / n\n"
            "    slopes = np.diff(f) / h\n"
            "    return np.ones((1, n)), -x[:-1], np.diff(slopes, prepend=0.0)[:, None], f[:1]"
        ),
    },
    {
        "name": "relu-n-plus-one-units",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    changes = np.diff(slopes, prepend=0.0, append=0.0)  # a last hinge at x_n\n"
            "    return np.ones((1, n + 1)), -x, changes[:, None], f[:1]"
        ),
    },
    {
        "name": "relu-column-shapes",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    return np.ones((n, 1)), -x[:-1], np.diff(slopes, prepend=0.0)[None, :], f[:1]"
        ),
    },
    {
        "name": "relu-first-slope-dropped",
        "cell": RELU,
        "loses": {RELU},
        "source": _relu(
            "    changes = np.diff(slopes)  # n - 1 changes: the first slope is lost\n"
            "    return np.ones((1, n - 1)), -x[1:-1], changes[:, None], f[:1]"
        ),
    },
    {
        "name": "relu-uses-mlpbook-widgets",
        "cell": RELU,
        "loses": {RELU},
        "zero": True,
        "source": """
from mlpbook import widgets


def relu_interpolant(x_grid, f_grid):
    n = len(x_grid) - 1
    return widgets.staircase_network(
        lambda t: np.interp(t, x_grid, f_grid), n, low=x_grid[0], high=x_grid[-1], kind="relu"
    )
""",
    },
    {
        "name": "relu-uses-mlpbook-approximation",
        "cell": RELU,
        "loses": {RELU},
        "zero": True,
        "source": """
from mlpbook.approximation import relu_interpolant as library_interpolant


def relu_interpolant(x_grid, f_grid):
    return library_interpolant(x_grid, f_grid)
""",
    },
    # ---------------------------------------------------------------- part 4: sigmoid staircase
    {
        "name": "staircase-steps-at-grid-points",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness / h)\n"
            "    return w1, -w1[0] * x[1:], np.diff(f)[:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-steps-at-left-grid-points",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness / h)\n"
            "    return w1, -w1[0] * x[:-1], np.diff(f)[:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-steepness-not-divided-by-h",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), float(steepness))\n"
            "    return w1, -w1[0] * centres, np.diff(f)[:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-steepness-times-h",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness * h)\n"
            "    return w1, -w1[0] * centres, np.diff(f)[:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-no-output-bias",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness / h)\n"
            "    return w1, -w1[0] * centres, np.diff(f)[:, None], np.zeros(1)"
        ),
    },
    {
        "name": "staircase-heights-are-values",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness / h)\n"
            "    return w1, -w1[0] * centres, f[1:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-bias-sign",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    w1 = np.full((1, n), steepness / h)\n"
            "    return w1, w1[0] * centres, np.diff(f)[:, None], f[:1]"
        ),
    },
    {
        "name": "staircase-n-plus-one-steps-from-zero",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "source": _staircase(
            "    # a first step of height f(x_0) half a cell left of a, and no output bias\n"
            "    w1 = np.full((1, n + 1), steepness / h)\n"
            "    centres = np.concatenate([[x[0] - h / 2], centres])\n"
            "    return w1, -w1[0] * centres, np.diff(f, prepend=0.0)[:, None], np.zeros(1)"
        ),
    },
    {
        "name": "staircase-uses-mlpbook-widgets",
        "cell": STAIRCASE,
        "loses": {STAIRCASE},
        "zero": True,
        "source": """
import mlpbook.widgets


def sigmoid_staircase(x_grid, f_grid, steepness):
    n = len(x_grid) - 1
    return mlpbook.widgets.staircase_network(
        lambda t: np.interp(t, x_grid, f_grid), n, steepness, low=x_grid[0], high=x_grid[-1]
    )
""",
    },
    # ---------------------------------------------------------------- part 5: units needed
    {
        "name": "units-round",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return max(1, round(lipschitz * (b - a) * factor / eps))"),
    },
    {
        "name": "units-floor",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return max(1, math.floor(lipschitz * (b - a) * factor / eps))"),
    },
    {
        "name": "units-ceil-plus-one",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return math.ceil(lipschitz * (b - a) * factor / eps) + 1"),
    },
    {
        "name": "units-strict-inequality",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return math.floor(lipschitz * (b - a) * factor / eps) + 1"),
    },
    {
        "name": "units-forgets-interval-length",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return max(1, math.ceil(lipschitz * factor / eps))"),
    },
    {
        "name": "units-staircase-bound-for-sigmoid",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return max(1, math.ceil(lipschitz * (b - a) / (2 * eps)))"),
    },
    {
        "name": "units-sigmoid-without-the-half",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units(
            '    if kind == "sigmoid":\n'
            "        factor = 2 * math.log(2) / steepness\n"
            "    return max(1, math.ceil(lipschitz * (b - a) * factor / eps))"
        ),
    },
    {
        "name": "units-log10",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units(
            '    if kind == "sigmoid":\n'
            "        factor = 0.5 + 2 * math.log10(2) / steepness\n"
            "    return max(1, math.ceil(lipschitz * (b - a) * factor / eps))"
        ),
    },
    {
        "name": "units-uses-mlpbook-approximation",
        "cell": UNITS,
        "loses": {UNITS},
        "zero": True,
        "source": """
def units_needed(lipschitz, a, b, eps, kind, steepness=None):
    from mlpbook import approximation

    return approximation.units_needed(lipschitz, a, b, eps, kind, steepness)
""",
    },
    {
        "name": "units-returns-float",
        "cell": UNITS,
        "loses": {UNITS},
        "source": _units("    return max(1.0, np.ceil(lipschitz * (b - a) * factor / eps))"),
    },
]

VARIANTS = [
    {
        "name": "loops-and-lists",
        "cells": {
            FORWARD: """
import math


def one_hidden_layer(x, w1, b1, w2, b2, activation):
    def f(z):
        if activation == "relu":
            return max(z, 0.0)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        return math.exp(z) / (1.0 + math.exp(z))

    rows = []
    for x_n in np.asarray(x, dtype=float).tolist():
        hidden = [
            f(sum(x_n[d] * w1[d][j] for d in range(len(x_n))) + b1[j]) for j in range(len(b1))
        ]
        rows.append(
            [sum(hidden[j] * w2[j][c] for j in range(len(hidden))) + b2[c] for c in range(len(b2))]
        )
    return np.array(rows)
""",
            BUMP: """
def step_unit(position, steepness):
    return steepness, -steepness * position


def bump(left, right, height, steepness):
    units = [step_unit(left, steepness), step_unit(right, steepness)]
    return [[w for w, _ in units]], [b for _, b in units], [[height], [-height]]
""",
            RELU: """
def relu_interpolant(x_grid, f_grid):
    n = len(x_grid) - 1
    w1, b1, w2 = [[]], [], []
    previous_slope = 0.0
    for i in range(n):
        rise = float(f_grid[i + 1]) - float(f_grid[i])
        slope = rise / (float(x_grid[i + 1]) - float(x_grid[i]))
        w1[0].append(1.0)
        b1.append(-float(x_grid[i]))
        w2.append([slope - previous_slope])
        previous_slope = slope
    return w1, b1, w2, [float(f_grid[0])]
""",
            STAIRCASE: """
def sigmoid_staircase(x_grid, f_grid, steepness):
    n = len(x_grid) - 1
    h = (float(x_grid[n]) - float(x_grid[0])) / n
    w1, b1, w2 = [[]], [], []
    for j in range(1, n + 1):
        centre = (float(x_grid[j - 1]) + float(x_grid[j])) / 2
        w1[0].append(steepness / h)
        b1.append(-steepness / h * centre)
        w2.append([float(f_grid[j]) - float(f_grid[j - 1])])
    return w1, b1, w2, [float(f_grid[0])]
""",
            UNITS: """
import math


def units_needed(lipschitz, a, b, eps, kind, steepness=None):
    def bound(n):
        if kind == "relu":
            return lipschitz * (b - a) / (2 * n)
        return lipschitz * (b - a) / n * (0.5 + 2 * math.log(2) / steepness)

    n = 1
    while bound(n) > eps:
        n += 1
    return n
""",
        },
    },
    {
        "name": "keeps-input-dtype-float32",
        "cells": {
            FORWARD: """
def one_hidden_layer(x, w1, b1, w2, b2, activation):
    z = x @ w1 + b1  # float32 in, float32 out
    if activation == "relu":
        return np.maximum(z, 0) @ w2 + b2
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)) @ w2 + b2
""",
            RELU: """
def relu_interpolant(x_grid, f_grid):
    slopes = np.diff(f_grid) / np.diff(x_grid)
    return (
        np.ones_like(x_grid[:-1])[None, :],
        -x_grid[:-1],
        np.diff(slopes, prepend=slopes[:1] * 0)[:, None],
        f_grid[:1],
    )
""",
            STAIRCASE: """
def sigmoid_staircase(x_grid, f_grid, steepness):
    n = len(x_grid) - 1
    h = (x_grid[-1] - x_grid[0]) / n
    w = np.full((1, n), steepness / h, dtype=x_grid.dtype)
    return w, -w[0] * (x_grid[:-1] + x_grid[1:]) / 2, np.diff(f_grid)[:, None], f_grid[:1]
""",
        },
    },
    {
        "name": "other-conventions",
        "cells": {
            FORWARD: """
def one_hidden_layer(x, w1, b1, w2, b2, activation):
    # the column convention, done consistently, and turned back into rows
    z = np.asarray(w1).T @ np.asarray(x).T + np.asarray(b1)[:, None]  # (H, N)
    hidden = np.maximum(z, 0) if activation == "relu" else 0.5 * (1 + np.tanh(z / 2))
    return (np.asarray(w2).T @ hidden + np.asarray(b2)[:, None]).T
""",
            BUMP: """
def step_unit(position, steepness):
    return np.float64(steepness), np.float64(-steepness * position)


def bump(left, right, height, steepness):
    # the step down first, then the step up
    down, up = step_unit(right, steepness), step_unit(left, steepness)
    return np.array([[down[0], up[0]]]), np.array([down[1], up[1]]), np.array([[-height], [height]])
""",
            RELU: """
def relu_interpolant(x_grid, f_grid):
    # hinges facing left, ReLU(x_(i+1) - x), built from the right end b = x_n
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    slopes = np.diff(f) / np.diff(x)
    changes = -np.diff(slopes[::-1], prepend=0.0)[::-1]  # -m_(n-1), m_(i+1) - m_i ...
    return -np.ones((1, len(slopes))), x[1:], changes[:, None], f[-1:]
""",
            STAIRCASE: """
def sigmoid_staircase(x_grid, f_grid, steepness):
    # falling steps sigma(-s (x - c_j) / h) = 1 - sigma(s (x - c_j) / h), from f(x_n)
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    n = len(x) - 1
    w = -steepness * n / (x[-1] - x[0])
    return np.full((1, n), w), -w * (x[:-1] + x[1:]) / 2, -np.diff(f)[:, None], f[-1:]
""",
            UNITS: """
from fractions import Fraction
import math


def units_needed(lipschitz, a, b, eps, kind, steepness=None):
    if kind == "relu":  # exact rational arithmetic
        need = Fraction(lipschitz) * (Fraction(b) - Fraction(a)) / (2 * Fraction(eps))
        return max(1, math.ceil(need))
    need = lipschitz * (b - a) * (0.5 + 2 * math.log(2) / steepness) / eps
    return max(1, math.ceil(need))
""",
        },
    },
    {
        "name": "allowed-library-and-other-names",
        "cells": {
            FORWARD: """
from mlpbook.activations import relu, sigmoid  # allowed: only mlpbook.widgets is off limits


def one_hidden_layer(inputs, weights1, biases1, weights2, biases2, name):
    act = relu if name == "relu" else sigmoid
    return act(inputs @ weights1 + biases1) @ weights2 + biases2
""",
            BUMP: """
def step_unit(where, how_steep):
    weight = how_steep
    bias = -weight * where
    return weight, bias


def bump(start, stop, tall, how_steep):
    (wa, ba), (wb, bb) = step_unit(start, how_steep), step_unit(stop, how_steep)
    return np.array([[wa, wb]], dtype=float), np.array([ba, bb], dtype=float), tall * np.array(
        [[1.0], [-1.0]]
    )
""",
            UNITS: """
def units_needed(K, lo, hi, tolerance, kind, steepness=None):
    per_unit = K * (hi - lo) / 2
    if kind == "sigmoid":
        per_unit = K * (hi - lo) * (0.5 + 2 * np.log(2) / steepness)
    return max(1, int(np.ceil(per_unit / tolerance)))
""",
        },
    },
    {
        "name": "einsum-expit-and-a-linear-solve",
        "cells": {
            FORWARD: """
from scipy.special import expit


def one_hidden_layer(x, w1, b1, w2, b2, activation):
    z = np.einsum("nd,dh->nh", x, w1) + b1
    a = np.clip(z, 0, None) if activation == "relu" else expit(z)
    return np.einsum("nh,hc->nc", a, w2) + b2
""",
            RELU: """
def relu_interpolant(x_grid, f_grid):
    # hinges at x_0..x_(n-1); their weights solve the (triangular) interpolation conditions
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    hinges = x[:-1]
    design = np.maximum(x[1:, None] - hinges[None, :], 0.0)  # (n, n), rows x_1..x_n
    weights = np.linalg.solve(design, f[1:] - f[0])
    return np.ones((1, len(hinges))), -hinges, weights[:, None], np.array([f[0]])
""",
            STAIRCASE: """
def sigmoid_staircase(x_grid, f_grid, steepness):
    # written for any grid: each cell's own width (all equal here)
    x, f = np.asarray(x_grid, dtype=float), np.asarray(f_grid, dtype=float)
    widths = np.diff(x)
    weights = steepness / widths
    return weights[None, :], -weights * (x[:-1] + widths / 2), np.diff(f).reshape(-1, 1), f[[0]]
""",
        },
    },
    {
        "name": "units-by-search-with-numpy-ints",
        "cells": {
            UNITS: """
def units_needed(lipschitz, a, b, eps, kind, steepness=None):
    factor = 0.5 if kind == "relu" else 0.5 + 2 * np.log(2) / steepness
    guess = np.int64(max(1, np.floor(lipschitz * (b - a) * factor / eps)))
    while lipschitz * (b - a) * factor / guess > eps:  # the smallest n with bound(n) <= eps
        guess += 1
    while guess > 1 and lipschitz * (b - a) * factor / (guess - 1) <= eps:
        guess -= 1
    return guess
""",
        },
    },
]
