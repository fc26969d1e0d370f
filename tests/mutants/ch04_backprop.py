"""Wrong answers (mutants) and differently written right answers (variants) for chapter 4.

`tests/test_assignments.py` autogrades each of them with nbgrader and with course-grade, and
`tests/test_case_seeds.py` runs every test cell in-process under 40 case seeds. A mutant
replaces one answer cell (``cell``, its grade id) with ``source`` and must lose points in
every part of ``loses`` and keep full marks in every other part; with ``zero`` it must score
0 in those parts. A variant replaces one or more answer cells (``cells``: grade id → source)
with a correct answer written differently and must score full marks.

The mistakes are those of the spec (`specs/chapters-2-6.md` §3.3) and more; most mutants are
the right cell (``R_*``, the solution without its markers) with one line changed (`_sub`).
The right cells call no function of another part, except that part 5 evaluates the
student's own loss (parts 3-4) by definition; its tests compare with that same loss, so a
mutant of parts 3-4 costs no point of part 5.
"""

AFFINE, ACT, SOFT = "affine", "activation_backward", "softmax_cross_entropy"
MLP, CHECK, GRAPH = "mlp", "gradient_checker", "backprop_graph"

# ---------------------------------------------------------------- the right cells
R_AFFINE = '''
def affine_forward(x, w, b):
    """out = x @ w + b: (N, D) @ (D, H) + (H,) gives (N, H)."""
    return np.asarray(x) @ np.asarray(w) + np.asarray(b)


def affine_backward(dout, x, w):
    """(dx, dw, db) for out = x @ w + b, given dout = dL/dout of shape (N, H)."""
    dout, x, w = np.asarray(dout), np.asarray(x), np.asarray(w)
    dx = dout @ w.T  # (N, H) @ (H, D)
    dw = x.T @ dout  # (D, N) @ (N, H): a sum over the batch
    db = dout.sum(axis=0)  # (H,)
    return dx, dw, db
'''

R_ACTIVATION = '''
def activation_backward(dout, z, activation):
    """dz = dout * f'(z), elementwise, for f = relu, tanh or sigmoid at the pre-activation z."""
    dout, z = np.asarray(dout), np.asarray(z)
    if activation == "relu":
        return dout * (z > 0)  # relu'(0) = 0, the book's convention
    if activation == "tanh":
        return dout * (1.0 - np.tanh(z) ** 2)
    if activation == "sigmoid":
        s = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))  # never overflows
        return dout * s * (1.0 - s)
    raise ValueError(f"activation must be 'relu', 'tanh' or 'sigmoid', not {activation!r}")
'''

R_SOFTMAX = '''
def softmax_cross_entropy(scores, y):
    """(loss, dscores): the mean cross-entropy of softmax(scores) and its gradient."""
    scores = np.asarray(scores)
    labels = np.asarray(y, dtype=np.int64)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)  # every exponent <= 0
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), labels].mean()
    dscores = np.exp(log_probs)  # the probabilities P
    dscores[np.arange(n), labels] -= 1.0  # P - Y
    return float(loss), dscores / n
'''

R_MLP = '''
def mlp_forward(params, x, activation):
    """(scores, cache): the logits of the network with parameters params, and the cache."""
    n_layers = len(params) // 2
    a = np.asarray(x)
    cache = []  # one (a^(l-1), z^(l)) pair per layer
    for layer in range(1, n_layers + 1):
        z = a @ np.asarray(params[f"w{layer}"]) + np.asarray(params[f"b{layer}"])
        cache.append((a, z))
        if layer == n_layers:
            return z, cache  # the output layer is affine: the logits
        if activation == "relu":
            a = np.maximum(z, 0.0)
        elif activation == "tanh":
            a = np.tanh(z)
        elif activation == "sigmoid":
            a = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
        else:
            raise ValueError(f"unknown activation {activation!r}")
    raise ValueError("params must hold at least w1 and b1")


def mlp_backward(dscores, cache, params, activation):
    """The gradients of the loss with respect to every parameter: a dict like params."""
    n_layers = len(params) // 2
    delta = np.asarray(dscores)  # Delta^(L) = dL/dZ^(L): the output layer is affine
    grads = {}
    for layer in range(n_layers, 0, -1):
        a_prev, _ = cache[layer - 1]
        grads[f"w{layer}"] = a_prev.T @ delta  # BP3: A^(l-1)^T Delta^(l)
        grads[f"b{layer}"] = delta.sum(axis=0)  # BP4
        if layer > 1:
            z_prev = cache[layer - 2][1]  # Z^(l-1): layer l-1's own pre-activation
            if activation == "relu":
                slope = z_prev > 0
            elif activation == "tanh":
                slope = 1.0 - np.tanh(z_prev) ** 2
            else:
                s = np.exp(np.minimum(z_prev, 0.0)) / (1.0 + np.exp(-np.abs(z_prev)))
                slope = s * (1.0 - s)
            delta = (delta @ np.asarray(params[f"w{layer}"]).T) * slope  # BP2
    return grads
'''

R_CHECKER = '''
def numerical_gradient(params, x, y, activation, h=1e-5):
    """Centred differences of your loss with respect to every entry of every parameter."""
    work = {name: np.array(value, dtype=np.float64) for name, value in params.items()}

    def loss():
        scores = mlp_forward(work, x, activation)[0]
        return softmax_cross_entropy(scores, y)[0]

    grads = {}
    for name, value in work.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + h
            loss_plus = loss()
            value[index] = old - h
            loss_minus = loss()
            value[index] = old  # restored exactly
            grad[index] = (loss_plus - loss_minus) / (2 * h)
        grads[name] = grad
    return grads


def gradient_check(analytic, numeric, floor=1e-8):
    """For each array: max |a - n| / max(|a| + |n|, floor) over its entries."""
    errors = {}
    for name in analytic:
        a = np.asarray(analytic[name], dtype=np.float64)
        n = np.asarray(numeric[name], dtype=np.float64)
        errors[name] = float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)))
    return errors
'''

R_GRAPH = '''
import math


def backprop_graph(nodes, inputs):
    """d out / d node for every node of the graph (a list of floats), out the last node."""
    values = []
    for op, *args in nodes:  # the forward pass, in the given (topological) order
        if op == "input":
            values.append(float(inputs[args[0]]))
        elif op == "const":
            values.append(float(args[0]))
        elif op in ("add", "sub", "mul", "div"):
            u, v = values[args[0]], values[args[1]]
            if op == "add":
                values.append(u + v)
            elif op == "sub":
                values.append(u - v)
            elif op == "mul":
                values.append(u * v)
            else:
                values.append(u / v)
        elif op == "pow":
            values.append(values[args[0]] ** args[1])
        else:
            u = values[args[0]]
            if op == "neg":
                values.append(-u)
            elif op == "exp":
                values.append(math.exp(u))
            elif op == "log":
                values.append(math.log(u))
            elif op == "tanh":
                values.append(math.tanh(u))
            elif op == "sigmoid":
                values.append(0.5 * (1.0 + math.tanh(0.5 * u)))
            elif op == "relu":
                values.append(max(u, 0.0))
            else:
                raise ValueError(f"unknown operation {op!r}")

    grads = [0.0] * len(nodes)
    grads[-1] = 1.0  # d out / d out
    for i in range(len(nodes) - 1, -1, -1):  # the reverse sweep: a loop, no recursion
        op, *args = nodes[i]
        g = grads[i]
        if op in ("input", "const"):
            continue
        u = values[args[0]]
        if op == "add":
            grads[args[0]] += g
            grads[args[1]] += g
        elif op == "sub":
            grads[args[0]] += g
            grads[args[1]] -= g
        elif op == "mul":
            v = values[args[1]]
            grads[args[0]] += g * v  # += : a node used twice gets both contributions
            grads[args[1]] += g * u
        elif op == "div":
            v = values[args[1]]
            grads[args[0]] += g / v
            grads[args[1]] -= g * u / v**2
        elif op == "pow":
            k = args[1]
            grads[args[0]] += g * k * u ** (k - 1)
        elif op == "neg":
            grads[args[0]] -= g
        elif op == "exp":
            grads[args[0]] += g * values[i]
        elif op == "log":
            grads[args[0]] += g / u
        elif op == "tanh":
            grads[args[0]] += g * (1.0 - values[i] ** 2)
        elif op == "sigmoid":
            grads[args[0]] += g * values[i] * (1.0 - values[i])
        elif op == "relu":
            grads[args[0]] += g * (u > 0)
    return grads
'''


def _sub(source: str, old: str, new: str, count: int = 1) -> str:
    """``source`` with ``old`` replaced by ``new`` (``old`` must occur exactly ``count`` times)."""
    assert source.count(old) == count, (old, source.count(old))
    return source.replace(old, new)


def _mutant(name: str, cell: str, source: str, zero: bool = False) -> dict:
    item = {"name": name, "cell": cell, "loses": {cell}, "source": source}
    if zero:
        item["zero"] = True
    return item


BACKWARD_RETURN = "    return dx, dw, db\n"
MLP_SLOPE = """            if activation == "relu":
                slope = z_prev > 0
            elif activation == "tanh":
                slope = 1.0 - np.tanh(z_prev) ** 2
            else:
                s = np.exp(np.minimum(z_prev, 0.0)) / (1.0 + np.exp(-np.abs(z_prev)))
                slope = s * (1.0 - s)
"""
CENTRED = "grad[index] = (loss_plus - loss_minus) / (2 * h)"
RATIO = "np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)"

MUTANTS = [
    # ---------------------------------------------------------------- part 1: the affine layer
    _mutant("affine-dw-transposed", AFFINE, _sub(R_AFFINE, "dw = x.T @ dout", "dw = dout.T @ x")),
    _mutant(
        "affine-dx-without-transpose", AFFINE, _sub(R_AFFINE, "dx = dout @ w.T", "dx = dout @ w")
    ),
    _mutant(
        "affine-db-over-units",
        AFFINE,
        _sub(R_AFFINE, "db = dout.sum(axis=0)", "db = dout.sum(axis=1)"),
    ),
    _mutant(
        "affine-db-mean", AFFINE, _sub(R_AFFINE, "db = dout.sum(axis=0)", "db = dout.mean(axis=0)")
    ),
    _mutant(
        "affine-dw-over-n", AFFINE, _sub(R_AFFINE, "dw = x.T @ dout", "dw = x.T @ dout / len(x)")
    ),
    _mutant(
        "affine-db-keepdims",
        AFFINE,
        _sub(R_AFFINE, "db = dout.sum(axis=0)", "db = dout.sum(axis=0, keepdims=True)"),
    ),
    _mutant(
        "affine-backward-returns-out-too",
        AFFINE,
        _sub(R_AFFINE, BACKWARD_RETURN, "    return x @ w, dx, dw, db\n"),
    ),
    _mutant(
        "affine-averages-dout-in-place",
        AFFINE,
        _sub(R_AFFINE, "    dx = dout @ w.T", "    dout /= len(x)\n    dx = dout @ w.T"),
    ),
    _mutant(
        "affine-forward-no-bias",
        AFFINE,
        _sub(
            R_AFFINE,
            "return np.asarray(x) @ np.asarray(w) + np.asarray(b)",
            "return np.asarray(x) @ np.asarray(w)",
        ),
    ),
    _mutant(
        "affine-forward-column-convention",
        AFFINE,
        _sub(
            R_AFFINE,
            "return np.asarray(x) @ np.asarray(w) + np.asarray(b)",
            "return np.asarray(w).T @ np.asarray(x).T + np.asarray(b)[:, None]",
        ),
    ),
    _mutant(
        "affine-db-total-sum",
        AFFINE,
        _sub(R_AFFINE, "db = dout.sum(axis=0)", "db = dout.sum()"),
    ),
    _mutant(
        "affine-uses-mlpbook-layers",
        AFFINE,
        """
from mlpbook.layers import Dense


def affine_forward(x, w, b):
    layer = Dense(np.shape(w)[0], np.shape(w)[1], rng=0)
    layer.params["w"][...] = w
    layer.params["b"][...] = b
    return layer.forward(np.asarray(x, dtype=np.float64))


def affine_backward(dout, x, w):
    dout, x, w = np.asarray(dout), np.asarray(x), np.asarray(w)
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
""",
        zero=True,
    ),
    # ---------------------------------------------------------------- part 2: activations
    _mutant(
        "relu-mask-from-dout",
        ACT,
        _sub(R_ACTIVATION, "return dout * (z > 0)", "return dout * (dout > 0)"),
    ),
    _mutant(
        "relu-times-relu-of-z",
        ACT,
        _sub(R_ACTIVATION, "return dout * (z > 0)", "return dout * np.maximum(z, 0.0)"),
    ),
    _mutant(
        "relu-in-place",
        ACT,
        _sub(R_ACTIVATION, "return dout * (z > 0)", "dout[z <= 0] = 0\n        return dout"),
    ),
    _mutant(
        "tanh-prime-without-square",
        ACT,
        _sub(R_ACTIVATION, "dout * (1.0 - np.tanh(z) ** 2)", "dout * (1.0 - np.tanh(z))"),
    ),
    _mutant(
        "tanh-prime-from-activation",
        ACT,
        _sub(R_ACTIVATION, "dout * (1.0 - np.tanh(z) ** 2)", "dout * (1.0 - z**2)"),
    ),
    _mutant(
        "sigmoid-prime-from-activation",
        ACT,
        _sub(R_ACTIVATION, "return dout * s * (1.0 - s)", "return dout * z * (1.0 - z)"),
    ),
    _mutant(
        "sigmoid-naive-overflows",
        ACT,
        _sub(
            R_ACTIVATION,
            "s = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))",
            "s = 1.0 / (1.0 + np.exp(-z))",
        ),
    ),
    _mutant(
        "activation-diag-jacobian-e5",
        ACT,
        _sub(R_ACTIVATION, "return dout * s * (1.0 - s)", "return dout @ np.diag(s * (1.0 - s))"),
    ),
    _mutant(
        "activation-unknown-name-passes",
        ACT,
        _sub(
            R_ACTIVATION,
            "raise ValueError(f\"activation must be 'relu', 'tanh' or 'sigmoid', not "
            '{activation!r}")',
            "return dout",
        ),
    ),
    _mutant(
        "activation-uses-mlpbook-activations",
        ACT,
        """
from mlpbook.activations import relu_grad, sigmoid_grad, tanh_grad


def activation_backward(dout, z, activation):
    grads = {"relu": relu_grad, "tanh": tanh_grad, "sigmoid": sigmoid_grad}
    if activation not in grads:
        raise ValueError(activation)
    return np.asarray(dout) * grads[activation](np.asarray(z))
""",
        zero=True,
    ),
    # ---------------------------------------------------------------- part 3: softmax-CE
    _mutant(
        "softmax-no-max-subtraction",
        SOFT,
        _sub(R_SOFTMAX, "shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores"),
    ),
    _mutant(
        "softmax-sum-not-mean",
        SOFT,
        _sub(R_SOFTMAX, "return float(loss), dscores / n", "return float(loss * n), dscores"),
    ),
    _mutant(
        "softmax-dscores-without-1-over-n",
        SOFT,
        _sub(R_SOFTMAX, "return float(loss), dscores / n", "return float(loss), dscores"),
    ),
    _mutant(
        "softmax-one-hot-missing",
        SOFT,
        _sub(R_SOFTMAX, "dscores[np.arange(n), labels] -= 1.0", "dscores -= 1.0"),
    ),
    _mutant(
        "softmax-log-of-probabilities",
        SOFT,
        _sub(
            R_SOFTMAX,
            "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))",
        ),
    ),
    _mutant(
        "softmax-clipped-probabilities",
        SOFT,
        _sub(
            R_SOFTMAX,
            "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)\n"
            "    log_probs = np.log(np.maximum(probs, 1e-12))",
        ),
    ),
    _mutant(
        "softmax-sigmoid-per-class-e11",
        SOFT,
        """
def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores)
    labels = np.asarray(y, dtype=np.int64)
    n = scores.shape[0]
    p = 0.5 * (1.0 + np.tanh(0.5 * scores))
    loss = -np.log(p[np.arange(n), labels]).mean()
    dscores = p.copy()
    dscores[np.arange(n), labels] -= 1.0
    return float(loss), dscores / n
""",
    ),
    _mutant(
        "softmax-shifts-scores-in-place",
        SOFT,
        _sub(
            R_SOFTMAX,
            "shifted = scores - scores.max(axis=1, keepdims=True)",
            "scores -= scores.max(axis=1, keepdims=True)\n    shifted = scores",
        ),
    ),
    _mutant(  # a loss per example would break part 5 too: it needs one number
        "softmax-mean-over-all-entries",
        SOFT,
        _sub(
            R_SOFTMAX,
            "loss = -log_probs[np.arange(n), labels].mean()",
            "one_hot = np.eye(scores.shape[1])[labels]\n    loss = -np.mean(one_hot * log_probs)",
        ),
    ),
    _mutant(
        "softmax-labels-must-be-an-array",
        SOFT,
        _sub(R_SOFTMAX, "labels = np.asarray(y, dtype=np.int64)", "labels = y.astype(np.int64)"),
    ),
    _mutant(  # the library when it can be imported, its own code when the grader hides it
        "softmax-uses-mlpbook-losses",
        SOFT,
        _sub(
            R_SOFTMAX,
            "    scores = np.asarray(scores)\n",
            "    try:\n"
            "        from mlpbook.losses import softmax_cross_entropy as library_loss\n\n"
            "        return library_loss(np.asarray(scores, dtype=np.float64), np.asarray(y))\n"
            "    except ImportError:\n"
            "        pass\n"
            "    scores = np.asarray(scores)\n",
        ),
        zero=True,
    ),
    # ---------------------------------------------------------------- part 4: the network
    _mutant(
        "mlp-bp2-without-fprime",
        MLP,
        _sub(
            R_MLP,
            'delta = (delta @ np.asarray(params[f"w{layer}"]).T) * slope',
            'delta = delta @ np.asarray(params[f"w{layer}"]).T',
        ),
    ),
    _mutant(
        "mlp-fprime-of-the-activation-e6",
        MLP,
        _sub(
            R_MLP,
            "z_prev = cache[layer - 2][1]",
            "z_prev = cache[layer - 1][0]  # A^(l-1), not Z^(l-1)",
        ),
    ),
    _mutant(
        "mlp-fprime-of-the-next-layer-e6",
        MLP,
        _sub(
            R_MLP,
            MLP_SLOPE,
            MLP_SLOPE.replace(
                "            if activation",
                "            if layer == n_layers:\n"
                "                slope = 1.0  # f'_(l+1) = the output's\n"
                "            elif activation",
                1,
            ),
        ),
    ),
    _mutant(
        "mlp-fprime-at-z-above",
        MLP,
        _sub(R_MLP, "z_prev = cache[layer - 2][1]", "z_prev = cache[layer - 1][1]"),
    ),
    _mutant(
        "mlp-bp3-with-a-l-e7",
        MLP,
        _sub(
            R_MLP,
            "        a_prev, _ = cache[layer - 1]\n",
            "        a_prev = cache[layer][0] if layer < n_layers else cache[layer - 1][1]\n",
        ),
    ),
    _mutant(
        "mlp-loop-ends-one-layer-early",
        MLP,
        _sub(R_MLP, "for layer in range(n_layers, 0, -1):", "for layer in range(n_layers, 1, -1):"),
    ),
    _mutant(
        "mlp-keys-shifted",
        MLP,
        _sub(
            _sub(
                R_MLP,
                'grads[f"w{layer}"] = a_prev.T @ delta',
                'grads[f"w{layer + 1}"] = a_prev.T @ delta',
            ),
            'grads[f"b{layer}"] = delta.sum(axis=0)',
            'grads[f"b{layer + 1}"] = delta.sum(axis=0)',
        ),
    ),
    _mutant(
        "mlp-fprime-on-the-output",
        MLP,
        _sub(
            R_MLP,
            "    delta = np.asarray(dscores)  # Delta^(L) = dL/dZ^(L): "
            "the output layer is affine\n",
            "    z_out = cache[-1][1]\n    delta = np.asarray(dscores) * (\n"
            '        (z_out > 0) if activation == "relu" else 1.0 - np.tanh(z_out) ** 2\n    )\n',
        ),
    ),
    _mutant(
        "mlp-extra-1-over-n",
        MLP,
        _sub(
            _sub(
                R_MLP,
                'grads[f"w{layer}"] = a_prev.T @ delta',
                'grads[f"w{layer}"] = a_prev.T @ delta / len(delta)',
            ),
            'grads[f"b{layer}"] = delta.sum(axis=0)',
            'grads[f"b{layer}"] = delta.mean(axis=0)',
        ),
    ),
    _mutant(
        "mlp-updates-the-weights",
        MLP,
        _sub(
            R_MLP,
            '        grads[f"b{layer}"] = delta.sum(axis=0)  # BP4\n',
            '        grads[f"b{layer}"] = delta.sum(axis=0)  # BP4\n'
            '        params[f"w{layer}"] -= 0.1 * grads[f"w{layer}"]  # a step of SGD\n',
        ),
    ),
    _mutant(
        "mlp-cache-overwritten-in-place",
        MLP,
        _sub(
            R_MLP,
            '            delta = (delta @ np.asarray(params[f"w{layer}"]).T) * slope  # BP2\n',
            "            z_prev *= 0.0\n"
            '            z_prev += (delta @ np.asarray(params[f"w{layer}"]).T) * slope\n'
            "            delta = z_prev  # Delta^(l-1) stored over Z^(l-1)\n",
        ),
    ),
    _mutant(
        "mlp-two-layers-only",
        MLP,
        _sub(R_MLP, "n_layers = len(params) // 2\n    delta", "n_layers = 2\n    delta"),
    ),
    _mutant(
        "mlp-forward-activation-on-output",
        MLP,
        _sub(
            R_MLP,
            "        if layer == n_layers:\n            return z, cache",
            "        if layer == n_layers:\n            return np.tanh(z), cache",
        ),
    ),
    _mutant(
        "mlp-forward-no-bias",
        MLP,
        _sub(
            R_MLP,
            'z = a @ np.asarray(params[f"w{layer}"]) + np.asarray(params[f"b{layer}"])',
            'z = a @ np.asarray(params[f"w{layer}"])',
        ),
    ),
    _mutant(
        "mlp-bp4-over-units",
        MLP,
        _sub(
            R_MLP,
            'grads[f"b{layer}"] = delta.sum(axis=0)',
            'grads[f"b{layer}"] = delta.sum(axis=1)',
        ),
    ),
    # ---------------------------------------------------------------- part 5: the checker
    _mutant(
        "numeric-forward-difference",
        CHECK,
        _sub(
            _sub(R_CHECKER, "value[index] = old - h", "value[index] = old"),
            CENTRED,
            "grad[index] = (loss_plus - loss_minus) / h",
        ),
    ),
    _mutant(
        "numeric-divides-by-h",
        CHECK,
        _sub(R_CHECKER, CENTRED, "grad[index] = (loss_plus - loss_minus) / h"),
    ),
    _mutant(
        "numeric-ignores-h",
        CHECK,
        _sub(
            R_CHECKER,
            "    work = {name:",
            "    h = 1e-5  # whatever the caller asked\n    work = {name:",
        ),
    ),
    _mutant(
        "numeric-h-1e-10",
        CHECK,
        _sub(R_CHECKER, "    work = {name:", "    h = 1e-10\n    work = {name:"),
    ),
    _mutant(
        "numeric-not-restored",
        CHECK,
        _sub(
            _sub(
                R_CHECKER,
                "work = {name: np.array(value, dtype=np.float64) "
                "for name, value in params.items()}",
                "work = params",
            ),
            "            value[index] = old  # restored exactly\n",
            "",
        ),
    ),
    _mutant(
        "numeric-perturbs-a-copy-the-loss-never-sees",
        CHECK,
        _sub(
            R_CHECKER,
            "        scores = mlp_forward(work, x, activation)[0]",
            "        scores = mlp_forward(params, x, activation)[0]",
        ),
    ),
    _mutant(
        "numeric-float32-params",
        CHECK,
        _sub(
            R_CHECKER,
            "np.array(value, dtype=np.float64) for",
            "np.array(value, dtype=np.float32) for",
        ),
    ),
    _mutant(
        "numeric-all-entries-at-once",
        CHECK,
        """
def numerical_gradient(params, x, y, activation, h=1e-5):
    def loss(p):
        return softmax_cross_entropy(mlp_forward(p, x, activation)[0], y)[0]

    grads = {}
    for name, value in params.items():
        plus = {**params, name: np.asarray(value, dtype=float) + h}
        minus = {**params, name: np.asarray(value, dtype=float) - h}
        grads[name] = np.full(np.shape(value), (loss(plus) - loss(minus)) / (2 * h))
    return grads


def gradient_check(analytic, numeric, floor=1e-8):
    errors = {}
    for name in analytic:
        a = np.asarray(analytic[name], dtype=np.float64)
        n = np.asarray(numeric[name], dtype=np.float64)
        errors[name] = float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)))
    return errors
""",
    ),
    _mutant(
        "check-no-floor", CHECK, _sub(R_CHECKER, RATIO, "np.abs(a - n) / (np.abs(a) + np.abs(n))")
    ),
    _mutant("check-absolute-error", CHECK, _sub(R_CHECKER, RATIO, "np.abs(a - n)")),
    _mutant(
        "check-signed-error",
        CHECK,
        _sub(R_CHECKER, RATIO, "(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)"),
    ),
    _mutant(
        "check-one-global-number",
        CHECK,
        _sub(
            R_CHECKER,
            """    errors = {}
    for name in analytic:""",
            """    a = np.concatenate([np.ravel(analytic[k]) for k in analytic])
    n = np.concatenate([np.ravel(numeric[k]) for k in analytic])
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
    errors = {}
    for name in analytic:""",
        ),
    ),
    _mutant(
        "check-global-norm-for-every-array",
        CHECK,
        _sub(
            R_CHECKER,
            """    errors = {}
    for name in analytic:""",
            """    a = np.concatenate([np.ravel(analytic[k]) for k in analytic])
    n = np.concatenate([np.ravel(numeric[k]) for k in analytic])
    error = float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), floor))
    return dict.fromkeys(analytic, error)
    errors = {}
    for name in analytic:""",
        ),
    ),
    # ---------------------------------------------------------------- part 6: the graph
    _mutant(
        "graph-assigns-instead-of-adding",
        GRAPH,
        R_GRAPH.replace("grads[args[0]] += ", "grads[args[0]] = ")
        .replace("grads[args[1]] += ", "grads[args[1]] = ")
        .replace("grads[args[1]] -= ", "grads[args[1]] = -")
        .replace("grads[args[0]] -= g", "grads[args[0]] = -g"),
    ),
    _mutant(
        "graph-forward-order",
        GRAPH,
        _sub(R_GRAPH, "for i in range(len(nodes) - 1, -1, -1):", "for i in range(len(nodes)):"),
    ),
    _mutant(
        "graph-div-sign",
        GRAPH,
        _sub(R_GRAPH, "grads[args[1]] -= g * u / v**2", "grads[args[1]] += g * u / v**2"),
    ),
    _mutant(
        "graph-sub-sign",
        GRAPH,
        _sub(
            R_GRAPH,
            "            grads[args[0]] += g\n            grads[args[1]] -= g\n",
            "            grads[args[0]] += g\n            grads[args[1]] += g\n",
        ),
    ),
    _mutant(
        "graph-pow-off-by-one",
        GRAPH,
        _sub(R_GRAPH, "grads[args[0]] += g * k * u ** (k - 1)", "grads[args[0]] += g * k * u**k"),
    ),
    _mutant(
        "graph-tanh-from-the-input",
        GRAPH,
        _sub(
            R_GRAPH,
            "grads[args[0]] += g * (1.0 - values[i] ** 2)",
            "grads[args[0]] += g * (1.0 - u**2)",
        ),
    ),
    _mutant(
        "graph-exp-times-the-input",
        GRAPH,
        _sub(R_GRAPH, "grads[args[0]] += g * values[i]\n", "grads[args[0]] += g * u\n"),
    ),
    _mutant(
        "graph-no-seed",
        GRAPH,
        _sub(R_GRAPH, "grads[-1] = 1.0  # d out / d out", "grads[-1] = 0.0"),
    ),
    _mutant(
        "graph-inputs-only",
        GRAPH,
        _sub(
            R_GRAPH,
            "    return grads\n",
            '    return [g for node, g in zip(nodes, grads) if node[0] == "input"]\n',
        ),
    ),
    _mutant(
        "graph-recursion-per-path",
        GRAPH,
        """
import math


def backprop_graph(nodes, inputs):
    values = []
    for op, *args in nodes:
        if op == "input":
            values.append(float(inputs[args[0]]))
        elif op == "const":
            values.append(float(args[0]))
        elif op == "add":
            values.append(values[args[0]] + values[args[1]])
        elif op == "sub":
            values.append(values[args[0]] - values[args[1]])
        elif op == "mul":
            values.append(values[args[0]] * values[args[1]])
        elif op == "div":
            values.append(values[args[0]] / values[args[1]])
        elif op == "pow":
            values.append(values[args[0]] ** args[1])
        else:
            u = values[args[0]]
            values.append(
                {
                    "neg": lambda: -u,
                    "exp": lambda: math.exp(u),
                    "log": lambda: math.log(u),
                    "tanh": lambda: math.tanh(u),
                    "sigmoid": lambda: 0.5 * (1.0 + math.tanh(0.5 * u)),
                    "relu": lambda: max(u, 0.0),
                }[op]()
            )

    def local(i):
        op, *args = nodes[i]
        u = values[args[0]] if op not in ("input", "const") else 0.0
        if op == "add":
            return [(args[0], 1.0), (args[1], 1.0)]
        if op == "sub":
            return [(args[0], 1.0), (args[1], -1.0)]
        if op == "mul":
            return [(args[0], values[args[1]]), (args[1], u)]
        if op == "div":
            v = values[args[1]]
            return [(args[0], 1 / v), (args[1], -u / v**2)]
        if op == "pow":
            return [(args[0], args[1] * u ** (args[1] - 1))]
        slopes = {
            "neg": -1.0,
            "exp": values[i],
            "log": 1 / u if u else 0.0,
            "tanh": 1 - values[i] ** 2,
            "sigmoid": values[i] * (1 - values[i]),
            "relu": float(u > 0),
        }
        return [(args[0], slopes[op])] if op in slopes else []

    grads = [0.0] * len(nodes)

    def walk(i, g):  # one call per path from the output
        grads[i] += g
        for j, d in local(i):
            walk(j, g * d)

    walk(len(nodes) - 1, 1.0)
    return grads
""",
    ),
    _mutant(
        "graph-recursive-topological-sort",
        GRAPH,
        _sub(
            R_GRAPH,
            "    for i in range(len(nodes) - 1, -1, -1):  "
            "# the reverse sweep: a loop, no recursion\n",
            """    order, seen = [], set()

    def children(i):
        op, *args = nodes[i]
        if op in ("input", "const"):
            return []
        return args[:2] if op in ("add", "sub", "mul", "div") else args[:1]

    def build(i):  # micrograd's topological sort, by recursion
        if i not in seen:
            seen.add(i)
            for j in children(i):
                build(j)
            order.append(i)

    build(len(nodes) - 1)
    for i in reversed(order):
""",
        ),
    ),
]

# ---------------------------------------------------------------- right answers, written otherwise
AFFINE_LOOPS = """
def affine_forward(x, w, b):
    x, w, b = (np.asarray(v) for v in (x, w, b))
    out = np.zeros((x.shape[0], w.shape[1]), dtype=np.result_type(x, w, b))
    for n in range(x.shape[0]):
        for j in range(w.shape[1]):
            out[n, j] = sum(x[n, d] * w[d, j] for d in range(x.shape[1])) + b[j]
    return out


def affine_backward(dout, x, w):
    dout, x, w = (np.asarray(v) for v in (dout, x, w))
    (n_rows, d_in), h_out = x.shape, w.shape[1]
    dx = np.zeros((n_rows, d_in))
    dw = np.zeros((d_in, h_out))
    db = np.zeros(h_out)
    for n in range(n_rows):  # the batch gradient is the sum of the per-example ones
        for j in range(h_out):
            db[j] += dout[n, j]
            for d in range(d_in):
                dx[n, d] += dout[n, j] * w[d, j]
                dw[d, j] += x[n, d] * dout[n, j]
    return dx, dw, db
"""

AFFINE_EINSUM = """
def affine_forward(x, w, b):
    return np.einsum("nd,dh->nh", x, w) + b


def affine_backward(dout, x, w):
    ones = np.ones(len(dout))
    return np.einsum("nh,dh->nd", dout, w), np.einsum("nd,nh->dh", x, dout), ones @ dout
"""

ACT_TABLE = """
def _relu_slope(z):
    return np.heaviside(z, 0.5)  # 1/2 at the kink: a subgradient too


def _tanh_slope(z):
    t = np.tanh(z)
    return (1.0 - t) * (1.0 + t)


def _sigmoid_slope(z):
    s = 0.5 * (1.0 + np.tanh(0.5 * z))
    return s * (1.0 - s)


SLOPES = {"relu": _relu_slope, "tanh": _tanh_slope, "sigmoid": _sigmoid_slope}


def activation_backward(dout, z, activation):
    if activation not in SLOPES:
        raise ValueError(f"unknown activation {activation!r}; use one of {sorted(SLOPES)}")
    return np.multiply(dout, SLOPES[activation](np.asarray(z)))
"""

ACT_WHERE = """
def activation_backward(dout, z, activation):
    dout, z = np.asarray(dout), np.asarray(z)
    if activation == "relu":
        return np.where(z >= 0, dout, 0.0)  # relu'(0) = 1: PyTorch's other neighbour
    if activation == "tanh":
        return dout * (1 - np.tanh(z) * np.tanh(z))
    if activation == "sigmoid":
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return dout * s * (1 - s)
    raise ValueError(activation)
"""

SOFT_LOGADDEXP = """
def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores)
    n, c = scores.shape
    one_hot = np.eye(c, dtype=scores.dtype)[np.asarray(y)]
    log_norm = np.logaddexp.reduce(scores, axis=1, keepdims=True)
    loss = -np.sum(one_hot * (scores - log_norm)) / n
    return loss, (np.exp(scores - log_norm) - one_hot) / n
"""

SOFT_LOOPS = """
import math


def softmax_cross_entropy(scores, y):
    rows = np.asarray(scores, dtype=np.float64).tolist()
    total, grad = 0.0, []
    for row, label in zip(rows, list(y)):
        top = max(row)
        log_sum = top + math.log(sum(math.exp(s - top) for s in row))
        total += log_sum - row[int(label)]
        grad.append([math.exp(s - log_sum) - (j == int(label)) for j, s in enumerate(row)])
    n = len(rows)
    return total / n, np.array(grad) / n
"""

MLP_NIELSEN = """
def _f(z, activation):
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "tanh":
        return np.tanh(z)
    return 0.5 * (1 + np.tanh(0.5 * z))


def _f_prime(z, activation):
    if activation == "relu":
        return (z > 0).astype(float)
    if activation == "tanh":
        return 1 - np.tanh(z) ** 2
    s = _f(z, "sigmoid")
    return s * (1 - s)


def mlp_forward(params, x, activation):
    depth = len(params) // 2
    activations, zs = [np.asarray(x, dtype=np.float64)], []
    for l in range(1, depth + 1):
        z = activations[-1] @ params[f"w{l}"] + params[f"b{l}"]
        zs.append(z)
        activations.append(z if l == depth else _f(z, activation))
    return zs[-1], {"activations": activations, "zs": zs}


def mlp_backward(dscores, cache, params, activation):
    # Nielsen's network.py: one example at a time, column vectors, W = w.T; then summed
    depth = len(params) // 2
    acts, zs = cache["activations"], cache["zs"]
    grads = {k: np.zeros(np.shape(v)) for k, v in params.items()}
    for n in range(len(dscores)):
        delta = np.asarray(dscores[n], dtype=np.float64)  # (n_L,), a column
        for l in range(depth, 0, -1):
            grads[f"w{l}"] += np.outer(acts[l - 1][n], delta)  # BP3 for one example
            grads[f"b{l}"] += delta  # BP4
            if l > 1:
                big_w = np.asarray(params[f"w{l}"]).T  # Nielsen's w^l, shape (n_l, n_(l-1))
                delta = (big_w.T @ delta) * _f_prime(zs[l - 2][n], activation)  # BP2
    return grads
"""

MLP_REUSE = """
def mlp_forward(params, x, activation):
    layers = []  # a list of layers, each a dict of what its backward pass needs
    a = x
    count = len(params) // 2
    for k in range(1, count + 1):
        w, b = params["w" + str(k)], params["b" + str(k)]
        z = affine_forward(a, w, b)
        layers.append({"x": a, "w": w, "z": z})
        if k < count:
            a = {"relu": np.maximum(z, 0), "tanh": np.tanh(z)}.get(activation)
            if a is None:
                a = np.exp(-np.logaddexp(0, -z))
    return z, layers


def mlp_backward(dscores, cache, params, activation):
    grads = {}
    dz = dscores
    for k in range(len(cache), 0, -1):
        layer = cache[k - 1]
        da, grads["w" + str(k)], grads["b" + str(k)] = affine_backward(dz, layer["x"], layer["w"])
        if k > 1:
            dz = activation_backward(da, cache[k - 2]["z"], activation)
    return grads
"""

MLP_EINSUM_TUPLES = """
def mlp_forward(params, x, activation):
    n_layers = len(params) // 2
    a = np.asarray(x)
    dtype = a.dtype  # float32 stays float32
    inputs, pre = [], []
    for l in range(1, n_layers + 1):
        w = np.asarray(params[f"w{l}"], dtype=dtype)
        z = np.einsum("nd,dh->nh", a, w) + np.asarray(params[f"b{l}"], dtype=dtype)
        inputs.append(a)
        pre.append(z)
        if activation == "relu":
            a = z * (z > 0)
        elif activation == "tanh":
            a = np.tanh(z)
        else:
            a = 0.5 * (1 + np.tanh(z / 2))
    return pre[-1], (tuple(inputs), tuple(pre))


def mlp_backward(dscores, cache, params, activation):
    inputs, pre = cache
    n_layers = len(pre)
    delta = np.asarray(dscores)
    grads = {}
    for l in reversed(range(1, n_layers + 1)):
        grads[f"w{l}"] = np.einsum("nd,nh->dh", inputs[l - 1], delta)
        grads[f"b{l}"] = np.einsum("nh->h", delta)
        if l == 1:
            break
        z = pre[l - 2]
        if activation == "relu":
            slope = np.where(z > 0, 1.0, 0.0)
        elif activation == "tanh":
            slope = 1 - np.tanh(z) ** 2
        else:
            s = 0.5 * (1 + np.tanh(z / 2))
            slope = s - s * s
        delta = np.einsum("nh,dh->nd", delta, np.asarray(params[f"w{l}"])) * slope
    return grads
"""

CHECK_NDITER_MAX = """
import copy


def numerical_gradient(params, x, y, activation, h=1e-5):
    def loss_at(p):
        return softmax_cross_entropy(mlp_forward(p, x, activation)[0], y)[0]

    grads = {}
    for name in params:
        base = np.asarray(params[name], dtype=np.float64)
        grad = np.zeros(base.shape)
        it = np.nditer(base, flags=["multi_index"])
        while not it.finished:
            i = it.multi_index
            plus, minus = copy.deepcopy(dict(params)), copy.deepcopy(dict(params))
            plus[name], minus[name] = base.copy(), base.copy()
            plus[name][i] += h
            minus[name][i] -= h
            grad[i] = (loss_at(plus) - loss_at(minus)) / 2 / h
            it.iternext()
        grads[name] = grad
    return grads


def gradient_check(analytic, numeric, floor=1e-8):
    report = {}
    for name, a in analytic.items():
        a, n = np.asarray(a, dtype=float), np.asarray(numeric[name], dtype=float)
        scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-12)  # CS231n's notes
        report[name] = float((np.abs(a - n) / scale).max())
    return report
"""

CHECK_NORM = """
def numerical_gradient(params, x, y, activation, h=1e-5):
    def f(p):
        return softmax_cross_entropy(mlp_forward(p, x, activation)[0], y)[0]

    result = {}
    for key, value in params.items():
        flat = np.array(value, dtype=np.float64).ravel()
        derivative = np.empty_like(flat)
        for k in range(flat.size):
            kept = flat[k]
            flat[k] = kept + h
            up = f({**params, key: flat.reshape(np.shape(value))})
            flat[k] = kept - h
            down = f({**params, key: flat.reshape(np.shape(value))})
            flat[k] = kept
            derivative[k] = 0.5 * (up - down) / h
        result[key] = derivative.reshape(np.shape(value))
    return result


def gradient_check(analytic, numeric, floor=1e-8):
    # one number per array, from norms: any wrong entry of an array still shows
    out = {}
    for key in analytic:
        a, n = np.asarray(analytic[key], float), np.asarray(numeric[key], float)
        out[key] = float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-6))
    return out
"""

GRAPH_DICTS = """
import math

BINARY = {
    "add": (lambda u, v: u + v, lambda u, v: (1.0, 1.0)),
    "sub": (lambda u, v: u - v, lambda u, v: (1.0, -1.0)),
    "mul": (lambda u, v: u * v, lambda u, v: (v, u)),
    "div": (lambda u, v: u / v, lambda u, v: (1 / v, -u / (v * v))),
}
UNARY = {
    "neg": (lambda u: -u, lambda u, out: -1.0),
    "exp": (math.exp, lambda u, out: out),
    "log": (math.log, lambda u, out: 1 / u),
    "tanh": (math.tanh, lambda u, out: 1 - out * out),
    "sigmoid": (lambda u: 1 / (1 + math.exp(-u)) if u >= 0 else math.exp(u) / (1 + math.exp(u)),
                lambda u, out: out * (1 - out)),
    "relu": (lambda u: u if u > 0 else 0.0, lambda u, out: 1.0 if u >= 0 else 0.0),
}


def backprop_graph(nodes, inputs):
    value = {}
    for i, node in enumerate(nodes):
        op = node[0]
        if op == "input":
            value[i] = inputs[node[1]]
        elif op == "const":
            value[i] = node[1]
        elif op == "pow":
            value[i] = value[node[1]] ** node[2]
        elif op in BINARY:
            value[i] = BINARY[op][0](value[node[1]], value[node[2]])
        else:
            value[i] = UNARY[op][0](value[node[1]])
    grad = dict.fromkeys(range(len(nodes)), 0.0)
    grad[len(nodes) - 1] = 1.0
    i = len(nodes)
    while i > 0:  # recursion-free: the list is already in topological order
        i -= 1
        op = nodes[i][0]
        if op == "pow":
            u, k = value[nodes[i][1]], nodes[i][2]
            grad[nodes[i][1]] += grad[i] * k * u ** (k - 1)
        elif op in BINARY:
            a, b = nodes[i][1], nodes[i][2]
            da, db = BINARY[op][1](value[a], value[b])
            grad[a] += grad[i] * da
            grad[b] += grad[i] * db
        elif op in UNARY:
            a = nodes[i][1]
            grad[a] += grad[i] * UNARY[op][1](value[a], value[i])
    return [grad[i] for i in range(len(nodes))]
"""

GRAPH_NUMPY = """
def backprop_graph(nodes, inputs):
    n = len(nodes)
    vals = np.zeros(n)
    for i, (op, *a) in enumerate(nodes):
        if op == "input":
            vals[i] = inputs[a[0]]
        elif op == "const":
            vals[i] = a[0]
        elif op == "add":
            vals[i] = vals[a[0]] + vals[a[1]]
        elif op == "sub":
            vals[i] = vals[a[0]] - vals[a[1]]
        elif op == "mul":
            vals[i] = vals[a[0]] * vals[a[1]]
        elif op == "div":
            vals[i] = vals[a[0]] / vals[a[1]]
        elif op == "pow":
            vals[i] = vals[a[0]] ** a[1]
        elif op == "neg":
            vals[i] = -vals[a[0]]
        elif op == "exp":
            vals[i] = np.exp(vals[a[0]])
        elif op == "log":
            vals[i] = np.log(vals[a[0]])
        elif op == "tanh":
            vals[i] = np.tanh(vals[a[0]])
        elif op == "sigmoid":
            vals[i] = 0.5 * (1 + np.tanh(vals[a[0]] / 2))
        elif op == "relu":
            vals[i] = max(vals[a[0]], 0.0)
    adj = np.zeros(n)  # the adjoints, d out / d node
    adj[-1] = 1.0
    for i in reversed(range(n)):
        op, *a = nodes[i]
        g = adj[i]
        if g == 0.0 or op in ("input", "const"):
            continue
        if op == "add":
            adj[a[0]] += g
            adj[a[1]] += g
        elif op == "sub":
            adj[a[0]] += g
            adj[a[1]] += -g
        elif op == "mul":
            adj[a[0]] += g * vals[a[1]]
            adj[a[1]] += g * vals[a[0]]
        elif op == "div":
            adj[a[0]] += g / vals[a[1]]
            adj[a[1]] += -g * vals[a[0]] / vals[a[1]] ** 2
        elif op == "pow":
            adj[a[0]] += g * a[1] * vals[a[0]] ** (a[1] - 1)
        elif op == "neg":
            adj[a[0]] -= g
        elif op == "exp":
            adj[a[0]] += g * vals[i]
        elif op == "log":
            adj[a[0]] += g / vals[a[0]]
        elif op == "tanh":
            adj[a[0]] += g * (1 - vals[i] ** 2)
        elif op == "sigmoid":
            adj[a[0]] += g * vals[i] * (1 - vals[i])
        elif op == "relu":
            adj[a[0]] += g * 0.5 if vals[a[0]] == 0 else g * (vals[a[0]] > 0)
    return adj
"""

VARIANTS = [
    {"name": "loops-per-example", "cells": {AFFINE: AFFINE_LOOPS, SOFT: SOFT_LOOPS}},
    {"name": "einsum-and-ones", "cells": {AFFINE: AFFINE_EINSUM}},
    {"name": "slopes-table-heaviside", "cells": {ACT: ACT_TABLE}},
    {"name": "relu-prime-1-at-0-np-where", "cells": {ACT: ACT_WHERE}},
    {"name": "softmax-logaddexp-one-hot", "cells": {SOFT: SOFT_LOGADDEXP}},
    {"name": "mlp-nielsen-per-example-dict-cache", "cells": {MLP: MLP_NIELSEN}},
    {"name": "mlp-reuses-parts-list-of-layers", "cells": {MLP: MLP_REUSE}},
    {"name": "mlp-einsum-float32-tuple-cache", "cells": {MLP: MLP_EINSUM_TUPLES}},
    {"name": "checker-nditer-deepcopy-max-denominator", "cells": {CHECK: CHECK_NDITER_MAX}},
    {"name": "checker-flat-views-norm-per-array", "cells": {CHECK: CHECK_NORM}},
    {"name": "graph-dicts-while-loop", "cells": {GRAPH: GRAPH_DICTS}},
    {"name": "graph-numpy-adjoints", "cells": {GRAPH: GRAPH_NUMPY}},
    {
        "name": "all-parts-otherwise",
        "cells": {
            AFFINE: AFFINE_EINSUM,
            ACT: ACT_TABLE,
            SOFT: SOFT_LOGADDEXP,
            MLP: MLP_REUSE,
            CHECK: CHECK_NORM,
            GRAPH: GRAPH_DICTS,
        },
    },
]
