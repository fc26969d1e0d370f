"""Checks of random output: moments within k standard errors, support, a fraction, and
reproducibility from a seed.

A correct sampler must pass whatever way it draws (``default_rng``, legacy ``RandomState``,
``normal(0, s)`` or ``standard_normal() * s``, ``rand() < q`` or ``binomial``), so no check
compares drawn values with the test's own draws. Each statistic is compared with its
expected value within ``k`` standard errors (6 by default: a correct sampler fails with a
probability of about 2e-9 per statistic), the standard error estimated from the sample
itself through the statistic's influence function (for the variance, from the sample's
fourth moment). Use at least 40,000 draws so that wrong distributions are caught.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import numpy as np

from ._text import fail, fmt
from .calling import _call, _name


def _sample(sample, *, call: str, what: str) -> np.ndarray:
    arr = None
    with contextlib.suppress(TypeError, ValueError):
        arr = np.asarray(sample, dtype=np.float64).ravel()
    if arr is None or sample is None or arr.size < 2:
        raise fail(f"{call} returned {_of(what)}{fmt(sample)}: expected an array of numbers.")
    if not np.all(np.isfinite(arr)):
        raise fail(f"{call} returned {_of(what)}an array with nan or inf: {fmt(sample)}.")
    return arr


def _of(what: str) -> str:
    return f"{what} = " if what else ""


def _statistics(x: np.ndarray) -> dict[str, tuple[float, float]]:
    """Each statistic of the sample with its standard error (by its influence function)."""
    n = x.size
    d = x - x.mean()
    m2, m3, m4 = (float(np.mean(d**k)) for k in (2, 3, 4))
    influence = {
        "mean": d,
        "var": d**2 - m2,
        "std": (d**2 - m2) / (2 * np.sqrt(m2)) if m2 > 0 else np.zeros(n),
    }
    if m2 > 0:
        i2 = d**2 - m2
        i4 = d**4 - m4 - 4 * m3 * d
        influence["kurtosis"] = i4 / m2**2 - 2 * m4 * i2 / m2**3
    values = {
        "mean": float(x.mean()),
        "var": m2,
        "std": float(np.sqrt(m2)),
        "kurtosis": m4 / m2**2 if m2 > 0 else float("nan"),
    }
    return {k: (values[k], float(np.sqrt(np.mean(influence[k] ** 2) / n))) for k in influence}


_NAMES = {"mean": "mean", "var": "variance", "std": "standard deviation", "kurtosis": "kurtosis"}


def check_moments(
    sample,
    *,
    call: str,
    what: str = "",
    mean: float | None = None,
    var: float | None = None,
    std: float | None = None,
    kurtosis: float | None = None,
    mistakes: Mapping[str, Mapping[str, float]] | None = None,
    k: float = 6.0,
) -> None:
    """Check the sample's mean, variance, standard deviation and kurtosis (those given).

    Parameters
    ----------
    sample : array_like
        Draws from the student's sampler, all entries treated as one sample.
    call, what : str
        The call that produced it (from `run`) and the name of the value, for messages.
    mean, var, std, kurtosis : float, optional
        The expected values. Kurtosis is ``E[(x - μ)⁴] / σ⁴``: 1.8 for a uniform
        distribution, 3 for a normal one.
    mistakes : dict of {hint: {statistic: value}}, optional
        The statistics a known mistake gives (``{"var": 1 / 3}``); its hint opens the
        message when the sample is consistent with every one of them.
    k : float
        How many standard errors a statistic may be off.
    """
    x = _sample(sample, call=call, what=what)
    stats = _statistics(x)
    wanted = {"mean": mean, "var": var, "std": std, "kurtosis": kurtosis}

    def fits(name: str, value: float) -> bool:
        got, se = stats[name]
        return abs(got - value) <= k * se + 1e-12 * max(1.0, abs(value))

    for name, value in wanted.items():
        if value is None or fits(name, value):
            continue
        got, se = stats[name]
        hint = next(
            (h for h, m in (mistakes or {}).items() if all(fits(s, v) for s, v in m.items())),
            "",
        )
        raise fail(
            f"{call} returned {_of(what)}{fmt(sample)}: its {_NAMES[name]} is {got:.4g}, "
            f"expected {value:.4g} (give or take {k:g} standard errors of {se:.2g}, over "
            f"{x.size} values).",
            hint=hint,
        )


def check_support(
    sample,
    *,
    call: str,
    what: str = "",
    low: float | None = None,
    high: float | None = None,
    values=None,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Check that every entry lies in ``[low, high]`` (the bounds given), or is one of
    ``values`` (within tolerance, e.g. ``{0, 1 / (1 - p)}`` for a dropout mask)."""
    x = np.asarray(_sample(sample, call=call, what=what))
    bad = np.zeros(x.shape, dtype=bool)
    if low is not None:
        bad |= x < low - atol - rtol * abs(low)
    if high is not None:
        bad |= x > high + atol + rtol * abs(high)
    if values is not None:
        allowed = np.asarray(sorted(values), dtype=np.float64)
        near = np.isclose(x[:, None], allowed[None, :], rtol=rtol, atol=atol)
        bad |= ~near.any(axis=1)
    if not bad.any():
        return
    first = int(np.argmax(bad))
    if values is not None:
        where = "one of " + ", ".join(fmt(v) for v in sorted(values))
    else:
        where = {
            (True, True): f"between {fmt(low)} and {fmt(high)}",
            (True, False): f"at least {fmt(low)}",
            (False, True): f"at most {fmt(high)}",
        }[(low is not None, high is not None)]
    raise fail(
        f"{call} returned {_of(what)}{fmt(sample)}: every value must be {where}, but "
        f"{int(bad.sum())} of {x.size} are not, the first {fmt(x[first])} (at flat index "
        f"{first}).",
        hint=hint,
    )


def check_fraction(
    sample,
    p: float,
    *,
    call: str,
    what: str = "",
    of: str = "nonzero",
    mistakes: Mapping[str, float] | None = None,
    k: float = 6.0,
) -> None:
    """Check that the fraction of nonzero (True) entries is ``p``, within ``k`` standard
    errors ``sqrt(p (1 - p) / n)``: a dropout mask keeps a fraction ``1 - p`` of its units.

    ``of`` names what is counted in the message (``"kept units"``); ``mistakes`` maps a
    hint to the fraction a known mistake gives.
    """
    x = _sample(sample, call=call, what=what)
    n, got = x.size, float(np.mean(x != 0))

    def fits(value: float) -> bool:
        return abs(got - value) <= k * np.sqrt(value * (1 - value) / n) + 1e-12

    if fits(p):
        return
    hint = next((h for h, v in (mistakes or {}).items() if fits(v)), "")
    raise fail(
        f"{call} returned {_of(what)}{fmt(sample)}: the fraction of {of} is {got:.4g}, "
        f"expected {p:.4g} (give or take {k:g} standard errors of "
        f"{np.sqrt(p * (1 - p) / n):.2g}, over {n} values).",
        hint=hint,
    )


def _same(a, b) -> bool:
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except (TypeError, ValueError):
        return a == b


def check_reproducible(
    func,
    args: Mapping[str, object],
    *,
    seed: str = "seed",
    other_seed: int | None = None,
    timeout: float | None = 10.0,
) -> None:
    """Check that ``func`` gives identical output for the same seed and different output
    for another seed (calling it three times through `run`).

    Parameters
    ----------
    func : callable
    args : dict of {name: value}
        The arguments, passed by position; ``args[seed]`` is the seed.
    seed : str
        The name of the seed among ``args``.
    other_seed : int, optional
        The other seed (default: the seed + 1).
    timeout : float or None
        As for `run`.
    """
    first, call = _call(func, args, timeout=timeout)
    again, _ = _call(func, args, timeout=timeout)
    name = _name(func)
    if not _same(first, again):
        raise fail(
            f"{call} returned different values in two calls with the same seed: "
            f"{fmt(first)}, then {fmt(again)}.",
            hint=f"{name} must depend on its seed only: build the generator from it inside "
            f"the function (rng = np.random.default_rng({seed})) and draw only from it.",
        )
    other = {**args, seed: args[seed] + 1 if other_seed is None else other_seed}
    changed, other_call = _call(func, other, timeout=timeout)
    if _same(first, changed):
        raise fail(
            f"{call} and {other_call} returned the same values, {fmt(first)}.",
            hint=f"{name} ignores its seed: build the generator from it "
            f"(rng = np.random.default_rng({seed})).",
        )
