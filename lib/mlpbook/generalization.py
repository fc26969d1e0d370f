"""Generalization experiments of chapter 6: polynomial capacity, ridge fits, dropout views.

- ``ridge_fit``: the linear model x w + b with the L2 penalty (λ/2)‖w‖² (bias free).
- ``polynomial_features`` and ``fit_polynomial``: least squares on the monomials
  1, x, …, x^d, with an optional L2 penalty on every coefficient but the constant,
  the capacity knob (degree) and the weight-decay knob (λ) of the chapter's 1-D demos.
- ``mean_squared_error``: the error the chapter reports, (1/N) Σ (ŷ − y)².
- ``capacity_explorer``: the polynomial fits of every degree, with and without an L2
  penalty, beside their training and validation errors (the capacity dial).
- ``regularization_explorer``: learning curves over precomputed runs (buttons for the
  dropout probability p and the weight decay λ) and, in a second view, one dropout mask
  drawn on a 10 × 10 input.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import as_float_array, check_positive_int, check_probability

__all__ = [
    "capacity_explorer",
    "fit_polynomial",
    "mean_squared_error",
    "polynomial_features",
    "regularization_explorer",
    "ridge_fit",
]


def polynomial_features(x, degree: int) -> np.ndarray:
    """The monomials of ``x`` up to ``degree``.

    Parameters
    ----------
    x : ndarray of shape (N,)
    degree : int
        d ≥ 0.

    Returns
    -------
    ndarray of shape (N, d + 1)
        Column j is x**j (column 0 is all ones).
    """
    x = as_float_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x: expected shape (N,), got {x.shape}")
    degree = check_positive_int(degree, "degree", minimum=0)
    return x[:, None] ** np.arange(degree + 1)


def ridge_fit(x, y, lam: float = 0.0):
    """Weights and bias of the linear model x w + b that minimise the ridge risk.

    .. math:: \\begin{aligned} R(w, b) = {} & \\frac{1}{N}\\sum_n \\tfrac12 (x_n w + b - y_n)^2 \\\\
              & + \\frac{\\lambda}{2} \\lVert w \\rVert^2 \\end{aligned}

    The bias is not penalized, so b = ȳ − x̄w and w solves
    (X̃ᵀX̃/N + λI) w = X̃ᵀ(y − ȳ)/N with X̃ the centred inputs. It is computed as the
    least-squares solution of a stacked system, which stays accurate when X̃ᵀX̃ is
    ill-conditioned (high-degree polynomials).

    Parameters
    ----------
    x : ndarray of shape (N, D)
    y : ndarray of shape (N,)
    lam : float
        λ ≥ 0.

    Returns
    -------
    w : ndarray of shape (D,)
    b : float
    """
    x = as_float_array(x, "x")
    if x.ndim != 2:
        raise ValueError(f"x: expected shape (N, D), got {x.shape}")
    y = as_float_array(y, "y")
    if y.shape != (len(x),):
        raise ValueError(f"y: expected shape ({len(x)},), one target per row of x, got {y.shape}")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not lam >= 0:
        raise ValueError(f"lam: expected a number >= 0, got {lam!r}")
    n, d = x.shape
    x_mean, y_mean = x.mean(axis=0), y.mean()
    rows, rhs = (x - x_mean) / np.sqrt(n), (y - y_mean) / np.sqrt(n)
    if lam > 0:
        rows = np.vstack([rows, np.sqrt(lam) * np.eye(d)])
        rhs = np.concatenate([rhs, np.zeros(d)])
    w = np.linalg.lstsq(rows, rhs, rcond=None)[0]
    return w, float(y_mean - x_mean @ w)


def fit_polynomial(x, y, degree: int, lam: float = 0.0) -> np.ndarray:
    """Coefficients c of the polynomial that minimises the regularized risk.

    .. math:: \\begin{aligned} R(c) = {} & \\frac{1}{N}\\sum_n \\tfrac12 (\\phi(x_n) c - y_n)^2 \\\\
              & + \\frac{\\lambda}{2} \\sum_{j \\ge 1} c_j^2 \\end{aligned}

    with φ(x) = (1, x, …, x^d): ``ridge_fit`` on the monomials x, …, x^d, whose bias is
    the constant c₀ (not penalized).

    Parameters
    ----------
    x, y : ndarray of shape (N,)
    degree : int
    lam : float
        λ ≥ 0.

    Returns
    -------
    ndarray of shape (degree + 1,)
        c₀, c₁, …, c_d; predict with ``polynomial_features(x, degree) @ c``.
    """
    phi = polynomial_features(x, degree)
    if degree == 0:
        y = as_float_array(y, "y")
        if y.shape != (len(phi),):
            raise ValueError(f"y: expected shape ({len(phi)},), like x, got {y.shape}")
        return np.array([y.mean()])
    w, b = ridge_fit(phi[:, 1:], y, lam)
    return np.concatenate([[b], w])


def mean_squared_error(y_pred, y) -> float:
    """(1/N) Σₙ (ŷₙ − yₙ)² for arrays of the same shape (no ½: an error, not a loss)."""
    y_pred, y = as_float_array(y_pred, "y_pred"), as_float_array(y, "y")
    if y_pred.shape != y.shape:
        raise ValueError(f"y: expected shape {y_pred.shape}, like y_pred, got {y.shape}")
    return float(np.mean((y_pred - y) ** 2))


def capacity_explorer(
    x_train, y_train, x_val, y_val, *, max_degree=15, lams=(0.0, 1e-2), target=None
):
    """The polynomial fit of each degree and penalty, beside its errors against the degree.

    Every fit is computed once, here: the explorer only draws.

    Parameters
    ----------
    x_train, y_train : ndarray of shape (N,)
        The points the polynomials are fitted to (``fit_polynomial``).
    x_val, y_val : ndarray of shape (M,)
        Fresh points of the same distribution: the validation error.
    max_degree : int
        Degrees 0 to ``max_degree`` (at most N - 1) are offered.
    lams : sequence of float
        The L2 penalties offered (λ ≥ 0, distinct), buttons in this order.
    target : callable, optional
        The noise-free function, drawn in black if given.

    Returns
    -------
    mlpbook.widgets.Explorer
        Controls ``degree`` (a slider) and ``lam`` (buttons).
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    x_train, y_train = as_float_array(x_train, "x_train"), as_float_array(y_train, "y_train")
    x_val, y_val = as_float_array(x_val, "x_val"), as_float_array(y_val, "y_val")
    for name, x, y in (("train", x_train, y_train), ("val", x_val, y_val)):
        if x.ndim != 1 or y.shape != x.shape or len(x) == 0:
            raise ValueError(
                f"x_{name}, y_{name}: expected two arrays of the same shape (N,), N >= 1;"
                f" got {x.shape} and {y.shape}"
            )
    max_degree = check_positive_int(max_degree, "max_degree", minimum=0)
    if max_degree >= len(x_train):
        raise ValueError(
            f"max_degree: expected at most N - 1 = {len(x_train) - 1} (a polynomial of degree"
            f" N - 1 already passes through the N points), got {max_degree}"
        )
    lams = tuple(lams)
    if (
        not lams
        or len(set(lams)) != len(lams)
        or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) and v >= 0 for v in lams)
    ):
        raise ValueError(f"lams: expected distinct numbers >= 0, got {lams!r}")
    if target is not None and not callable(target):
        raise ValueError(f"target: expected a function of x or None, got {target!r}")

    degrees = np.arange(max_degree + 1)
    x_plot = np.linspace(min(x_train.min(), x_val.min()), max(x_train.max(), x_val.max()), 300)
    fits, errors = {}, {}
    for lam in lams:
        for d in degrees:
            c = fit_polynomial(x_train, y_train, int(d), lam)
            fits[lam, d] = polynomial_features(x_plot, int(d)) @ c
            errors[lam, d] = tuple(
                mean_squared_error(polynomial_features(x, int(d)) @ c, y)
                for x, y in ((x_train, y_train), (x_val, y_val))
            )
    span = y_train.max() - y_train.min()
    y_lim = (y_train.min() - 0.3 * span, y_train.max() + 0.3 * span)
    e_all = np.array(list(errors.values()))
    e_lim = (0.5 * e_all.min(), 2.0 * e_all.max())

    controls = {
        "degree": widgets.IntSlider(
            value=min(3, max_degree), min=0, max=max_degree, description="degree d"
        ),
        "lam": widgets.ToggleButtons(
            options=[(f"{lam:g}", lam) for lam in lams],
            value=lams[0],
            description="penalty λ",
            style={"description_width": "initial"},
        ),
    }

    def draw(fig, degree, lam):
        d = int(degree)
        left, right = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.88, wspace=0.28)
        left.plot(x_val, y_val, ".", ms=1.5, color="0.75", label="validation points")
        if target is not None:
            left.plot(x_plot, target(x_plot), "k", lw=1, label="target")
        left.plot(x_plot, fits[lam, d], "C3", lw=1.5, label=f"degree {d}")
        left.plot(x_train, y_train, "o", ms=3.5, color="C0", label="training points")
        left.set_ylim(*y_lim)
        left.set_xlabel("x")
        left.legend(fontsize=7, loc="upper left", ncol=2)
        e = np.array([errors[lam, k] for k in degrees])
        right.semilogy(degrees, e[:, 0], "o-", ms=3, label="training")
        right.semilogy(degrees, e[:, 1], "s--", ms=3, label="validation")
        right.plot([d, d], e[d], "k|", ms=12)
        right.axvline(d, color="0.6", lw=0.8)
        right.set_ylim(*e_lim)
        right.set_xlabel("degree d")
        right.set_ylabel("mean squared error")
        right.legend(fontsize=7, loc="upper left")
        fig.suptitle(
            f"degree {d}, λ = {lam:g}: training {errors[lam, d][0]:.3g},"
            f" validation {errors[lam, d][1]:.3g}",
            fontsize=10,
        )

    return Explorer(controls, draw, figsize=(7.5, 3.4), web_values={"degree": tuple(degrees)})


def _nearest(values, v):
    values = sorted(values)
    return min(values, key=lambda u: abs(u - v))


def regularization_explorer(runs, *, mask_seed: int = 0):
    """Learning curves of precomputed runs, and one dropout mask, behind two views.

    Parameters
    ----------
    runs : dict
        ``{(p, lam, seed): history}`` where ``history`` has lists ``loss`` and
        ``val_loss`` (a ``mlpbook.History``); it must contain (0.0, 0.0, seed) for
        each seed (the unregularized reference drawn in grey).
    mask_seed : int
        Seeds the mask drawn in the "one dropout mask" view.

    Returns
    -------
    mlpbook.widgets.Explorer
        Controls ``view`` ("learning curves" or "one dropout mask"), ``p`` and ``lam``.
        ``p`` and ``lam`` offer only the values that were run; λ is disabled in the mask view.
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs: expected a non-empty dict {(p, lam, seed): history}")
    ps = sorted({key[0] for key in runs})
    lams = sorted({key[1] for key in runs})
    seeds = sorted({key[2] for key in runs})
    for p in ps:
        check_probability(p, "p")
    missing = [(p, lam, s) for p in ps for lam in lams for s in seeds if (p, lam, s) not in runs]
    if missing or 0.0 not in ps or 0.0 not in lams:
        raise ValueError(
            "runs: expected every (p, lam, seed) combination, including p = 0 and lam = 0;"
            f" missing {missing[:3] or 'p = 0 or lam = 0'}"
        )
    x_mask = np.linspace(0.2, 1.0, 100).reshape(10, 10)  # a 10 x 10 input, rows of examples
    style = {"description_width": "initial"}
    controls = {
        "view": widgets.Dropdown(
            options=("learning curves", "one dropout mask"), description="view"
        ),
        # buttons, not sliders: only the trained values exist (a slider would snap between them)
        "p": widgets.ToggleButtons(
            options=[(f"{p:g}", p) for p in ps], value=0.0, description="dropout p", style=style
        ),
        "lam": widgets.ToggleButtons(
            options=[(f"{lam:g}", lam) for lam in lams],
            value=0.0,
            description="weight decay λ",
            style=style,
        ),
    }

    def draw_curves(fig, p, lam):
        ax = fig.add_subplot()
        best = []
        for i, seed in enumerate(seeds):
            ref, h = runs[0.0, 0.0, seed], runs[p, lam, seed]
            epochs = np.arange(1, len(h.loss) + 1)
            labels = ("val, no reg.", "training loss", "validation loss") if i == 0 else (None,) * 3
            if (p, lam) != (0.0, 0.0):
                ax.plot(epochs, ref.val_loss, color="0.6", lw=1, label=labels[0])
            ax.plot(epochs, h.loss, color="C0", lw=1, label=labels[1])
            ax.plot(epochs, h.val_loss, color="C3", lw=1.3, label=labels[2])
            k = int(np.argmin(h.val_loss))
            ax.plot(k + 1, h.val_loss[k], "ko", ms=4)
            best.append(h.val_loss[k])
        ax.set_yscale("log")
        ax.set_ylim(1e-4, 3)
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy")
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title(
            f"p = {p:g}, λ = {lam:g}: best validation loss {min(best):.3f}–{max(best):.3f}"
            f" ({len(seeds)} seeds)",
            fontsize=10,
        )

    def draw_mask(fig, p):
        keep = np.random.default_rng(mask_seed).random(x_mask.shape) >= p
        out = x_mask * keep / (1.0 - p)
        panels = ((x_mask, "input x"), (keep, "mask (white: kept)"), (out, "output"))
        for i, (a, title) in enumerate(panels):
            ax = fig.add_subplot(1, 3, i + 1)
            ax.imshow(a, cmap="gray", vmin=0, vmax=2.0 if i != 1 else 1.0)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=9)
        fig.suptitle(
            f"p = {p:g}: {np.mean(~keep):.0%} dropped, survivors × 1/(1 − p) = {1 / (1 - p):.2f};"
            f" mean {x_mask.mean():.2f} → {out.mean():.2f}",
            fontsize=10,
        )

    def draw(fig, view, p, lam):
        p, lam = _nearest(ps, p), _nearest(lams, lam)
        controls["lam"].disabled = view != "learning curves"
        if view == "learning curves":
            draw_curves(fig, p, lam)
        else:
            draw_mask(fig, p)

    web_values = {"p": tuple(ps), "lam": tuple(lams)}
    return Explorer(controls, draw, figsize=(6.5, 3.9), web_values=web_values)
