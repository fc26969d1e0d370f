"""Gradient checking: analytic gradients against centred finite differences.

The centred difference (f(θ + h) − f(θ − h)) / 2h has error O(h²) (the one-sided one
O(h)). Its rounding error is about ``ε·|f|/h``, so it needs float64 (machine epsilon
ε ≈ 2.2e-16); in float32 (ε ≈ 1.2e-7) it is no check at all. Two relative errors are
reported, both with a floor so that two tiny gradients do not count as far apart:

- elementwise: ``max |a − n| / max(|a| + |n|, floor)``, the worst single entry;
- norm-based: ‖a − n‖ / max(‖a‖ + ‖n‖, floor), the whole array at once.

The floor is raised to the finite difference's own rounding noise: each numerical
entry is uncertain by about ``100·ε·|f|/h`` in absolute terms (f is a sum of many terms, each
rounded, and its terms can be much larger than f), so an entry far below that cannot be
resolved relatively. With floor ≥ noise/tol, an entry passes
when it is relatively close *or* within the noise.

Near a kink (ReLU at 0, hard-tanh at ±1, maxout's ties) the finite difference straddles a
corner and disagrees with the one-sided analytic derivative: that is not a bug. The checks
warn with :class:`KinkWarning` when an input sits that close to one.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_rng
from .losses import get_loss
from .regularization import add_weight_decay, l2_penalty

__all__ = [
    "GradCheckReport",
    "KinkWarning",
    "check_layer",
    "check_loss",
    "check_model",
    "norm_relative_error",
    "numerical_gradient",
    "relative_error",
]


class KinkWarning(UserWarning):
    """An input is within the finite-difference step of a non-differentiable point."""


def relative_error(a, b, floor: float = 1e-8) -> float:
    """Worst elementwise relative error ``max |a − b| / max(|a| + |b|, floor)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected shape {a.shape}, got {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def norm_relative_error(a, b, floor: float = 1e-8) -> float:
    """Norm-based relative error ‖a − b‖ / max(‖a‖ + ‖b‖, floor)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected shape {a.shape}, got {b.shape}")
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), floor)
    return float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5, *, scale: list | None = None):
    """Centred-difference gradient of the scalar function ``f()`` w.r.t. the array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored; ``f`` takes no
    arguments and reads ``x`` (for example through a layer that holds it).

    ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h

    If ``scale`` is a list, the largest ``|f|`` seen is appended to it (for the noise floor).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"x: gradient checks need a float64 array, got {got}; float32 rounding "
            "error swamps the finite difference (build layers with dtype=np.float64)"
        )
    grad = np.zeros_like(x)
    largest = 0.0
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
        largest = max(largest, abs(f_plus), abs(f_minus))
    if scale is not None:
        scale.append(largest)
    return grad


@dataclass(frozen=True)
class GradCheckRow:
    """One array's result: its name, shape, both relative errors, and the verdict."""

    name: str
    shape: tuple
    elementwise_error: float
    norm_error: float
    passed: bool


@dataclass
class GradCheckReport:
    """Per-array results of a gradient check, printable as a table."""

    rows: list[GradCheckRow] = field(default_factory=list)
    tol: float = 1e-7
    near_kink: bool = False

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def worst(self) -> float:
        return max((r.elementwise_error for r in self.rows), default=0.0)

    def __getitem__(self, name: str) -> GradCheckRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def __str__(self) -> str:
        lines = [f"{'array':<12}{'shape':<16}{'elementwise':>13}{'norm':>11}  verdict"]
        for r in self.rows:
            verdict = "ok" if r.passed else "FAIL"
            lines.append(
                f"{r.name:<12}{r.shape!s:<16}{r.elementwise_error:>13.2e}"
                f"{r.norm_error:>11.2e}  {verdict}"
            )
        if self.near_kink:
            lines.append("(an input is near a kink: a failure there is not a bug)")
        return "\n".join(lines)

    def _add(self, name, analytic, f, x, h, floor):
        """Compare ``analytic`` with the numerical gradient of f w.r.t. x."""
        scale: list[float] = []
        numeric = numerical_gradient(f, x, h, scale=scale)
        noise = 100 * np.finfo(np.float64).eps * max(scale, default=0.0) / h
        floor = max(floor, noise / self.tol)
        err = relative_error(analytic, numeric, floor)
        norm = norm_relative_error(analytic, numeric, floor)
        self.rows.append(GradCheckRow(name, np.shape(analytic), err, norm, err < self.tol))


def _layers(layer):
    return list(getattr(layer, "layers", [layer]))


@contextlib.contextmanager
def _frozen_randomness(layer):
    """Restore every ``rng`` of the layers before each call, so dropout draws one mask."""
    gens = [
        (l.rng, l.rng.bit_generator.state)
        for l in _layers(layer)
        if isinstance(getattr(l, "rng", None), np.random.Generator)
    ]

    def reset():
        for gen, state in gens:
            gen.bit_generator.state = state

    yield reset
    reset()


def _check_float64(layer) -> None:
    for name, p in layer.params.items():
        if p.dtype != np.float64:
            raise TypeError(
                f"{name}: gradient checks need float64 parameters, got {p.dtype} "
                "(build the layer with dtype=np.float64)"
            )


def _warn_kinks(layer, x, margin: float) -> bool:
    """Walk the layers forward from ``x``; warn if an input is within ``margin`` of a kink."""
    near = False
    for sub in _layers(layer):
        dist = sub.kink_distance(x)
        if dist is not None and dist.size and float(np.min(dist)) < margin:
            near = True
            warnings.warn(
                f"{sub!r}: an input is {float(np.min(dist)):.1e} from a kink (margin "
                f"{margin:.1e}); a finite difference there is wrong by design, not a bug",
                KinkWarning,
                stacklevel=3,
            )
        x = sub.forward(x)
    return near


def check_layer(
    layer,
    x,
    *,
    rng=0,
    h: float = 1e-5,
    tol: float = 1e-7,
    floor: float = 1e-8,
    kink_margin: float | None = None,
) -> GradCheckReport:
    """Check a layer's ``backward`` (dx and every parameter gradient) numerically.

    The scalar checked is f = Σ out ⊙ dout for a fixed random ``dout``, whose gradient
    w.r.t. x is exactly what ``backward(dout)`` must return. Dropout-like layers are
    checked with their random mask held fixed.

    Parameters
    ----------
    layer : Layer
        In float64.
    x : ndarray of shape (N, D), float64
    rng : numpy.random.Generator or int
        Draws ``dout``.
    h, tol, floor : float
        Step, pass threshold on the elementwise relative error, and its floor.
    kink_margin : float, optional
        Warn when an input is closer than this to a kink (default 10·h: perturbing an
        upstream weight by h moves a pre-activation by ``h·|a|``).
    """
    _check_float64(layer)
    x = np.array(as_float_array(x, "x", np.float64))
    report = GradCheckReport(tol=tol)
    with _frozen_randomness(layer) as reset:
        reset()
        report.near_kink = _warn_kinks(layer, x, 10 * h if kink_margin is None else kink_margin)
        reset()
        out = layer.forward(x)
        dout = check_rng(rng).standard_normal(np.shape(out))
        dx = layer.backward(dout)
        analytic = {k: g.copy() for k, g in layer.grads.items()}

        def f():
            reset()
            return float(np.sum(layer.forward(x) * dout))

        report._add("x", dx, f, x, h, floor)
        for name, p in layer.params.items():
            report._add(name, analytic[name], f, p, h, floor)
    return report


def check_loss(
    loss, scores, y, *, h: float = 1e-5, tol: float = 1e-7, floor: float = 1e-8
) -> GradCheckReport:
    """Check the gradient a loss returns w.r.t. its first input (``scores``)."""
    loss_fn = get_loss(loss)
    scores = np.array(as_float_array(scores, "scores", np.float64))
    _, analytic = loss_fn(scores, y)
    report = GradCheckReport(tol=tol)
    report._add("scores", analytic, lambda: loss_fn(scores, y)[0], scores, h, floor)
    return report


def check_model(
    model,
    x,
    y,
    loss,
    *,
    weight_decay: float = 0.0,
    h: float = 1e-5,
    tol: float = 1e-7,
    floor: float = 1e-8,
    kink_margin: float | None = None,
) -> GradCheckReport:
    """Check every parameter gradient of a model under a loss (and weight decay).

    The scalar checked is the training objective of :func:`mlpbook.training.train_step`:
    loss(model(x), y) + (λ/2)Σ‖W‖²_F.
    """
    _check_float64(model)
    loss_fn = get_loss(loss)
    x = np.array(as_float_array(x, "x", np.float64))
    report = GradCheckReport(tol=tol)
    with _frozen_randomness(model) as reset:
        reset()
        report.near_kink = _warn_kinks(model, x, 10 * h if kink_margin is None else kink_margin)
        reset()
        _, dscores = loss_fn(model.forward(x), y)
        model.backward(dscores)
        add_weight_decay(model, weight_decay)
        analytic = {k: g.copy() for k, g in model.grads.items()}
        decayed = model.decay_params() if hasattr(model, "decay_params") else {}

        def f():
            reset()
            value = loss_fn(model.forward(x), y)[0]
            return value + l2_penalty(decayed, weight_decay)[0] if weight_decay else value

        for name, p in model.params.items():
            report._add(name, analytic[name], f, p, h, floor)
    return report
