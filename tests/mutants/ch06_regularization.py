"""Wrong answers (mutants) and differently written right answers (variants) for chapter 6.

`tests/test_assignments.py` autogrades each of them with nbgrader and with course-grade, and
`tests/test_case_seeds.py` runs every test cell in-process under 40 case seeds. A mutant
replaces one answer cell (``cell``, its grade id) with ``source`` and must lose points in
every part of ``loses`` and keep full marks in every other part; with ``zero`` it must score
0 in those parts. A variant replaces one or more answer cells (``cells``: grade id → source)
with a correct answer written differently and must score full marks.

The mistakes are those of the spec (`specs/chapters-2-6.md` §5.3) and more: each part's
prompt fixes the conventions they break. Each mutant is the right answer with one change
(`_sub`), so that it shows the mistake and nothing else.
"""

DROPOUT, DECAY, KFOLD = "dropout", "weight_decay", "kfold_indices"
STANDARDIZE, RIDGE, STOPPING = "standardize_fold", "cross_validate_ridge", "early_stopping"


def _sub(base: str, *pairs: tuple[str, str]) -> str:
    """``base`` with each ``old`` replaced by ``new`` (once; ``old`` must be there)."""
    for old, new in pairs:
        if old not in base:
            raise ValueError(f"{old!r} is not in the base answer")
        base = base.replace(old, new, 1)
    return base


DROPOUT_OK = """
def dropout_forward(x, p, train, seed):
    if not 0 <= p < 1:
        raise ValueError(f"p must be in [0, 1), not {p}")
    x = np.asarray(x)
    if not train or p == 0:
        return x, None
    rng = np.random.default_rng(seed)
    keep = rng.random(x.shape) >= p
    mask = keep.astype(x.dtype) / x.dtype.type(1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    if cache is None:
        return np.asarray(dout)
    return np.asarray(dout) * cache
"""

DECAY_OK = """
def l2_penalty(params, lam):
    value = 0.0
    grads = {}
    for name, w in params.items():
        w = np.asarray(w)
        if name.startswith("w"):
            value += 0.5 * lam * float(np.sum(w.astype(np.float64) ** 2))
            grads[name] = lam * w
        else:
            grads[name] = np.zeros_like(w)
    return value, grads


def sgd_step(params, grads, lr, lam):
    new = {}
    for name, value in params.items():
        step = np.asarray(grads[name])
        if name.startswith("w"):
            step = step + lam * np.asarray(value)
        new[name] = np.asarray(value) - lr * step
    return new
"""

KFOLD_OK = """
def kfold_indices(n, k, seed):
    if not 2 <= k <= n:
        raise ValueError(f"k: expected 2 <= k <= n = {n}, got {k}")
    order = np.random.default_rng(seed).permutation(n)
    return np.array_split(order, k)
"""

STANDARDIZE_OK = """
def standardize_fold(x_train, x_val):
    x_train, x_val = np.asarray(x_train), np.asarray(x_val)
    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (x_train - mean) / scale, (x_val - mean) / scale
"""

RIDGE_OK = """
def cross_validate_ridge(x, y, folds, lam):
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    errors = []
    for fold in folds:
        val = np.zeros(len(y), dtype=bool)
        val[np.asarray(fold, dtype=int)] = True
        x_train, y_train = x[~val], y[~val]
        mean = x_train.mean(axis=0)
        scale = x_train.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        xt, xv = (x_train - mean) / scale, (x[val] - mean) / scale
        n_t, d = xt.shape
        b = y_train.mean()
        w = np.linalg.solve(
            xt.T @ xt / n_t + lam * np.eye(d), xt.T @ (y_train - b) / n_t
        )
        errors.append(np.mean((xv @ w + b - y[val]) ** 2))
    return float(np.mean(errors))
"""

STOPPING_OK = """
def diagnose(train_error, val_error, target_error, tol):
    if train_error > target_error + tol:
        return "underfitting"
    if val_error - train_error > tol:
        return "overfitting"
    return "good fit"


def best_epoch(val_losses, patience, min_delta=0.0):
    best, best_at, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_at, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_at
"""


def _mutant(name: str, cell: str, source: str, zero: bool = False) -> dict:
    item = {"name": name, "cell": cell, "loses": {cell}, "source": source}
    if zero:
        item["zero"] = True
    return item


MUTANTS = [
    # ---------------------------------------------------------------- part 1: dropout
    _mutant(
        "dropout-keep-probability-as-drop",  # CS231n's and DLS's p
        DROPOUT,
        _sub(
            DROPOUT_OK,
            ("rng.random(x.shape) >= p", "rng.random(x.shape) < p"),
            ("x.dtype.type(1 - p)", "x.dtype.type(p)"),
        ),
    ),
    _mutant(
        "dropout-no-rescaling",  # E10: E[out] = (1 - p) x
        DROPOUT,
        _sub(DROPOUT_OK, ("keep.astype(x.dtype) / x.dtype.type(1 - p)", "keep.astype(x.dtype)")),
    ),
    _mutant(
        "dropout-rescaled-by-1-over-p",
        DROPOUT,
        _sub(DROPOUT_OK, ("x.dtype.type(1 - p)", "x.dtype.type(p)")),
    ),
    _mutant(
        "dropout-eval-rescales-up",  # inverted and test-time scaling both
        DROPOUT,
        _sub(
            DROPOUT_OK,
            (
                "    if not train or p == 0:\n",
                "    if not train:\n        return x / (1 - p), None\n    if p == 0:\n",
            ),
        ),
    ),
    _mutant(
        "dropout-eval-scaled-by-keep-probability",  # Srivastava's test-time rule, on top
        DROPOUT,
        _sub(
            DROPOUT_OK,
            (
                "    if not train or p == 0:\n",
                "    if not train:\n        return x * (1 - p), None\n    if p == 0:\n",
            ),
        ),
    ),
    _mutant(
        "dropout-on-in-eval",
        DROPOUT,
        _sub(DROPOUT_OK, ("if not train or p == 0:", "if p == 0:")),
    ),
    _mutant(
        "dropout-fresh-mask-in-backward",
        DROPOUT,
        _sub(
            DROPOUT_OK,
            ("return x * mask, mask", "return x * mask, p"),
            (
                "    return np.asarray(dout) * cache\n",
                "    dout = np.asarray(dout)\n"
                "    keep = np.random.default_rng().random(dout.shape) >= cache\n"
                "    return dout * keep / (1 - cache)\n",
            ),
        ),
    ),
    _mutant(
        "dropout-backward-not-rescaled",
        DROPOUT,
        _sub(
            DROPOUT_OK,
            ("return np.asarray(dout) * cache", "return np.asarray(dout) * (cache != 0)"),
        ),
    ),
    _mutant(
        "dropout-backward-multiplies-by-out",  # caches out instead of the mask
        DROPOUT,
        _sub(DROPOUT_OK, ("return x * mask, mask", "return x * mask, x * mask")),
    ),
    _mutant(
        "dropout-backward-divides-out-by-x",  # nan where x = 0
        DROPOUT,
        _sub(
            DROPOUT_OK,
            ("return x * mask, mask", "return x * mask, (x * mask, x)"),
            ("return np.asarray(dout) * cache", "return np.asarray(dout) * cache[0] / cache[1]"),
        ),
    ),
    _mutant(
        "dropout-mask-per-unit",  # one mask for the whole batch
        DROPOUT,
        _sub(DROPOUT_OK, ("rng.random(x.shape)", "rng.random((1, x.shape[-1]))")),
    ),
    _mutant(
        "dropout-mask-per-example",
        DROPOUT,
        _sub(DROPOUT_OK, ("rng.random(x.shape)", "rng.random((x.shape[0], 1))")),
    ),
    _mutant(
        "dropout-seed-ignored",
        DROPOUT,
        _sub(DROPOUT_OK, ("np.random.default_rng(seed)", "np.random.default_rng()")),
    ),
    _mutant(
        "dropout-p-one-accepted",  # 1 / (1 - p) divides by zero
        DROPOUT,
        _sub(DROPOUT_OK, ("if not 0 <= p < 1:", "if not 0 <= p <= 1:")),
    ),
    _mutant(
        "dropout-negative-p-accepted",
        DROPOUT,
        _sub(DROPOUT_OK, ("if not 0 <= p < 1:", "if p >= 1:")),
    ),
    _mutant(
        "dropout-float32-upcast",
        DROPOUT,
        _sub(DROPOUT_OK, ("keep.astype(x.dtype) / x.dtype.type(1 - p)", "keep / (1 - p)")),
    ),
    _mutant(
        "dropout-modifies-x-in-place",
        DROPOUT,
        _sub(DROPOUT_OK, ("    return x * mask, mask\n", "    x *= mask\n    return x, mask\n")),
    ),
    _mutant(
        "dropout-uses-mlpbook-layers",
        DROPOUT,
        """
def dropout_forward(x, p, train, seed):
    from mlpbook.layers import Dropout

    layer = Dropout(p, rng=seed)
    layer.train(train)
    out = layer.forward(x)
    return out, (None if layer._mask is None else layer._mask)


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache
""",
        zero=True,
    ),
    # ---------------------------------------------------------------- part 2: weight decay
    _mutant(
        "l2-no-half",  # value lam * sum w^2, gradient 2 lam W
        DECAY,
        _sub(
            DECAY_OK,
            ("value += 0.5 * lam *", "value += lam *"),
            ("grads[name] = lam * w", "grads[name] = 2 * lam * w"),
        ),
    ),
    _mutant(
        "l2-half-in-value-but-2-lam-w-gradient",  # a CS231n copy's inconsistency
        DECAY,
        _sub(DECAY_OK, ("grads[name] = lam * w", "grads[name] = 2 * lam * w")),
    ),
    _mutant(
        "l2-biases-penalized",
        DECAY,
        _sub(
            DECAY_OK,
            (
                '        if name.startswith("w"):\n            value',
                "        if True:\n            value",
            ),
        ),
    ),
    _mutant(
        "l2-bias-gradient-penalized",  # the value right, the biases' gradient lam b
        DECAY,
        _sub(DECAY_OK, ("grads[name] = np.zeros_like(w)", "grads[name] = lam * w")),
    ),
    _mutant(
        "l2-frobenius-norm-not-squared",
        DECAY,
        _sub(
            DECAY_OK,
            (
                "float(np.sum(w.astype(np.float64) ** 2))",
                "float(np.linalg.norm(w.astype(np.float64)))",
            ),
        ),
    ),
    _mutant(
        "l2-is-l1",
        DECAY,
        _sub(DECAY_OK, ("float(np.sum(w.astype(np.float64) ** 2))", "float(np.sum(np.abs(w)))")),
    ),
    _mutant(
        "l2-divided-by-number-of-weights",  # a mean, not a sum
        DECAY,
        _sub(
            DECAY_OK,
            (
                "    return value, grads\n",
                "    count = sum(np.size(v) for k, v in params.items() if k.startswith('w'))\n"
                "    return value / count, grads\n",
            ),
        ),
    ),
    _mutant(
        "l2-grads-without-bias-keys",
        DECAY,
        _sub(DECAY_OK, ("grads[name] = np.zeros_like(w)", "pass")),
    ),
    _mutant(
        "sgd-decay-sign-flipped",  # the weights grow
        DECAY,
        _sub(
            DECAY_OK,
            ("step = step + lam * np.asarray(value)", "step = step - lam * np.asarray(value)"),
        ),
    ),
    _mutant(
        "sgd-decay-applied-twice",  # lam W in the gradient and the (1 - lr lam) factor
        DECAY,
        _sub(
            DECAY_OK,
            (
                "            step = step + lam * np.asarray(value)\n",
                "            step = step + lam * np.asarray(value)\n"
                "            value = (1 - lr * lam) * np.asarray(value)\n",
            ),
        ),
    ),
    _mutant(
        "sgd-decay-without-learning-rate",  # (1 - lam) W - lr dW
        DECAY,
        _sub(
            DECAY_OK,
            (
                "            step = step + lam * np.asarray(value)\n",
                "            value = (1 - lam) * np.asarray(value)\n",
            ),
        ),
    ),
    _mutant(
        "sgd-biases-decayed",
        DECAY,
        _sub(
            DECAY_OK,
            (
                '        if name.startswith("w"):\n            step',
                "        if True:\n            step",
            ),
        ),
    ),
    _mutant(
        "sgd-no-decay",
        DECAY,
        _sub(DECAY_OK, ("step = step + lam * np.asarray(value)", "step = step")),
    ),
    _mutant(
        "sgd-modifies-params-in-place",
        DECAY,
        _sub(
            DECAY_OK,
            (
                "        new[name] = np.asarray(value) - lr * step\n    return new",
                "        value -= lr * step\n        new[name] = value\n    return new",
            ),
        ),
    ),
    _mutant(
        "l2-uses-mlpbook-regularization",
        DECAY,
        _sub(
            DECAY_OK,
            (
                "def l2_penalty(params, lam):\n",
                "def l2_penalty(params, lam):\n"
                "    from mlpbook import regularization\n\n"
                "    weights = {k: v for k, v in params.items() if k.startswith('w')}\n"
                "    value, grads = regularization.l2_penalty(weights, lam)\n"
                "    return value, {\n"
                "        k: grads.get(k, np.zeros_like(v)) for k, v in params.items()\n"
                "    }\n\n\n"
                "def _unused(params, lam):\n",
            ),
        ),
        zero=True,
    ),
    # ---------------------------------------------------------------- part 3: k-fold
    _mutant(
        "kfold-floor-size-drops-remainder",  # d2l's k_fold_data
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    return np.array_split(order, k)\n",
                "    size = n // k\n"
                "    return [order[i * size : (i + 1) * size] for i in range(k)]\n",
            ),
        ),
    ),
    _mutant(
        "kfold-last-fold-takes-remainder",
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    return np.array_split(order, k)\n",
                "    size = n // k\n"
                "    folds = [order[i * size : (i + 1) * size] for i in range(k - 1)]\n"
                "    return [*folds, order[(k - 1) * size :]]\n",
            ),
        ),
    ),
    _mutant(
        "kfold-ceil-size",  # sizes ceil(n / k), the last fold short
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    return np.array_split(order, k)\n",
                "    size = -(-n // k)\n"
                "    return [order[i * size : (i + 1) * size] for i in range(k)]\n",
            ),
        ),
    ),
    _mutant(
        "kfold-no-shuffle",
        KFOLD,
        _sub(KFOLD_OK, ("np.random.default_rng(seed).permutation(n)", "np.arange(n)")),
    ),
    _mutant(
        "kfold-independent-draws-overlap",
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    return np.array_split(order, k)\n",
                "    rng = np.random.default_rng(seed)\n"
                "    sizes = [len(f) for f in np.array_split(order, k)]\n"
                "    return [rng.choice(n, size=s, replace=False) for s in sizes]\n",
            ),
        ),
    ),
    _mutant(
        "kfold-returns-training-indices",
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    return np.array_split(order, k)\n",
                "    return [np.setdiff1d(order, f) for f in np.array_split(order, k)]\n",
            ),
        ),
    ),
    _mutant(
        "kfold-k-one-accepted",  # E9: "K between 0 and 10"
        KFOLD,
        _sub(KFOLD_OK, ("if not 2 <= k <= n:", "if not 1 <= k <= n:")),
    ),
    _mutant(
        "kfold-k-above-n-accepted",
        KFOLD,
        _sub(KFOLD_OK, ("if not 2 <= k <= n:", "if k < 2:")),
    ),
    _mutant(
        "kfold-seed-ignored",
        KFOLD,
        _sub(KFOLD_OK, ("np.random.default_rng(seed)", "np.random.default_rng()")),
    ),
    _mutant(
        "kfold-float-indices",
        KFOLD,
        _sub(KFOLD_OK, ("np.array_split(order, k)", "np.array_split(order.astype(float), k)")),
    ),
    _mutant(
        "kfold-uses-mlpbook-data",
        KFOLD,
        _sub(
            KFOLD_OK,
            (
                "    order = np.random.default_rng(seed).permutation(n)\n"
                "    return np.array_split(order, k)\n",
                "    from mlpbook.data import kfold_indices as folds_of\n\n"
                "    return [val for _, val in folds_of(n, k, rng=seed)]\n",
            ),
        ),
        zero=True,
    ),
    # ---------------------------------------------------------------- part 4: standardisation
    _mutant(
        "standardize-statistics-of-all-data",  # the leak of d2l's house prices
        STANDARDIZE,
        _sub(
            STANDARDIZE_OK,
            (
                "    mean = x_train.mean(axis=0)\n    scale = x_train.std(axis=0)\n",
                "    both = np.concatenate([x_train, x_val])\n"
                "    mean = both.mean(axis=0)\n    scale = both.std(axis=0)\n",
            ),
        ),
    ),
    _mutant(
        "standardize-statistics-of-validation-fold",
        STANDARDIZE,
        _sub(
            STANDARDIZE_OK,
            (
                "mean = x_train.mean(axis=0)\n    scale = x_train.std",
                "mean = x_val.mean(axis=0)\n    scale = x_val.std",
            ),
        ),
    ),
    _mutant(
        "standardize-validation-with-its-own-statistics",
        STANDARDIZE,
        _sub(
            STANDARDIZE_OK,
            (
                "(x_val - mean) / scale",
                "(x_val - x_val.mean(axis=0))"
                " / np.where(x_val.std(axis=0) > 0, x_val.std(axis=0), 1.0)",
            ),
        ),
    ),
    _mutant(
        "standardize-nan-on-constant-column",
        STANDARDIZE,
        _sub(STANDARDIZE_OK, ("scale = np.where(scale > 0, scale, 1.0)", "scale = scale")),
    ),
    _mutant(
        "standardize-epsilon-instead-of-one",  # constant columns blow up on the validation fold
        STANDARDIZE,
        _sub(STANDARDIZE_OK, ("scale = np.where(scale > 0, scale, 1.0)", "scale = scale + 1e-8")),
    ),
    _mutant(
        "standardize-per-row",
        STANDARDIZE,
        """
def standardize_fold(x_train, x_val):
    def rows(a):
        a = np.asarray(a)
        mean, scale = a.mean(axis=1, keepdims=True), a.std(axis=1, keepdims=True)
        return (a - mean) / np.where(scale > 0, scale, 1.0)

    return rows(x_train), rows(x_val)
""",
    ),
    _mutant(
        "standardize-in-place",
        STANDARDIZE,
        _sub(
            STANDARDIZE_OK,
            (
                "    return (x_train - mean) / scale, (x_val - mean) / scale\n",
                "    x_val = (x_val - mean) / scale\n"
                "    x_train -= mean\n    x_train /= scale\n    return x_train, x_val\n",
            ),
        ),
    ),
    _mutant(
        "standardize-not-centred",
        STANDARDIZE,
        _sub(
            STANDARDIZE_OK,
            (
                "return (x_train - mean) / scale, (x_val - mean) / scale",
                "return x_train / scale, x_val / scale",
            ),
        ),
    ),
    _mutant(
        "standardize-uses-sklearn",
        STANDARDIZE,
        """
def standardize_fold(x_train, x_val):
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_val)
""",
        zero=True,
    ),
    # ---------------------------------------------------------------- part 5: ridge CV
    _mutant(
        "ridge-standardized-once-on-all-data",  # the leak: Chollet 3.7, d2l's house prices
        RIDGE,
        _sub(
            RIDGE_OK,
            ("mean = x_train.mean(axis=0)", "mean = x.mean(axis=0)"),
            ("scale = x_train.std(axis=0)", "scale = x.std(axis=0)"),
        ),
    ),
    _mutant(
        "ridge-intercept-penalized",
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "        b = y_train.mean()\n"
                "        w = np.linalg.solve(\n"
                "            xt.T @ xt / n_t + lam * np.eye(d), xt.T @ (y_train - b) / n_t\n"
                "        )\n",
                "        a = np.column_stack([xt, np.ones(n_t)])\n"
                "        coef = np.linalg.solve(\n"
                "            a.T @ a / n_t + lam * np.eye(d + 1), a.T @ y_train / n_t\n"
                "        )\n"
                "        w, b = coef[:d], coef[d]\n",
            ),
        ),
    ),
    _mutant(
        "ridge-sum-of-squares-lambda",  # (X^T X + lam I): lam / n_t in the book's form
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "xt.T @ xt / n_t + lam * np.eye(d), xt.T @ (y_train - b) / n_t",
                "xt.T @ xt + lam * np.eye(d), xt.T @ (y_train - b)",
            ),
        ),
    ),
    _mutant(
        "ridge-no-centring-no-intercept",
        RIDGE,
        _sub(RIDGE_OK, ("        b = y_train.mean()\n", "        b = 0.0\n")),
    ),
    _mutant(
        "ridge-intercept-forgotten-in-prediction",
        RIDGE,
        _sub(RIDGE_OK, ("np.mean((xv @ w + b - y[val]) ** 2)", "np.mean((xv @ w - y[val]) ** 2)")),
    ),
    _mutant(
        "ridge-mse-weighted-by-fold-size",  # the mean over all N examples
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "errors.append(np.mean((xv @ w + b - y[val]) ** 2))\n"
                "    return float(np.mean(errors))",
                "errors.append((xv @ w + b - y[val]) ** 2)\n"
                "    return float(np.mean(np.concatenate(errors)))",
            ),
        ),
    ),
    _mutant(
        "ridge-validation-fold-in-training",
        RIDGE,
        _sub(RIDGE_OK, ("x_train, y_train = x[~val], y[~val]", "x_train, y_train = x, y")),
    ),
    _mutant(
        "ridge-validation-fold-own-statistics",
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "(x[val] - mean) / scale",
                "(x[val] - x[val].mean(axis=0))"
                " / np.where(x[val].std(axis=0) > 0, x[val].std(axis=0), 1.0)",
            ),
        ),
    ),
    _mutant(
        "ridge-folds-ignored",  # a fresh shuffle inside
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "    for fold in folds:\n",
                "    order = np.random.default_rng(0).permutation(len(y))\n"
                "    folds = np.array_split(order, len(folds))\n"
                "    for fold in folds:\n",
            ),
        ),
    ),
    _mutant(
        "ridge-returns-rmse",
        RIDGE,
        _sub(
            RIDGE_OK,
            ("errors.append(np.mean(", "errors.append(np.sqrt(np.mean("),
            ("- y[val]) ** 2))", "- y[val]) ** 2)))"),
        ),
    ),
    _mutant(
        "ridge-uses-sklearn",
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "        b = y_train.mean()\n"
                "        w = np.linalg.solve(\n"
                "            xt.T @ xt / n_t + lam * np.eye(d), xt.T @ (y_train - b) / n_t\n"
                "        )\n"
                "        errors.append(np.mean((xv @ w + b - y[val]) ** 2))\n",
                "        from sklearn.linear_model import Ridge\n\n"
                "        model = Ridge(alpha=lam * n_t).fit(xt, y_train)\n"
                "        errors.append(np.mean((model.predict(xv) - y[val]) ** 2))\n",
            ),
        ),
        zero=True,
    ),
    _mutant(
        "ridge-uses-mlpbook-generalization",  # the chapter's ridge_fit
        RIDGE,
        _sub(
            RIDGE_OK,
            (
                "        b = y_train.mean()\n"
                "        w = np.linalg.solve(\n"
                "            xt.T @ xt / n_t + lam * np.eye(d), xt.T @ (y_train - b) / n_t\n"
                "        )\n",
                "        from mlpbook.generalization import ridge_fit\n\n"
                "        w, b = ridge_fit(xt, y_train, lam)\n",
            ),
        ),
        zero=True,
    ),
    # ------------------------------------------------ part 6: diagnosis, early stopping
    _mutant(
        "diagnose-small-gap-is-underfitting",  # E8
        STOPPING,
        _sub(
            STOPPING_OK,
            (
                '    if train_error > target_error + tol:\n        return "underfitting"\n'
                '    if val_error - train_error > tol:\n        return "overfitting"\n'
                '    return "good fit"\n',
                '    if val_error - train_error <= tol:\n        return "underfitting"\n'
                '    return "overfitting"\n',
            ),
        ),
    ),
    _mutant(
        "diagnose-gap-sign-flipped",  # d2l's R_emp - R
        STOPPING,
        _sub(
            STOPPING_OK, ("if val_error - train_error > tol:", "if train_error - val_error > tol:")
        ),
    ),
    _mutant(
        "diagnose-overfitting-checked-first",
        STOPPING,
        _sub(
            STOPPING_OK,
            (
                '    if train_error > target_error + tol:\n        return "underfitting"\n'
                '    if val_error - train_error > tol:\n        return "overfitting"\n',
                '    if val_error - train_error > tol:\n        return "overfitting"\n'
                '    if train_error > target_error + tol:\n        return "underfitting"\n',
            ),
        ),
    ),
    _mutant(
        "diagnose-underfitting-not-strict",
        STOPPING,
        _sub(
            STOPPING_OK,
            ("if train_error > target_error + tol:", "if train_error >= target_error + tol:"),
        ),
    ),
    _mutant(
        "best-epoch-one-based",
        STOPPING,
        _sub(STOPPING_OK, ("    return best_at\n", "    return best_at + 1\n")),
    ),
    _mutant(
        "best-epoch-last-epoch-run",
        STOPPING,
        _sub(
            STOPPING_OK,
            (
                '    best, best_at, waited = float("inf"), 0, 0\n    for epoch, loss',
                '    best, best_at, waited, epoch = float("inf"), 0, 0, 0\n    for epoch, loss',
            ),
            ("    return best_at\n", "    return epoch\n"),
        ),
    ),
    _mutant(
        "best-epoch-minimum-of-whole-list",  # patience ignored
        STOPPING,
        _sub(STOPPING_OK, ("    return best_at\n", "    return int(np.argmin(val_losses))\n")),
    ),
    _mutant(
        "best-epoch-patience-one-late",
        STOPPING,
        _sub(STOPPING_OK, ("if waited >= patience:", "if waited > patience:")),
    ),
    _mutant(
        "best-epoch-patience-one-early",
        STOPPING,
        _sub(STOPPING_OK, ("if waited >= patience:", "if waited >= patience - 1:")),
    ),
    _mutant(
        "best-epoch-patience-from-first-epoch",  # the count never goes back to 0
        STOPPING,
        _sub(
            STOPPING_OK, ("best, best_at, waited = loss, epoch, 0", "best, best_at = loss, epoch")
        ),
    ),
    _mutant(
        "best-epoch-min-delta-ignored",
        STOPPING,
        _sub(STOPPING_OK, ("if loss < best - min_delta:", "if loss < best:")),
    ),
    _mutant(
        "best-epoch-ties-keep-the-last",
        STOPPING,
        _sub(STOPPING_OK, ("if loss < best - min_delta:", "if loss <= best - min_delta:")),
    ),
]

VARIANTS = [
    {
        "name": "legacy-global-numpy-and-loops",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if p < 0 or p >= 1:
        raise ValueError("p is a probability of dropping, 0 <= p < 1")
    if not train:
        return x, None
    np.random.seed(seed)  # CS231n's way: the global generator, reseeded
    keep = np.random.rand(*np.shape(x)) < 1 - p
    return x * keep / (1 - p), (keep, p)


def dropout_backward(dout, cache):
    if cache is None:
        return dout
    keep, p = cache
    return dout * keep / (1 - p)
""",
            DECAY: """
def l2_penalty(params, lam):
    total = 0.0
    grads = {}
    for name in params:
        w = np.asarray(params[name], dtype=np.float64)
        if name[0] == "w":
            for value in w.ravel():
                total += value * value
            grads[name] = lam * w
        else:
            grads[name] = np.zeros(w.shape)
    return lam / 2 * total, grads


def sgd_step(params, grads, lr, lam):
    out = {}
    for name in params:
        if name[0] == "w":
            out[name] = (1 - lr * lam) * params[name] - lr * grads[name]  # the decay form
        else:
            out[name] = params[name] - lr * grads[name]
    return out
""",
            KFOLD: """
def kfold_indices(n, k, seed):
    if k < 2 or k > n:
        raise ValueError("need 2 <= k <= n")
    order = list(range(n))
    np.random.RandomState(seed).shuffle(order)
    folds, start = [], 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        folds.append(np.array(order[start : start + size]))
        start += size
    return folds
""",
            STANDARDIZE: """
def standardize_fold(x_train, x_val):
    x_train, x_val = np.asarray(x_train, dtype=float), np.asarray(x_val, dtype=float)
    out_train, out_val = np.empty_like(x_train), np.empty_like(x_val)
    for j in range(x_train.shape[1]):
        column = x_train[:, j]
        mean = column.mean()
        std = column.std(ddof=1) if len(column) > 1 else 0.0  # the sample standard deviation
        if std == 0:
            std = 1.0
        out_train[:, j] = (column - mean) / std
        out_val[:, j] = (x_val[:, j] - mean) / std
    return out_train, out_val
""",
            RIDGE: """
def cross_validate_ridge(x, y, folds, lam):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    total = 0.0
    for fold in folds:
        fold = list(fold)
        train = [i for i in range(len(y)) if i not in set(fold)]
        xt, xv = standardize_fold(x[train], x[fold])  # ddof=1 in this variant
        yt = y[train]
        n_t = len(train)
        w = np.linalg.inv(xt.T @ xt / n_t + lam * np.identity(xt.shape[1])) @ (
            xt.T @ (yt - yt.mean()) / n_t
        )
        residuals = xv @ w + yt.mean() - y[fold]
        total += sum(r * r for r in residuals) / len(fold)
    return total / len(folds)
""",
            STOPPING: """
def diagnose(train_error, val_error, target_error, tol):
    underfit = train_error - target_error > tol
    overfit = (val_error - train_error) > tol
    return "underfitting" if underfit else "overfitting" if overfit else "good fit"


def best_epoch(val_losses, patience, min_delta=0.0):
    best_at, since = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_at] - min_delta:
            best_at, since = epoch, 0
        else:
            since += 1
            if since == patience:
                return best_at
    return best_at
""",
        },
    },
    {
        "name": "binomial-masks-and-labels",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if not (0.0 <= p < 1.0):
        raise ValueError(f"drop probability p={p} outside [0, 1)")
    x = np.asarray(x)
    if train:
        keep = np.random.default_rng(seed).binomial(1, 1 - p, size=x.shape)
        scaled = (keep / (1 - p)).astype(x.dtype)
        return x * scaled, scaled
    return x.copy(), None


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache
""",
            KFOLD: """
def kfold_indices(n, k, seed):
    if not isinstance(k, (int, np.integer)) or not 2 <= k <= n:
        raise ValueError("k must be an int with 2 <= k <= n")
    labels = np.random.default_rng(seed).permutation(np.arange(n) % k)  # balanced labels
    return [np.flatnonzero(labels == j) for j in range(k)]
""",
            STANDARDIZE: """
def standardize_fold(x_train, x_val):
    mu = np.mean(x_train, axis=0, keepdims=True)
    sd = np.std(x_train, axis=0, keepdims=True)
    sd[sd == 0] = 1
    return np.divide(x_train - mu, sd), np.divide(x_val - mu, sd)
""",
            RIDGE: """
def cross_validate_ridge(x, y, folds, lam):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    scores = []
    for fold in folds:
        is_val = np.isin(np.arange(len(y)), fold)
        xt, xv = standardize_fold(x[~is_val], x[is_val])
        n_t, d = xt.shape
        y_bar = y[~is_val].mean()
        # ridge as least squares on an augmented system: [X / sqrt(n_t); sqrt(lam) I]
        a = np.vstack([xt / np.sqrt(n_t), np.sqrt(lam) * np.eye(d)])
        rhs = np.concatenate([(y[~is_val] - y_bar) / np.sqrt(n_t), np.zeros(d)])
        w = np.linalg.lstsq(a, rhs, rcond=None)[0]
        scores.append(np.mean(np.square(xv @ w + y_bar - y[is_val])))
    return np.mean(scores)
""",
            STOPPING: """
def diagnose(train_error, val_error, target_error, tol):
    if train_error > tol + target_error:
        verdict = "underfitting"
    elif val_error > train_error + tol:
        verdict = "overfitting"
    else:
        verdict = "good fit"
    return verdict


def best_epoch(val_losses, patience, min_delta=0.0):
    losses = list(val_losses)
    best, waited, epoch = 0, 0, 1
    while epoch < len(losses) and waited < patience:
        if best_loss_beaten := losses[epoch] < losses[best] - min_delta:
            best = epoch
        waited = 0 if best_loss_beaten else waited + 1
        epoch += 1
    return best
""",
        },
    },
    {
        "name": "uniform-draws-other-names-other-fold-order",
        "cells": {
            DROPOUT: """
def dropout_forward(inputs, drop_prob, training, random_seed):
    if drop_prob >= 1 or drop_prob < 0:
        raise ValueError("drop_prob must be in [0, 1)")
    if not training or drop_prob == 0:
        return inputs, {"mask": None}
    generator = np.random.default_rng(random_seed)
    survivors = generator.uniform(size=np.shape(inputs)) >= drop_prob
    return inputs * survivors / (1 - drop_prob), {"mask": survivors, "p": drop_prob}


def dropout_backward(upstream, memo):
    if memo["mask"] is None:
        return upstream
    return upstream * memo["mask"] / (1 - memo["p"])
""",
            KFOLD: """
def kfold_indices(count, folds, random_seed):
    if folds < 2 or folds > count:
        raise ValueError("the number of folds must be between 2 and the number of examples")
    shuffled = np.random.default_rng(random_seed).permutation(count)
    small, extra = divmod(count, folds)
    sizes = [small] * (folds - extra) + [small + 1] * extra  # the big folds last
    bounds = np.cumsum([0, *sizes])
    return [np.sort(shuffled[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])][::-1]
""",
            STANDARDIZE: """
def standardize_fold(train_part, held_out):
    centre = train_part.mean(0)
    spread = train_part.std(0, ddof=1) if len(train_part) > 1 else np.zeros(train_part.shape[1])
    spread = np.where(spread == 0, 1, spread)
    return (train_part - centre) / spread, (held_out - centre) / spread
""",
            DECAY: """
def l2_penalty(weights_and_biases, strength):
    decayed = {k: v for k, v in weights_and_biases.items() if k.startswith("w")}
    value = strength / 2 * sum(float(np.vdot(v, v)) for v in decayed.values())
    return value, {
        k: strength * v if k in decayed else 0 * v for k, v in weights_and_biases.items()
    }


def sgd_step(current, gradients, step_size, strength):
    return {
        k: v - step_size * (gradients[k] + (strength * v if k.startswith("w") else 0))
        for k, v in current.items()
    }
""",
        },
    },
    {
        "name": "float32-masks-and-leq",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if not 0 <= p < 1:
        raise ValueError("p")
    if not train:
        return x, ("eval",)
    rng = np.random.default_rng(seed)
    keep = rng.random(x.shape, dtype=np.float32) <= np.float32(1 - p)
    out = np.where(keep, x / x.dtype.type(1 - p), x.dtype.type(0))
    return out, ("train", keep, p)


def dropout_backward(dout, cache):
    if cache[0] == "eval":
        return dout
    _, keep, p = cache
    return np.where(keep, dout / (1 - p), 0.0)
""",
            KFOLD: """
def kfold_indices(n, k, seed):
    if k not in range(2, n + 1):
        raise ValueError(f"k={k} must satisfy 2 <= k <= n={n}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    return [order[i::k] for i in range(k)]  # strided: sizes still differ by at most one
""",
            RIDGE: """
def cross_validate_ridge(x, y, folds, lam):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    fold_mse = []
    for i in range(len(folds)):
        val_idx = np.asarray(folds[i])
        train_idx = np.concatenate([np.asarray(f) for j, f in enumerate(folds) if j != i])
        xt, xv = standardize_fold(x[train_idx], x[val_idx])
        yt = y[train_idx]
        gram = np.einsum("nd,ne->de", xt, xt) / len(yt) + lam * np.eye(xt.shape[1])
        chol = np.linalg.cholesky(gram)
        rhs = xt.T @ (yt - yt.mean()) / len(yt)
        w = np.linalg.solve(chol.T, np.linalg.solve(chol, rhs))
        fold_mse.append(((xv @ w + yt.mean() - y[val_idx]) ** 2).mean())
    return sum(fold_mse) / len(fold_mse)
""",
        },
    },
    {
        "name": "cs231n-style-randomstate-and-decay-factor",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if p >= 1.0 or p < 0.0:
        raise ValueError("dropout: p must be a drop probability in [0, 1)")
    mask = None
    out = x
    if train:
        mask = (np.random.RandomState(seed).rand(*x.shape) < (1 - p)) / (1 - p)
        out = (x * mask).astype(x.dtype, copy=False)
    return out, mask


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache
""",
            DECAY: """
def l2_penalty(params, lam):
    weights = [np.asarray(v, dtype=np.float64) for k, v in params.items() if k.startswith("w")]
    value = 0.5 * lam * sum(np.linalg.norm(w) ** 2 for w in weights)
    grads = {k: lam * v if k.startswith("w") else np.zeros_like(v) for k, v in params.items()}
    return float(value), grads


def sgd_step(params, grads, lr, lam):
    new = {k: np.array(v, copy=True) for k, v in params.items()}
    for k in new:
        if k.startswith("w"):
            new[k] *= 1 - lr * lam  # shrink first: weight decay
        new[k] -= lr * grads[k]
    return new
""",
            STOPPING: """
def diagnose(train_error, val_error, target_error, tol):
    return (
        "underfitting"
        if train_error > target_error + tol
        else ("overfitting" if val_error - train_error > tol else "good fit")
    )


def best_epoch(val_losses, patience, min_delta=0.0):
    best = None
    bad_epochs = 0
    for epoch, loss in enumerate(val_losses):
        if best is None or loss < val_losses[best] - min_delta:
            best = epoch
            bad_epochs = 0
            continue
        bad_epochs += 1
        if bad_epochs >= patience:
            break
    return int(best)
""",
        },
    },
    {
        "name": "standardize-ddof1-and-ridge-reusing-it",
        "cells": {
            STANDARDIZE: """
def standardize_fold(x_train, x_val):
    m = x_train.mean(axis=0)
    s = x_train.std(axis=0, ddof=1)
    s = np.where(np.isclose(s, 0.0, atol=0.0) | ~np.isfinite(s), 1.0, s)
    return (x_train - m) / s, (x_val - m) / s
""",
            RIDGE: """
def cross_validate_ridge(x, y, folds, lam):
    errs = []
    for fold in map(np.asarray, folds):
        train = np.setdiff1d(np.arange(len(y)), fold)
        xt, xv = standardize_fold(x[train], x[fold])
        b = np.mean(y[train])
        gram = xt.T @ xt + lam * len(train) * np.eye(xt.shape[1])  # the sum convention
        w = np.linalg.solve(gram, xt.T @ (y[train] - b))
        errs.append(np.mean((xv @ w + b - y[fold]) ** 2))
    return float(np.mean(errs))
""",
            KFOLD: """
def kfold_indices(n, k, seed):
    if not 2 <= k <= n:
        raise ValueError("2 <= k <= n")
    order = np.random.default_rng(seed).permutation(n)
    cuts = np.linspace(0, n, k + 1).round().astype(int)  # sizes differ by at most one
    return [order[a:b].tolist() for a, b in zip(cuts[:-1], cuts[1:])]
""",
        },
    },
    {
        "name": "dropout-cache-dict-and-strict-keep",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if not 0.0 <= float(p) < 1.0:
        raise ValueError("p must lie in [0, 1)")
    x = np.array(x, copy=True)
    if not train:
        return x, {"train": False}
    keep = np.random.default_rng(seed).random(size=x.shape) < 1.0 - p
    x[~keep] = 0
    x[keep] /= 1 - p
    return x, {"train": True, "keep": keep, "scale": 1 / (1 - p)}


def dropout_backward(dout, cache):
    if not cache["train"]:
        return dout
    return np.where(cache["keep"], dout * cache["scale"], 0)
""",
            KFOLD: """
def kfold_indices(n, k, seed):
    if k < 2:
        raise ValueError("k-fold needs k >= 2")
    if k > n:
        raise ValueError("more folds than examples")
    idx = np.random.default_rng(seed).permutation(n)
    q, r = divmod(n, k)
    starts = [i * q + min(i, r) for i in range(k + 1)]
    return np.split(idx, starts[1:-1])
""",
        },
    },
    {
        "name": "einsum-penalty-and-update-copies",
        "cells": {
            DECAY: """
def l2_penalty(params, lam):
    names = [k for k in params if k.startswith("w")]
    value = lam * 0.5 * sum(float(np.einsum("ij,ij->", params[k], params[k])) for k in names)
    grads = {k: np.zeros(np.shape(v)) for k, v in params.items()}
    grads.update({k: lam * np.asarray(params[k]) for k in names})
    return value, grads


def sgd_step(params, grads, lr, lam):
    new = dict(params)  # a new dict; the arrays in it are replaced, never changed
    for k, v in params.items():
        decay = lam * v if k.startswith("w") else np.zeros_like(v)
        new[k] = v - lr * grads[k] - lr * decay
    return new
""",
            STOPPING: """
def diagnose(train_error, val_error, target_error, tol):
    gap = val_error - train_error
    match (train_error > target_error + tol, gap > tol):
        case (True, _):
            return "underfitting"
        case (False, True):
            return "overfitting"
        case _:
            return "good fit"


def best_epoch(val_losses, patience, min_delta=0.0):
    losses = np.asarray(val_losses, dtype=float)
    best, last_better = 0, 0
    for t in range(1, len(losses)):
        if t - last_better > patience:
            break
        if losses[t] < losses[best] - min_delta:
            best = last_better = t
    return best
""",
        },
    },
    {
        "name": "float32-standardize-and-inverse-ridge",
        "cells": {
            STANDARDIZE: """
def standardize_fold(x_train, x_val):
    x_train, x_val = np.asarray(x_train), np.asarray(x_val)
    mean = np.mean(x_train, axis=0, dtype=np.float64)
    var = np.mean((x_train - mean) ** 2, axis=0)
    std = np.sqrt(var)
    std[std == 0] = 1.0
    dtype = np.result_type(x_train.dtype, np.float32)
    return ((x_train - mean) / std).astype(dtype), ((x_val - mean) / std).astype(dtype)
""",
            RIDGE: """
def cross_validate_ridge(x, y, folds, lam):
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(y)
    total = 0.0
    for fold in folds:
        fold = np.asarray(fold, dtype=np.int64)
        keep = np.ones(n, bool)
        keep[fold] = False
        mu, sd = x[keep].mean(0), x[keep].std(0)
        sd[sd == 0] = 1
        zt, zv = (x[keep] - mu) / sd, (x[fold] - mu) / sd
        yt = y[keep]
        a = zt.T @ zt / keep.sum() + lam * np.eye(x.shape[1])
        w = np.linalg.inv(a) @ zt.T @ (yt - yt.mean()) / keep.sum()
        total += np.mean((zv @ w + yt.mean() - y[fold]) ** 2)
    return total / len(folds)
""",
        },
    },
    {
        "name": "rng-integers-masks-and-index-lists",
        "cells": {
            DROPOUT: """
def dropout_forward(x, p, train, seed):
    if p < 0 or not p < 1:
        raise ValueError(f"expected 0 <= p < 1, got {p}")
    if not train or p == 0:
        return x, None
    rng = np.random.default_rng(seed)
    dropped = rng.uniform(0.0, 1.0, size=np.shape(x)) < p
    scale = np.asarray(1 / (1 - p), dtype=np.asarray(x).dtype)
    return np.where(dropped, np.zeros_like(x), x * scale), np.where(dropped, 0, scale)


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache
""",
            STANDARDIZE: """
def standardize_fold(x_train, x_val):
    stats = [(col.mean(), col.std()) for col in np.asarray(x_train, dtype=float).T]
    mu = np.array([m for m, _ in stats])
    sigma = np.array([s if s > 0 else 1.0 for _, s in stats])
    return (np.asarray(x_train) - mu) / sigma, (np.asarray(x_val) - mu) / sigma
""",
            STOPPING: """
def diagnose(train_error, val_error, target_error, tol):
    if train_error - tol > target_error:
        return "underfitting"
    return "overfitting" if val_error > tol + train_error else "good fit"


def best_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best, stale = None, 0, 0
    for i, v in enumerate(val_losses):
        improved = best_loss is None or v < best_loss - min_delta
        best_loss, best, stale = (v, i, 0) if improved else (best_loss, best, stale + 1)
        if stale == patience:
            break
    return best
""",
        },
    },
]
