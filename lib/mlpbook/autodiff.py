"""Automatic differentiation on scalars: reverse mode (`Value`) and forward mode (`Dual`).

The same Python function, for example the sigmoid neuron

    def neuron(x, w, b):
        return sigmoid(w * x + b)

runs on floats, on `Value` nodes (one backward pass gives ∂f/∂x, ∂f/∂w and ∂f/∂b) and on
`Dual` numbers (one forward pass per input gives one partial derivative), because the
module-level `exp`, `log`, `tanh`, `sigmoid` and `relu` dispatch on the argument's type.
"""

from __future__ import annotations

import math
import numbers

from ._checks import check_positive_int

__all__ = ["Dual", "Value", "derivative_forward", "exp", "gradient_reverse", "graph_edges"]
__all__ += ["log", "relu", "sigmoid", "tanh", "topological_order"]


def _sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^(−x)), never exponentiating a positive number."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: e^x <= 1, so no OverflowError at x = -1000
    return e / (1.0 + e)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: expected a positive value, got {x!r}")
    return math.log(x)


def _pow(a: float, n) -> tuple[float, float]:
    """Return (aⁿ, d(aⁿ)/da = n·aⁿ⁻¹) for a number exponent n."""
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise TypeError(f"** : expected a number as exponent, got {type(n).__name__}")
    if a < 0 and not float(n).is_integer():
        raise ValueError(f"** : a negative base ({a!r}) needs an integer exponent, got {n!r}")
    return a**n, (n * a ** (n - 1) if n != 0 else 0.0)


# ------------------------------------------------------------------------ reverse mode
class Value:
    """A scalar node of a reverse-mode computational graph (after micrograd).

    Each operation builds its output node and attaches a closure that adds
    ``local derivative * out.grad`` into each parent's ``grad``.

    Attributes
    ----------
    data : float
        The value computed in the forward pass.
    grad : float
        ∂root/∂self after ``root.backward()``; 0 before.
    label : str
        Optional name, for printing and drawing the graph.
    op : str
        The operation that produced this node (``"+"``, ``"exp"``, …); ``""`` for leaves.
    parents : tuple of Value
        The operands, one entry per operand (``x * x`` has parents ``(x, x)``).
    local_grads : tuple of float
        ∂self/∂parent for each entry of ``parents``, computed in the forward pass: the
        message sent back along that edge is ``local_grads[i] * self.grad``.
    """

    __slots__ = ("_backward", "data", "grad", "label", "local_grads", "op", "parents")
    __array_ufunc__ = None  # so np.float64(2) * v defers to Value.__rmul__

    def __init__(self, data, label: str = "", *, _parents=(), _op: str = ""):
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: expected a real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.op = _op
        self.parents = tuple(_parents)
        self.local_grads: tuple[float, ...] = ()
        self._backward = lambda: None

    @staticmethod
    def _node(data: float, op: str, *pairs: tuple[Value, float]) -> Value:
        """Output node of ``op``; ``pairs`` holds (parent, ∂out/∂parent)."""
        out = Value(data, _parents=(p for p, _ in pairs), _op=op)
        out.local_grads = tuple(local for _, local in pairs)

        def _backward():
            for parent, local in pairs:
                parent.grad += local * out.grad  # +=: a node reached twice sums both paths

        out._backward = _backward
        return out

    def __add__(self, other):
        other = _as_value(other)
        return Value._node(self.data + other.data, "+", (self, 1.0), (other, 1.0))

    def __sub__(self, other):
        other = _as_value(other)
        return Value._node(self.data - other.data, "-", (self, 1.0), (other, -1.0))

    def __mul__(self, other):
        other = _as_value(other)
        return Value._node(self.data * other.data, "*", (self, other.data), (other, self.data))

    def __truediv__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        return Value._node(a / b, "/", (self, 1.0 / b), (other, -a / (b * b)))

    def __pow__(self, n):
        out, local = _pow(self.data, n)
        return Value._node(out, f"**{n}", (self, local))

    def __neg__(self):
        return Value._node(-self.data, "neg", (self, -1.0))

    __radd__ = __add__  # a + b = b + a
    __rmul__ = __mul__

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value._node(e, "exp", (self, e))

    def log(self) -> Value:
        return Value._node(_log(self.data), "log", (self, 1.0 / self.data))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value._node(t, "tanh", (self, 1.0 - t * t))

    def sigmoid(self) -> Value:
        s = _sigmoid(self.data)
        return Value._node(s, "sigmoid", (self, s * (1.0 - s)))

    def relu(self) -> Value:
        on = self.data > 0  # the derivative at 0 is taken to be 0
        return Value._node(self.data if on else 0.0, "relu", (self, 1.0 if on else 0.0))

    def backward(self) -> None:
        """Fill ``grad`` on every node of this graph with ∂self/∂node.

        First resets ``grad`` to 0 on every node that ``self`` depends on, so calling it
        twice gives the same gradients, not double. (PyTorch instead accumulates across
        ``backward`` calls until you zero the gradients.) Iterative: a chain of 10,000
        nodes does not reach Python's recursion limit.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # each node's grad is complete before it propagates
            node._backward()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _as_value(x) -> Value:
    """A Value stays itself; a number becomes a constant leaf."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x)
    raise TypeError(f"cannot combine a Value with {type(x).__name__} (a Dual is forward mode)")


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all its parents (leaves first, root last).

    Depth-first search with an explicit stack instead of recursion.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def graph_edges(root: Value) -> list[tuple[Value, Value]]:
    """(parent, child) pairs of the graph of ``root``, in topological order of the child.

    One pair per operand: ``x * x`` gives the edge (x, x*x) twice, the two paths whose
    gradients add up.
    """
    return [(p, child) for child in topological_order(root) for p in child.parents]


# ------------------------------------------------------------------------ forward mode
class Dual:
    """A dual number value + derivative·ε with ε² = 0, for forward-mode differentiation.

    (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε, so the ε part carries the derivative along
    with the value: f(a + ε) = f(a) + f'(a)ε.

    Attributes
    ----------
    value : float
        The primal value a.
    derivative : float
        The tangent a', the derivative with respect to the seeded input.
    """

    __slots__ = ("derivative", "value")
    __array_ufunc__ = None

    def __init__(self, value, derivative=0.0):
        self.value = float(value)
        self.derivative = float(derivative)

    def _chain(self, f: float, df: float) -> Dual:
        """f(a + a'ε) = f(a) + f'(a)·a'ε."""
        return Dual(f, df * self.derivative)

    def __add__(self, other):
        o = _as_dual(other)
        return Dual(self.value + o.value, self.derivative + o.derivative)

    def __sub__(self, other):
        o = _as_dual(other)
        return Dual(self.value - o.value, self.derivative - o.derivative)

    def __mul__(self, other):
        o = _as_dual(other)
        return Dual(self.value * o.value, self.derivative * o.value + self.value * o.derivative)

    def __truediv__(self, other):
        o = _as_dual(other)
        a, b = self.value, o.value
        return Dual(a / b, (self.derivative * b - a * o.derivative) / (b * b))

    def __pow__(self, n):
        return self._chain(*_pow(self.value, n))

    def __neg__(self):
        return Dual(-self.value, -self.derivative)

    __radd__ = __add__  # a + b = b + a
    __rmul__ = __mul__

    def __rsub__(self, other):
        return _as_dual(other) - self

    def __rtruediv__(self, other):
        return _as_dual(other) / self

    def exp(self) -> Dual:
        e = math.exp(self.value)
        return self._chain(e, e)

    def log(self) -> Dual:
        return self._chain(_log(self.value), 1.0 / self.value)

    def tanh(self) -> Dual:
        t = math.tanh(self.value)
        return self._chain(t, 1.0 - t * t)

    def sigmoid(self) -> Dual:
        s = _sigmoid(self.value)
        return self._chain(s, s * (1.0 - s))

    def relu(self) -> Dual:
        on = self.value > 0  # the derivative at 0 is taken to be 0
        return self._chain(self.value if on else 0.0, 1.0 if on else 0.0)

    def sin(self) -> Dual:
        return self._chain(math.sin(self.value), math.cos(self.value))

    def cos(self) -> Dual:
        return self._chain(math.cos(self.value), -math.sin(self.value))

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, derivative={self.derivative:.6g})"


def _as_dual(x) -> Dual:
    if isinstance(x, Dual):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Dual(x)  # a constant: derivative 0
    raise TypeError(f"cannot combine a Dual with {type(x).__name__} (a Value is reverse mode)")


# --------------------------------------------------- functions on float, Value and Dual
def _apply(x, name: str, on_float):
    if isinstance(x, (Value, Dual)):
        return getattr(x, name)()
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name}: expected a float, Value or Dual, got {type(x).__name__}")
    return on_float(float(x))


def exp(x):
    """eˣ of a float, `Value` or `Dual`."""
    return _apply(x, "exp", math.exp)


def log(x):
    """ln x of a float, `Value` or `Dual`; ValueError unless x > 0."""
    return _apply(x, "log", _log)


def tanh(x):
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) of a float, `Value` or `Dual`."""
    return _apply(x, "tanh", math.tanh)


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ) of a float, `Value` or `Dual`, finite for any finite x."""
    return _apply(x, "sigmoid", _sigmoid)


def relu(x):
    """max(x, 0) of a float, `Value` or `Dual`; its derivative at 0 is taken to be 0."""
    return _apply(x, "relu", lambda v: max(v, 0.0))


def derivative_forward(f, *args, wrt: int) -> tuple[float, float]:
    """Value and ∂f/∂args[wrt] by forward mode: one pass of ``f`` on `Dual` numbers.

    The tangent of ``args[wrt]`` is seeded with 1 and all others with 0, so one forward
    pass gives one partial derivative: the full gradient of a function of n inputs costs
    n passes (reverse mode, `gradient_reverse`, costs one).

    Returns
    -------
    value, derivative : float
        ``f(*args)`` and ∂f/∂args[wrt].
    """
    if check_positive_int(wrt, "wrt", minimum=0) >= len(args):
        raise ValueError(f"wrt: expected an index in 0..{len(args) - 1}, got {wrt}")
    out = f(*(Dual(a, 1.0 if i == wrt else 0.0) for i, a in enumerate(args)))
    if isinstance(out, Dual):
        return out.value, out.derivative
    return float(out), 0.0  # f ignored its inputs


def gradient_reverse(f, *args) -> tuple[float, tuple[float, ...]]:
    """Value and every partial derivative of ``f`` from one backward pass.

    Returns
    -------
    value : float
        ``f(*args)``.
    grads : tuple of float
        (∂f/∂args[0], …, ∂f/∂args[n−1]).
    """
    leaves = [Value(a, label=f"arg{i}") for i, a in enumerate(args)]
    out = f(*leaves)
    if not isinstance(out, Value):
        return float(out), (0.0,) * len(leaves)  # f ignored its inputs
    out.backward()
    return out.data, tuple(leaf.grad for leaf in leaves)
