"""L2 (Frobenius-norm) weight decay.

The regularized risk is R = (1/N) Σₙ L(yₙ, ŷₙ) + (λ/2) Σₗ ‖W⁽ˡ⁾‖²_F, with
‖W‖²_F = Σᵢⱼ wᵢⱼ². The ½ makes the penalty's gradient λW, so a gradient step shrinks
each weight by the factor (1 − αλ) before the data's gradient moves it: "weight decay".
Biases are left out by default: they do not multiply the input, so penalizing them
does not make the function smoother, it only shifts it.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["add_weight_decay", "l2_penalty"]


def _check_lam(lam) -> float:
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not lam >= 0:
        raise ValueError(f"lam: expected a number >= 0, got {lam!r}")
    return float(lam)


def l2_penalty(params: dict[str, np.ndarray], lam: float):
    """The penalty (λ/2) Σ ‖W‖²_F over ``params`` and its gradient λW for each.

    Parameters
    ----------
    params : dict of name -> ndarray
        The arrays to penalize (e.g. ``model.decay_params()``: weights only).
    lam : float
        λ ≥ 0.

    Returns
    -------
    value : float
    grads : dict of name -> ndarray, λW for each entry of ``params``
    """
    lam = _check_lam(lam)
    value = 0.5 * lam * sum(float(np.sum(w * w)) for w in params.values())
    return value, {k: lam * w for k, w in params.items()}


def add_weight_decay(model, lam: float, *, include_biases: bool = False) -> float:
    """Add λW to the model's gradients in place and return the penalty (λ/2)Σ‖W‖²_F.

    Call it after ``model.backward`` and before the optimizer's step.
    """
    lam = _check_lam(lam)
    if lam == 0:
        return 0.0
    grads = model.grads
    value = 0.0
    for name, w in model.decay_params(include_biases).items():
        value += 0.5 * lam * float(np.sum(w * w))
        grads[name] += lam * w
    return value
