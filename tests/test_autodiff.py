"""Tests for mlpbook.autodiff: reverse mode (Value) and forward mode (Dual) agree."""

import math
import sys

import numpy as np
import pytest

from mlpbook.autodiff import (
    Dual,
    Value,
    derivative_forward,
    exp,
    gradient_reverse,
    graph_edges,
    log,
    relu,
    sigmoid,
    tanh,
    topological_order,
)


def neuron(x, w, b):
    """The sigmoid neuron f(x; w, b) = σ(wx + b) of the notes' computational graph."""
    return sigmoid(w * x + b)


def nasty(x, y, z):
    """An expression that uses every operation, reflected ones included."""
    a = 2 * x * y + 1 - z / (1 + y**2)
    b = 3 - a / 4 + (-z) ** 2
    c = log(1 + x * x) * tanh(y - z)
    d = sigmoid(a * c) + relu(b) ** 0.5 - exp(-x) / 2 + relu(-b)
    return d * c + 1 / (2 + d) - 0.5 * exp(tanh(z))


def centred(f, args, h=1e-6):
    """∂f/∂args[i] for every i by centred differences, in float64."""
    grads = []
    for i in range(len(args)):
        up, down = list(args), list(args)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


def both_modes(f, *args):
    """(value, grads) by reverse mode, and the same by n forward passes."""
    value_r, grads_r = gradient_reverse(f, *args)
    forward = [derivative_forward(f, *args, wrt=i) for i in range(len(args))]
    return value_r, grads_r, [v for v, _ in forward], [d for _, d in forward]


NEURON_POINTS = [(1.0, 2.0, -3.0), (-0.5, 0.3, 0.1), (2.0, -1.5, 4.0), (0.0, 7.0, -2.0)]


@pytest.mark.parametrize(("x", "w", "b"), NEURON_POINTS)
def test_neuron_forward_and_reverse_match_the_analytic_derivatives(x, w, b):
    s = 1.0 / (1.0 + math.exp(-(w * x + b)))
    expected = (s * (1 - s) * w, s * (1 - s) * x, s * (1 - s))  # ∂f/∂x, ∂f/∂w, ∂f/∂b
    value_r, grads_r, values_f, grads_f = both_modes(neuron, x, w, b)
    assert value_r == pytest.approx(s, rel=1e-12)
    assert values_f == pytest.approx([s] * 3, rel=1e-12)
    assert grads_r == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert grads_f == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert neuron(x, w, b) == pytest.approx(s, rel=1e-12)  # plain floats too


@pytest.mark.parametrize("point", [(0.7, -1.2, 0.4), (1.5, 0.3, -0.8), (-0.9, 0.6, 1.1)])
def test_nasty_expression_matches_centred_differences(point):
    value_r, grads_r, values_f, grads_f = both_modes(nasty, *point)
    assert value_r == pytest.approx(nasty(*point), rel=1e-12)
    assert values_f == pytest.approx([value_r] * 3, rel=1e-12)
    numeric = centred(nasty, point)
    assert grads_r == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert grads_f == pytest.approx(grads_r, rel=1e-12, abs=1e-14)


def test_a_node_used_twice_gets_the_sum_of_both_paths():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0, "x*x + x: the grads of the three uses of x must add"

    x = Value(3.0)
    a = x + x  # da/dx = 2
    a.backward()
    assert x.grad == 2.0, "a + a: an operation whose two operands are the same node"

    x = Value(3.0)
    a = x + x
    q = a * a  # q = 4x², dq/dx = 8x
    q.backward()
    assert (a.grad, x.grad) == (12.0, 24.0)

    x = Value(2.0)
    diamond = x * 2 + x * 3 + x.exp()  # two branches meeting again
    diamond.backward()
    assert x.grad == pytest.approx(5 + math.exp(2.0), rel=1e-15)


def test_dual_numbers_obey_epsilon_squared_zero():
    a = 1.7
    sq = Dual(a, 1.0) * Dual(a, 1.0)  # (a + ε)² = a² + 2aε + ε², with ε² = 0
    assert (sq.value, sq.derivative) == (a * a, 2 * a)
    prod = Dual(2.0, 1.0) * Dual(5.0, 0.0)
    assert (prod.value, prod.derivative) == (10.0, 5.0)
    assert Dual(0.3, 1.0).sin().derivative == pytest.approx(math.cos(0.3), rel=1e-15)
    assert Dual(0.3, 1.0).cos().derivative == pytest.approx(-math.sin(0.3), rel=1e-15)


def test_backward_twice_gives_the_same_grads_not_double():
    x, y, z = Value(0.7), Value(-1.2), Value(0.4)
    out = nasty(x, y, z)
    out.backward()
    first = [node.grad for node in topological_order(out)]
    out.backward()
    assert [node.grad for node in topological_order(out)] == first
    assert out.grad == 1.0


def test_backward_on_a_second_output_does_not_add_the_first_ones_grads():
    w = Value(2.0)
    (w * 10).backward()
    (w * 3).backward()
    assert w.grad == 3.0


def test_a_10000_node_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.5
    assert sys.getrecursionlimit() < 10_000
    y.backward()
    assert x.grad == 1.0
    assert y.data == 5001.0
    assert len(topological_order(y)) == 1 + 4 * 10_000  # x, and per step: 2 constants, 2 ops


def test_division_power_and_numbers_on_the_left():
    x = Value(4.0)
    out = 2 / x  # d/dx = -2/x²
    out.backward()
    assert (out.data, x.grad) == (0.5, -0.125)
    for f, value, slope in [
        (lambda v: 1 + v, 5.0, 1.0),
        (lambda v: 10 - v, 6.0, -1.0),
        (lambda v: 3 * v, 12.0, 3.0),
        (lambda v: v / 8, 0.5, 0.125),
        (lambda v: v - 1, 3.0, 1.0),
        (lambda v: -v, -4.0, -1.0),
        (lambda v: v**3, 64.0, 48.0),
        (lambda v: v**-1, 0.25, -1 / 16),
        (lambda v: v**0.5, 2.0, 0.25),
        (lambda v: v**0, 1.0, 0.0),
        (lambda v: np.float64(2.0) * v, 8.0, 2.0),
    ]:
        value_r, (grad_r,) = gradient_reverse(f, 4.0)
        value_f, grad_f = derivative_forward(f, 4.0, wrt=0)
        assert (value_r, grad_r) == pytest.approx((value, slope), rel=1e-15)
        assert (value_f, grad_f) == pytest.approx((value, slope), rel=1e-15)


def test_quotient_rule_for_both_operands():
    value, grads = gradient_reverse(lambda a, b: a / b, 3.0, 2.0)
    assert (value, grads) == (1.5, (0.5, -0.75))
    assert derivative_forward(lambda a, b: a / b, 3.0, 2.0, wrt=1) == (1.5, -0.75)


def test_relu_derivative_at_zero_is_zero():
    assert gradient_reverse(relu, 0.0) == (0.0, (0.0,))
    assert derivative_forward(relu, 0.0, wrt=0) == (0.0, 0.0)
    assert gradient_reverse(relu, 1e-300)[1] == (1.0,)
    assert gradient_reverse(relu, -2.0) == (0.0, (0.0,))


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_log_of_a_non_positive_value_raises(bad):
    for arg in (bad, Value(bad), Dual(bad, 1.0)):
        with pytest.raises(ValueError, match=r"log: expected a positive value, got"):
            log(arg)


@pytest.mark.parametrize("z", [-1000.0, 1000.0, -745.5, 710.0])
def test_sigmoid_is_finite_for_large_inputs_in_every_mode(z):
    expected = 0.0 if z < 0 else 1.0
    value_r, (grad_r,) = gradient_reverse(sigmoid, z)
    value_f, grad_f = derivative_forward(sigmoid, z, wrt=0)
    for got in (sigmoid(z), value_r, value_f):
        assert math.isfinite(got)
        assert got == pytest.approx(expected, abs=1e-300)
    assert grad_r == grad_f == pytest.approx(0.0, abs=1e-300)


def test_sigmoid_is_accurate_on_both_sides():
    for z in (-30.0, -1.0, 0.0, 2.5, 30.0):
        assert sigmoid(z) == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-14)
    assert sigmoid(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-12)  # no 1 - (1 - tiny)


def test_topological_order_and_graph_edges_of_the_neuron():
    x, w, b = Value(1.0, "x"), Value(2.0, "w"), Value(-3.0, "b")
    f = neuron(x, w, b)
    order = topological_order(f)
    assert [n.op for n in order if n.op] == ["*", "+", "sigmoid"]
    assert {n.label for n in order if not n.op} == {"x", "w", "b"}
    assert order[-1] is f
    position = {id(n): i for i, n in enumerate(order)}
    edges = graph_edges(f)
    assert len(edges) == 5
    assert all(position[id(p)] < position[id(c)] for p, c in edges)
    sq = x * x
    assert graph_edges(sq) == [(x, sq), (x, sq)]


def test_repr_shows_data_and_grad():
    x = Value(2.0, "x")
    (x * x).backward()
    assert repr(x) == "Value(data=2, grad=4, label='x')"
    assert repr(Dual(1.5, -2.0)) == "Dual(value=1.5, derivative=-2)"


def test_leaf_and_operator_attributes():
    x = Value(2.0)
    y = x.tanh()
    assert (x.op, x.parents, y.op, y.parents) == ("", (), "tanh", (x,))
    assert (x**2).op == "**2"


def test_mixing_modes_and_bad_operands_raise():
    with pytest.raises(TypeError, match="Value"):
        Value(1.0) + Dual(1.0)
    with pytest.raises(TypeError, match="Dual"):
        Dual(1.0) * Value(1.0)
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="integer exponent"):
        Dual(-8.0) ** (1 / 3)
    with pytest.raises(TypeError, match="expected a float, Value or Dual"):
        exp("1")
    with pytest.raises(ValueError, match="wrt"):
        derivative_forward(neuron, 1.0, 2.0, 3.0, wrt=3)


def test_functions_that_ignore_their_inputs_have_zero_derivatives():
    assert gradient_reverse(lambda a, b: 2.0, 1.0, 3.0) == (2.0, (0.0, 0.0))
    assert derivative_forward(lambda a: 2.0, 1.0, wrt=0) == (2.0, 0.0)


@pytest.mark.parametrize("point", [(0.3, -1.2, 0.7), (-2.0, 0.5, 1.5)])
def test_local_grads_times_the_childs_grad_are_the_messages_that_sum_to_each_grad(point):
    leaves = [Value(v) for v in point]
    out = nasty(*leaves)
    out.backward()
    received = {id(n): 0.0 for n in topological_order(out)}
    for child in topological_order(out):
        assert len(child.local_grads) == len(child.parents)
        for parent, local in zip(child.parents, child.local_grads, strict=True):
            received[id(parent)] += local * child.grad
    for node in topological_order(out):
        if node is not out:  # every node's grad is the sum of the messages it received
            assert math.isclose(node.grad, received[id(node)], rel_tol=1e-12, abs_tol=1e-15)


def test_local_grads_of_the_neuron_are_the_notes_six_local_derivatives():
    x, w, b = Value(1.5), Value(-0.8), Value(0.4)
    h1 = w * x
    h3 = -(h1 + b)
    h5 = exp(h3) + 1
    f = 1 / h5
    assert h1.local_grads == (1.5, -0.8)  # ∂h1/∂w = x, ∂h1/∂x = w
    assert h3.local_grads == (-1.0,)
    assert math.isclose(h5.parents[0].local_grads[0], math.exp(h3.data))  # ∂e^u/∂u = e^u
    assert math.isclose(f.local_grads[1], -1 / h5.data**2)  # 1/h5: the constant 1 comes first
    assert Value(2.0).local_grads == ()
