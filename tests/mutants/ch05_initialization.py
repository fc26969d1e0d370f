"""Wrong answers (mutants) and differently written right answers (variants) for chapter 5.

`tests/test_assignments.py` autogrades each of them with nbgrader (and `course-grade`), and
`tests/test_case_seeds.py` runs every test cell in-process under 40 case seeds. A mutant
replaces one answer cell (``cell``, its grade id) with ``source`` and must lose points in
every part of ``loses`` and keep full marks in every other part; with ``zero`` it must
score 0 in those parts. A variant replaces one or more answer cells (``cells``: grade id →
source) with a correct answer written differently and must score full marks.

Each part's answer cell defines one or more functions: a mutant is the right cell with one
function replaced (`_cell`), so it loses its points through that function alone. The right
cells call no function of another part, so that a mutant of one part costs no other.

The initializers are random: the tests check statistics of at least 40,000 draws (mean,
variance, kurtosis, support, correlations, the same-seed rule), never drawn values, so the
variants draw in every way a student may (``default_rng``, ``RandomState``, the global
``np.random.seed``, ``normal(0, s)`` or ``standard_normal() * s``, float32, QR or SVD).
"""

XAVIER, HE, ORTHO, MLP, STDS = "xavier", "he", "orthogonal", "init_mlp", "activation_stds"

# ---------------------------------------------------------------- the right answers, by function
P1 = {
    "xavier_normal": """
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    "xavier_uniform": """
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
}
P2 = {
    "he_normal": """
def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
""",
    "he_uniform": """
def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    "he_gain": """
def he_gain(activation, r=0.0):
    if activation == "relu":
        return np.sqrt(2.0)
    if activation == "leaky_relu":
        return np.sqrt(2.0 / (1.0 + r**2))
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")
""",
}
P3 = {
    "orthogonal": """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain * q
""",
}
P4 = {
    "init_mlp": """
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
}
P5 = {
    "functions": """
FUNCTIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)),
    "linear": lambda z: z,
}
""",
    "activation_stds": """
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std())
    return stds
""",
}


def _cell(base: dict, **replaced: str) -> str:
    """The answer cell ``base`` with some of its functions replaced."""
    assert set(replaced) <= set(base), set(replaced) - set(base)
    return "\n".join(replaced.get(name, code) for name, code in base.items())


def _mutant(name: str, cell: str, base: dict, zero: bool = False, **replaced: str) -> dict:
    item = {"name": name, "cell": cell, "loses": {cell}, "source": _cell(base, **replaced)}
    if zero:
        item["zero"] = True
    return item


MUTANTS = [
    # ---------------------------------------------------------------- part 1: Xavier
    _mutant(
        "xavier-normal-variance-6-E2",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(6.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-variance-passed-as-scale",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 2.0 / (fan_in + fan_out), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-lecun-fan-in-only",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-transposed",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
""",
    ),
    _mutant(
        "xavier-normal-rand-in-0-1",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.random((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))
""",
    ),
    _mutant(
        "xavier-normal-no-seed",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng()
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-drawn-uniform",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-one-column-repeated",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    column = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, 1))
    return np.tile(column, (1, fan_out))
""",
    ),
    _mutant(
        "xavier-normal-half-the-variance",
        XAVIER,
        P1,
        xavier_normal="""
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(1.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-bound-sqrt-2",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-0-to-a",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(0, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-same-matrix-for-every-seed",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(0)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-bound-without-sqrt",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = 6.0 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-drawn-normal",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "xavier-uniform-he-bound",
        XAVIER,
        P1,
        xavier_uniform="""
def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    # ---------------------------------------------------------------- part 2: He and the gain
    _mutant(
        "he-normal-fan-out",
        HE,
        P2,
        he_normal="""
def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-normal-sqrt-missing-on-the-fan",
        HE,
        P2,
        he_normal="""
def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0) / fan_in, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-normal-xavier-formula",
        HE,
        P2,
        he_normal="""
def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-normal-variance-passed-as-scale",
        HE,
        P2,
        he_normal="""
def he_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-uniform-lecun-bound-sqrt-3",
        HE,
        P2,
        he_uniform="""
def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(3.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-uniform-fan-out",
        HE,
        P2,
        he_uniform="""
def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-uniform-transposed",
        HE,
        P2,
        he_uniform="""
def he_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_out, fan_in))
""",
    ),
    _mutant(
        "he-uniform-global-state-not-seeded",
        HE,
        P2,
        he_uniform="""
def he_uniform(fan_in, fan_out, seed):
    a = np.sqrt(6.0 / fan_in)
    return np.random.uniform(-a, a, size=(fan_in, fan_out))
""",
    ),
    _mutant(
        "he-gain-leaky-one-minus-r-squared",
        HE,
        P2,
        he_gain="""
def he_gain(activation, r=0.0):
    if activation == "relu":
        return np.sqrt(2.0)
    if activation == "leaky_relu":
        return np.sqrt(2.0 / (1.0 - r**2))
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")
""",
    ),
    _mutant(
        "he-gain-leaky-sqrt2-times-r",
        HE,
        P2,
        he_gain="""
def he_gain(activation, r=0.0):
    if activation == "relu":
        return np.sqrt(2.0)
    if activation == "leaky_relu":
        return np.sqrt(2.0) * r
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")
""",
    ),
    _mutant(
        "he-gain-variance-instead-of-gain",
        HE,
        P2,
        he_gain="""
def he_gain(activation, r=0.0):
    if activation == "relu":
        return 2.0
    if activation == "leaky_relu":
        return 2.0 / (1.0 + r**2)
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")
""",
    ),
    _mutant(
        "he-gain-leaky-ignores-r",
        HE,
        P2,
        he_gain="""
def he_gain(activation, r=0.0):
    if activation in ("relu", "leaky_relu"):
        return np.sqrt(2.0)
    if activation == "linear":
        return 1.0
    raise ValueError(f"unknown activation {activation!r}")
""",
    ),
    _mutant(
        "he-gain-unknown-activation-is-linear",
        HE,
        P2,
        he_gain="""
def he_gain(activation, r=0.0):
    if activation == "relu":
        return np.sqrt(2.0)
    if activation == "leaky_relu":
        return np.sqrt(2.0 / (1.0 + r**2))
    return 1.0
""",
    ),
    # ---------------------------------------------------------------- part 3: orthogonal
    _mutant(
        "orthogonal-no-sign-correction",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    if fan_in < fan_out:
        q = q.T
    return gain * q
""",
    ),
    _mutant(
        "orthogonal-wide-matrix-not-transposed",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((fan_in, fan_out)))
    return gain * q * np.sign(np.diag(r))
""",
    ),
    _mutant(
        "orthogonal-gain-squared",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain**2 * q
""",
    ),
    _mutant(
        "orthogonal-gain-before-qr",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = gain * rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    return q.T if fan_in < fan_out else q
""",
    ),
    _mutant(
        "orthogonal-columns-merely-normalized",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((fan_in, fan_out))
    if fan_in >= fan_out:
        return gain * a / np.linalg.norm(a, axis=0)
    return gain * a / np.linalg.norm(a, axis=1, keepdims=True)
""",
    ),
    _mutant(
        "orthogonal-same-matrix-for-every-seed",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(12345)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain * q
""",
    ),
    _mutant(
        "orthogonal-qr-of-uniform-0-1",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.random((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain * q
""",
    ),
    _mutant(
        "orthogonal-always-transposed",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    return gain * (q * np.sign(np.diag(r))).T
""",
    ),
    _mutant(
        "orthogonal-gain-ignored",
        ORTHO,
        P3,
        orthogonal="""
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    return q.T if fan_in < fan_out else q
""",
    ),
    # ---------------------------------------------------------------- part 4: init_mlp
    _mutant(
        "init-mlp-fans-of-layer-1-everywhere",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    var = 2.0 / (sizes[0] + sizes[1]) if scheme == "xavier" else 2.0 / sizes[0]
    params = {}
    for l in range(1, len(sizes)):
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(sizes[l - 1], sizes[l]))
        params[f"b{l}"] = np.zeros(sizes[l])
    return params
""",
    ),
    _mutant(
        "init-mlp-new-generator-from-seed-per-layer",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        rng = np.random.default_rng(seed)
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-same-matrix-for-equal-shapes",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    drawn, params = {}, {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        if (fan_in, fan_out) not in drawn:
            var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
            drawn[fan_in, fan_out] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"w{l}"] = drawn[fan_in, fan_out]
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-random-biases",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = rng.normal(0.0, np.sqrt(var), size=fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-small-positive-biases",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.full(fan_out, 0.01)
    return params
""",
    ),
    _mutant(
        "init-mlp-shapes-h-by-d",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_out, fan_in))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-schemes-swapped",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / fan_in if scheme == "xavier" else 2.0 / (fan_in + fan_out)
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-keys-upper-case",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-layers-numbered-from-0",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(len(sizes) - 1):
        fan_in, fan_out = sizes[l], sizes[l + 1]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-unknown-scheme-is-he",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    _mutant(
        "init-mlp-he-with-fan-out",
        MLP,
        P4,
        init_mlp="""
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_out
        params[f"w{l}"] = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
""",
    ),
    # ---------------------------------------------------------------- part 5: activation_stds
    _mutant(
        "stds-of-pre-activations",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        z = a @ params[f"w{l}"] + params[f"b{l}"]
        a = f(z)
        stds.append(z.std())
    return stds
""",
    ),
    _mutant(
        "stds-output-layer-included",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2 + 1):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std())
    return stds
""",
    ),
    _mutant(
        "stds-mean-of-per-unit-stds",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std(axis=0).mean())
    return stds
""",
    ),
    _mutant(
        "stds-biases-left-out",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"])
        stds.append(a.std())
    return stds
""",
    ),
    _mutant(
        "stds-of-the-batch-mean",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.mean(axis=0).std())
    return stds
""",
    ),
    _mutant(
        "stds-transposed-products",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"].T + params[f"b{l}"])
        stds.append(a.std())
    return stds
""",
    ),
    _mutant(
        "stds-ddof-1",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std(ddof=1))
    return stds
""",
    ),
    _mutant(
        "stds-variance-not-std",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.var())
    return stds
""",
    ),
    _mutant(
        "stds-input-counted-as-a-layer",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    a, stds = x, [x.std()]
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std())
    return stds
""",
    ),
    _mutant(
        "stds-sigmoid-sign-flipped",
        STDS,
        P5,
        activation_stds="""
def activation_stds(params, x, activation):
    f = FUNCTIONS[activation]
    if activation == "sigmoid":
        f = lambda z: 1 / (1 + np.exp(z))  # noqa: E731
    a, stds = x, []
    for l in range(1, len(params) // 2):
        a = f(a @ params[f"w{l}"] + params[f"b{l}"])
        stds.append(a.std())
    return stds
""",
    ),
]

VARIANTS = [
    {
        "name": "legacy-randomstate-and-loops",
        "cells": {
            XAVIER: """
def xavier_normal(fan_in, fan_out, seed):
    rs = np.random.RandomState(seed)
    std = (2.0 / (fan_in + fan_out)) ** 0.5
    return np.array([rs.normal(0.0, std, fan_out) for _ in range(fan_in)])


def xavier_uniform(fan_in, fan_out, seed):
    rs = np.random.RandomState(seed)
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    w = np.empty((fan_in, fan_out))
    for i in range(fan_in):
        w[i] = rs.uniform(-limit, limit, fan_out)
    return w
""",
            HE: """
import math


def he_normal(fan_in, fan_out, seed):
    rs = np.random.RandomState(seed)
    return rs.randn(fan_in, fan_out) * math.sqrt(2 / fan_in)


def he_uniform(fan_in, fan_out, seed):
    rs = np.random.RandomState(seed)
    bound = math.sqrt(6 / fan_in)
    return (2 * rs.rand(fan_in, fan_out) - 1) * bound


def he_gain(activation, r=0.0):
    gains = {"relu": math.sqrt(2), "leaky_relu": math.sqrt(2 / (1 + r * r)), "linear": 1.0}
    if activation not in gains:
        raise ValueError(f"he_gain: unknown activation {activation!r}")
    return gains[activation]
""",
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rs = np.random.RandomState(seed)
    tall = fan_in >= fan_out
    a = rs.randn(fan_in, fan_out) if tall else rs.randn(fan_out, fan_in)
    q, r = np.linalg.qr(a)
    q = np.where(np.diag(r) < 0, -q, q)  # column j flipped where r_jj < 0
    return gain * (q if tall else q.T)
""",
            MLP: """
def init_mlp(sizes, scheme, seed):
    if scheme == "xavier":
        variance = lambda n_in, n_out: 2 / (n_in + n_out)  # noqa: E731
    elif scheme == "he":
        variance = lambda n_in, n_out: 2 / n_in  # noqa: E731
    else:
        raise ValueError(f"init_mlp: scheme must be 'xavier' or 'he', not {scheme!r}")
    rs = np.random.RandomState(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        params["w%d" % l] = rs.randn(n_in, n_out) * np.sqrt(variance(n_in, n_out))
        params["b%d" % l] = np.zeros((n_out,))
    return params
""",
            STDS: """
import math


def _f(name, z):
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return np.exp(-np.logaddexp(0.0, -z))
    if name == "linear":
        return z
    raise ValueError(name)


def activation_stds(params, x, activation):
    depth = len(params) // 2
    a = x
    out = []
    for l in range(1, depth):
        a = _f(activation, np.dot(a, params["w" + str(l)]) + params["b" + str(l)])
        values = [v for row in a for v in row]
        mean = sum(values) / len(values)
        out.append(math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)))
    return out
""",
        },
    },
    {
        "name": "global-seed-randn-and-svd",
        "cells": {
            XAVIER: """
def xavier_normal(fan_in, fan_out, seed):
    np.random.seed(seed)
    return np.random.randn(fan_in, fan_out) * np.sqrt(2 / (fan_in + fan_out))


def xavier_uniform(fan_in, fan_out, seed):
    np.random.seed(seed)
    return np.random.uniform(-1, 1, (fan_in, fan_out)) * np.sqrt(6 / (fan_in + fan_out))
""",
            HE: """
def he_normal(fan_in, fan_out, seed):
    np.random.seed(seed)
    return np.random.normal(scale=np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    np.random.seed(seed)
    a = np.sqrt(6 / fan_in)
    return a * (2 * np.random.random_sample((fan_in, fan_out)) - 1)


def he_gain(activation, r=0.0):
    match activation:
        case "relu":
            return 2**0.5
        case "leaky_relu":
            return (2 / (1 + r**2)) ** 0.5
        case "linear":
            return 1
        case _:
            raise ValueError("activation must be relu, leaky_relu or linear")
""",
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    np.random.seed(seed)
    a = np.random.standard_normal((fan_in, fan_out))
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    return gain * (u @ vt)  # the orthogonal factor of a Gaussian matrix: Haar
""",
            MLP: """
def init_mlp(sizes, scheme, seed):
    if scheme not in {"xavier", "he"}:
        raise ValueError("scheme: 'xavier' or 'he'")
    np.random.seed(seed)
    params = {}
    for i in range(len(sizes) - 1):
        n_in, n_out = sizes[i], sizes[i + 1]
        a = np.sqrt(6 / (n_in + n_out)) if scheme == "xavier" else np.sqrt(6 / n_in)
        params[f"w{i + 1}"] = np.random.uniform(-a, a, (n_in, n_out))  # uniform: accepted
        params[f"b{i + 1}"] = np.zeros(n_out)
    return params
""",
            STDS: """
def activation_stds(params, x, activation):
    a = np.array(x, dtype=float)
    stds = []
    n_layers = len([k for k in params if k.startswith("w")])
    for l in range(1, n_layers):
        z = np.matmul(a, params[f"w{l}"]) + params[f"b{l}"]
        if activation == "relu":
            a = z * (z > 0)
        elif activation == "tanh":
            a = np.tanh(z)
        elif activation == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        else:
            a = z
        stds.append(float(np.sqrt(np.mean((a - np.mean(a)) ** 2))))
    return stds
""",
        },
    },
    {
        "name": "float32-standard-normal-times-std",
        "cells": {
            XAVIER: """
def xavier_normal(n_in, n_out, random_seed):
    rng = np.random.default_rng(random_seed)
    std = np.float32(np.sqrt(2 / (n_in + n_out)))
    return rng.standard_normal((n_in, n_out), dtype=np.float32) * std


def xavier_uniform(n_in, n_out, random_seed):
    rng = np.random.default_rng(random_seed)
    a = np.sqrt(6 / (n_in + n_out))
    return (a * (2 * rng.random((n_in, n_out)) - 1)).astype(np.float32)
""",
            HE: """
def he_normal(n_in, n_out, random_seed):
    rng = np.random.default_rng(random_seed)
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)


def he_uniform(n_in, n_out, random_seed):
    rng = np.random.default_rng(random_seed)
    return rng.uniform(-1, 1, (n_in, n_out)).astype(np.float32) * np.float32(np.sqrt(6 / n_in))


def he_gain(activation, r=0.0):
    if activation not in ("relu", "leaky_relu", "linear"):
        raise ValueError(f"no gain for {activation}")
    slope = {"relu": 0.0, "leaky_relu": r, "linear": 1.0}[activation]
    return np.float32(np.sqrt(2 / (1 + slope**2)))
""",
            ORTHO: """
def orthogonal(n_in, n_out, random_seed, gain=1.0):
    rng = np.random.default_rng(random_seed)
    big, small = max(n_in, n_out), min(n_in, n_out)
    q, r = np.linalg.qr(rng.standard_normal((big, small)))
    q = q @ np.diag(np.sign(np.diag(r)))
    w = q if n_in >= n_out else q.T
    return (gain * w).astype(np.float32)
""",
            MLP: """
def init_mlp(layer_sizes, scheme, random_seed):
    if scheme != "xavier" and scheme != "he":
        raise ValueError(f"unknown scheme: {scheme}")
    rng = np.random.default_rng(random_seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[l - 1], layer_sizes[l]
        std = np.sqrt(2 / (n_in + n_out) if scheme == "xavier" else 2 / n_in)
        params[f"w{l}"] = (rng.standard_normal((n_in, n_out)) * std).astype(np.float32)
        params[f"b{l}"] = np.zeros(n_out, dtype=np.float32)
    return params
""",
            STDS: """
def activation_stds(params, x, activation):
    act = {
        "relu": lambda z: np.clip(z, 0, None),
        "tanh": np.tanh,
        "sigmoid": lambda z: np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z))),
        "linear": lambda z: z,
    }[activation]
    keys = sorted((k for k in params if k[0] == "w"), key=lambda k: int(k[1:]))
    a, result = x, []
    for key in keys[:-1]:
        a = act(a @ params[key] + params["b" + key[1:]])
        result.append(np.std(a))
    return np.array(result)
""",
        },
    },
    {
        "name": "helpers-and-calls-across-parts",
        "cells": {
            XAVIER: """
def _gaussian(shape, std, seed):
    return std * np.random.default_rng(seed).standard_normal(shape)


def _uniform(shape, bound, seed):
    return np.random.default_rng(seed).uniform(low=-bound, high=bound, size=shape)


def xavier_normal(fan_in, fan_out, seed):
    return _gaussian((fan_in, fan_out), (2 / (fan_in + fan_out)) ** 0.5, seed)


def xavier_uniform(fan_in, fan_out, seed):
    return _uniform((fan_in, fan_out), (6 / (fan_in + fan_out)) ** 0.5, seed)
""",
            HE: """
def _draw(fan_in, fan_out, seed, gain, uniform):
    std = gain / np.sqrt(fan_in)
    rng = np.random.default_rng(seed)
    if uniform:
        return rng.uniform(-np.sqrt(3) * std, np.sqrt(3) * std, (fan_in, fan_out))
    return rng.normal(0, std, (fan_in, fan_out))


def he_gain(activation, r=0.0):
    if activation == "linear":
        r = 1.0
    elif activation == "relu":
        r = 0.0
    elif activation != "leaky_relu":
        raise ValueError(activation)
    return np.sqrt(2 / (1 + r**2))


def he_normal(fan_in, fan_out, seed):
    return _draw(fan_in, fan_out, seed, he_gain("relu"), uniform=False)


def he_uniform(fan_in, fan_out, seed):
    return _draw(fan_in, fan_out, seed, he_gain("relu"), uniform=True)
""",
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    rng = np.random.default_rng(seed)
    if fan_in < fan_out:
        return orthogonal(fan_out, fan_in, seed, gain).T
    q, r = np.linalg.qr(rng.normal(size=(fan_in, fan_out)), mode="reduced")
    d = np.diag(r)
    return gain * q * (d / np.abs(d))
""",
            MLP: """
def init_mlp(sizes, scheme, seed):
    draw = {"xavier": xavier_normal, "he": he_uniform}.get(scheme)
    if draw is None:
        raise ValueError(f"scheme {scheme!r}: expected 'xavier' or 'he'")
    seeds = np.random.default_rng(seed).integers(0, 2**31, size=len(sizes) - 1)
    params = {}
    for l, (fan_in, fan_out, layer_seed) in enumerate(zip(sizes, sizes[1:], seeds), 1):
        params["w" + str(l)] = draw(fan_in, fan_out, int(layer_seed))
        params["b" + str(l)] = np.zeros(fan_out)
    return params
""",
            STDS: """
def activation_stds(params, x, activation):
    if activation == "relu":
        f = lambda z: np.maximum(0, z)  # noqa: E731
    elif activation == "tanh":
        f = np.tanh
    elif activation == "sigmoid":
        f = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    else:
        f = lambda z: z  # noqa: E731
    weights = [params[f"w{l}"] for l in range(1, len(params) // 2 + 1)]
    biases = [params[f"b{l}"] for l in range(1, len(params) // 2 + 1)]
    stds, a = [], x
    for w, b in zip(weights[:-1], biases[:-1]):
        a = f(np.einsum("nd,dh->nh", a, w) + b)
        stds.append(np.std(a.ravel()))
    return tuple(stds)
""",
        },
    },
    {
        "name": "seed-sequence-per-layer-and-float32-orthogonal-svd",
        "cells": {
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    a = np.random.default_rng(seed).standard_normal((fan_in, fan_out))
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return (gain * u @ vt).astype(np.float32)
""",
            MLP: """
def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(scheme)
    params = {}
    for l in range(1, len(sizes)):
        rng = np.random.default_rng([seed, l])  # a stream of its own for each layer
        d, h = sizes[l - 1], sizes[l]
        if scheme == "xavier":
            a = np.sqrt(6 / (d + h))
            params[f"w{l}"] = rng.uniform(-a, a, (d, h))
        else:
            params[f"w{l}"] = rng.normal(0, np.sqrt(2 / d), (d, h))
        params[f"b{l}"] = np.zeros(h)
    return params
""",
        },
    },
]

VARIANTS += [
    {
        "name": "size-keywords-in-place-sign-flip-seed-sequence",
        "cells": {
            XAVIER: """
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(fan_in, fan_out)) / np.sqrt((fan_in + fan_out) / 2)


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.random(size=(fan_in, fan_out)) * 2 * limit - limit
""",
            HE: """
def he_gain(activation, r=0.0):
    table = {
        "relu": lambda r: np.sqrt(2),
        "leaky_relu": lambda r: np.sqrt(2 / (1 + r * r)),
        "linear": lambda r: 1.0,
    }
    try:
        return float(table[activation](r))
    except KeyError:
        raise ValueError(f"no He gain for the activation {activation!r}") from None


def he_normal(fan_in, fan_out, seed):
    std = he_gain("relu") / np.sqrt(fan_in)
    return np.random.default_rng(seed).normal(scale=std, size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, seed):
    bound = he_gain("relu") * np.sqrt(3 / fan_in)
    return np.random.default_rng(seed).uniform(low=-bound, high=bound, size=(fan_in, fan_out))
""",
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    n, m = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))  # square, then crop
    q[:, np.diag(r) < 0] *= -1
    q = q[:, :m]
    return gain * (q if fan_in >= fan_out else q.T)
""",
            MLP: """
def init_mlp(sizes, scheme, seed):
    if scheme == "xavier":
        std = lambda d, h: np.sqrt(2 / (d + h))  # noqa: E731
    elif scheme == "he":
        std = lambda d, h: np.sqrt(2 / d)  # noqa: E731
    else:
        raise ValueError(f"scheme: 'xavier' or 'he', got {scheme!r}")
    streams = np.random.SeedSequence(seed).spawn(len(sizes) - 1)
    layers = [
        np.random.default_rng(s).standard_normal((d, h)) * std(d, h)
        for s, d, h in zip(streams, sizes[:-1], sizes[1:])
    ]
    params = {f"w{i}": w for i, w in enumerate(layers, start=1)}
    params.update({f"b{i}": np.zeros(w.shape[1]) for i, w in enumerate(layers, start=1)})
    return params
""",
            STDS: """
def activation_stds(params, x, activation):
    if activation not in ("relu", "tanh", "sigmoid", "linear"):
        raise ValueError(activation)
    out = []
    a = x
    n = len(params) // 2
    for l in range(1, n):
        z = a @ params[f"w{l}"] + params[f"b{l}"]
        if activation == "relu":
            a = np.clip(z, 0, np.inf)
        elif activation == "tanh":
            a = 2 / (1 + np.exp(-2 * z)) - 1
        elif activation == "sigmoid":
            e = np.exp(-np.abs(z))
            a = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        else:
            a = z.copy()
        out.append(np.std(a, ddof=0))
    return out
""",
        },
    },
    {
        "name": "float32-generator-dtype-and-gram-schmidt",
        "cells": {
            XAVIER: """
def xavier_normal(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
    return w * np.float32(np.sqrt(2.0 / (fan_in + fan_out)))


def xavier_uniform(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    a = np.float32(np.sqrt(6.0 / (fan_in + fan_out)))
    return (rng.random((fan_in, fan_out), dtype=np.float32) - np.float32(0.5)) * 2 * a
""",
            ORTHO: """
def orthogonal(fan_in, fan_out, seed, gain=1.0):
    # Gram-Schmidt on the columns of a Gaussian matrix: Q with a positive-diagonal R, Haar
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    q = np.zeros_like(a)
    for j in range(a.shape[1]):
        v = a[:, j].copy()
        for _ in range(2):  # twice is enough (Kahan)
            v -= q[:, :j] @ (q[:, :j].T @ v)
        q[:, j] = v / np.linalg.norm(v)
    return gain * (q if fan_in >= fan_out else q.T)
""",
        },
    },
    {
        "name": "global-seed-uniform-he-mlp-and-tuple-stds",
        "cells": {
            HE: """
import math


def he_normal(fan_in, fan_out, seed):
    np.random.seed(seed)
    return np.random.normal(0, math.sqrt(2 / fan_in), (fan_in, fan_out)).astype(np.float32)


def he_uniform(fan_in, fan_out, seed):
    np.random.seed(seed)
    return np.random.uniform(-math.sqrt(6 / fan_in), math.sqrt(6 / fan_in), (fan_in, fan_out))


def he_gain(activation, r=0.0):
    if activation == "linear":
        return 1
    if activation in ("relu", "leaky_relu"):
        slope = r if activation == "leaky_relu" else 0
        return math.sqrt(2 / (1 + slope**2))
    raise ValueError(f"he_gain: {activation!r} is not relu, leaky_relu or linear")
""",
            MLP: """
import math


def init_mlp(sizes, scheme, seed):
    if scheme not in ("xavier", "he"):
        raise ValueError(f"init_mlp: unknown scheme {scheme!r}")
    rs = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(sizes)):
        d, h = sizes[l - 1], sizes[l]
        a = math.sqrt(6 / (d + h)) if scheme == "xavier" else math.sqrt(6 / d)
        params["w" + str(l)] = rs.uniform(-a, a, size=(d, h)).astype(np.float32)
        params["b" + str(l)] = np.zeros(h, dtype=np.float32)
    return params
""",
            STDS: """
def activation_stds(params, x, activation):
    f = {
        "relu": lambda z: z * (z > 0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 + 0.5 * np.tanh(0.5 * z),
        "linear": lambda z: z,
    }[activation]
    a, stds = x, ()
    for l in range(1, len(params) // 2):
        a = f(a.dot(params["w%d" % l]) + params["b%d" % l])
        stds += (float(a.std()),)
    return stds
""",
        },
    },
]
