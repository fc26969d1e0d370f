"""Optimizers with one interface: ``opt.step(params, grads)`` updates ``params`` in place.

``params`` and ``grads`` are dicts with the same keys (a model's ``params`` and
``grads``). An optimizer keeps its state (velocities, moments) per key, so use one
optimizer per model. With learning rate α and gradient g:

- ``SGD``:       θ ← θ − α g
- ``SGD(momentum=μ)`` (heavy ball): v ← μ v + g; θ ← θ − α v
- ``Adam`` (Kingma & Ba, 2015): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
  θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["SGD", "Adam", "Momentum", "Optimizer"]


def _check_rate(value, name: str, *, upper: float | None = None) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= 0
    if ok and upper is not None:
        ok = value < upper
    if not ok:
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{name}: expected a number {bound}, got {value!r}")
    return float(value)


def _axpy(p: np.ndarray, a: float, x: np.ndarray, scratch: np.ndarray) -> None:
    """p += a·x in place, through a reused buffer instead of a fresh temporary."""
    np.multiply(x, a, out=scratch)
    p += scratch


class Optimizer:
    """Base class: subclasses implement ``_update(key, param, grad)``."""

    def __init__(self, lr: float):
        self.lr = _check_rate(lr, "lr")
        self.t = 0
        self._buffers: dict[str, np.ndarray] = {}

    def _scratch(self, key: str, p: np.ndarray) -> np.ndarray:
        # a large temporary per step would be a fresh mmap, and page faults, every time
        buf = self._buffers.get(key)
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = self._buffers[key] = np.empty_like(p)
        return buf

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place using ``grads`` (same keys, shapes)."""
        if params.keys() != grads.keys():
            raise ValueError(
                f"params and grads: expected the same keys, got {sorted(params)} "
                f"and {sorted(grads)}"
            )
        for key, p in params.items():
            if grads[key].shape != p.shape:
                raise ValueError(
                    f"grads[{key!r}]: expected shape {p.shape}, got {grads[key].shape}"
                )
        # all checked before anything moves: a rejected step changes nothing
        self.t += 1
        for key, p in params.items():
            self._update(key, p, grads[key])

    def _update(self, key, p, g):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional heavy-ball momentum μ ∈ [0, 1)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.0):
        super().__init__(lr)
        self.momentum = _check_rate(momentum, "momentum", upper=1.0)
        self.velocity: dict[str, np.ndarray] = {}

    def _update(self, key, p, g):
        if self.momentum == 0:
            _axpy(p, -self.lr, g, self._scratch(key, p))
            return
        v = self.velocity.get(key)
        if v is None:
            v = self.velocity[key] = np.zeros_like(p)
        v *= self.momentum
        v += g
        _axpy(p, -self.lr, v, self._scratch(key, p))

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum})"


class Momentum(SGD):
    """SGD with momentum (default μ = 0.9)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr, momentum)


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba, 2015)."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        super().__init__(lr)
        self.beta1 = _check_rate(beta1, "beta1", upper=1.0)
        self.beta2 = _check_rate(beta2, "beta2", upper=1.0)
        self.eps = _check_rate(eps, "eps")
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def _update(self, key, p, g):
        if key not in self.m:
            self.m[key] = np.zeros_like(p)
            self.v[key] = np.zeros_like(p)
        m, v = self.m[key], self.v[key]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * (g * g)
        step = self.lr * math.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        # ε scaled by the bias correction keeps this identical to m̂ / (√v̂ + ε);
        # Python floats keep float32 parameters in float32.
        eps = self.eps * math.sqrt(1 - self.beta2**self.t)
        p -= step * m / (np.sqrt(v) + eps)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"
