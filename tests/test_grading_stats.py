"""Tests for mlpbook.grading's checks of random output, and the hidden tests' cases.

Each check must accept every correct sampler (several sizes, seeds and ways of drawing)
and reject samples from the wrong distribution.
"""

import re

import numpy as np
import pytest

from mlpbook import grading

SIZES = [40_000, 90_000]
SEEDS = [0, 1, 2, 3, 4]


def message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return " ".join(str(info.value).split("\n"))


def normal_ways(rng, n, s):
    """Correct ways of drawing N(0, s²): all must pass."""
    legacy = np.random.RandomState(int(rng.integers(1 << 30)))
    return {
        "normal(0, s)": rng.normal(0, s, size=n),
        "standard_normal() * s": rng.standard_normal(n) * s,
        "legacy randn": legacy.randn(n) * s,
        "float32": rng.normal(0, s, size=n).astype(np.float32),
    }


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_moments_accept_correct_normal_and_uniform_samples(n, seed):
    rng = np.random.default_rng(seed)
    s = np.sqrt(2 / 300)  # He for fan_in 300
    for sample in normal_ways(rng, n, s).values():
        grading.check_moments(sample, call="he(...)", mean=0, var=s**2, std=s, kurtosis=3)
    a = np.sqrt(6 / 500)  # Glorot uniform
    for sample in (rng.uniform(-a, a, n), (2 * rng.random(n) - 1) * a):
        grading.check_moments(sample, call="glorot(...)", mean=0, var=a**2 / 3, kurtosis=1.8)
        grading.check_support(sample, call="glorot(...)", low=-a, high=a)


@pytest.mark.parametrize("seed", SEEDS)
def test_moments_reject_the_wrong_distribution(seed):
    rng = np.random.default_rng(seed)
    n, s = 40_000, np.sqrt(2 / 300)
    # fan_in instead of 2 / fan_in: variance halved
    message(grading.check_moments, rng.normal(0, s / np.sqrt(2), n), call="he()", var=s**2)
    # the standard deviation where the variance should be
    message(grading.check_moments, rng.normal(0, s**2, n), call="he()", var=s**2)
    # uniform with the right variance: only the kurtosis tells it from a normal
    a = s * np.sqrt(3)
    uniform = rng.uniform(-a, a, n)
    grading.check_moments(uniform, call="he()", mean=0, var=s**2)
    text = message(grading.check_moments, uniform, call="he()", var=s**2, kurtosis=3)
    assert re.search(r"its kurtosis is 1\.[78]\d*, expected 3", text)
    # a shifted mean
    message(grading.check_moments, rng.normal(0.01, s, n), call="he()", mean=0)
    # a normal where a uniform was asked for
    message(grading.check_moments, rng.normal(0, a / np.sqrt(3), n), call="g()", kurtosis=1.8)


def test_moments_name_a_known_mistake():
    rng = np.random.default_rng(0)
    s = 0.1
    text = message(
        grading.check_moments,
        rng.normal(0, s**2, 40_000),
        call="he()",
        var=s**2,
        mistakes={"Variance, not std.": {"std": s**2}, "Other.": {"var": 1.0}},
    )
    assert text.startswith("Variance, not std. he() returned")
    assert "its variance is 0.0001" in text


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fraction_and_values_accept_every_correct_dropout_mask(seed, p):
    rng = np.random.default_rng(seed)
    shape, keep = (200, 250), 1 / (1 - p)
    legacy = np.random.RandomState(seed)
    masks = {
        "rand < q": (rng.random(shape) < 1 - p) * keep,
        "rand >= p": (rng.random(shape) >= p) * keep,
        "binomial": rng.binomial(1, 1 - p, size=shape) * keep,
        "legacy": (legacy.rand(*shape) < 1 - p) / (1 - p),
        "bool": rng.random(shape) < 1 - p,
    }
    for name, mask in masks.items():
        grading.check_fraction(mask, 1 - p, call="dropout_mask()", of="kept units")
        if name != "bool":
            grading.check_support(mask, call="dropout_mask()", values={0, keep})


def test_fraction_and_values_reject_wrong_masks():
    rng = np.random.default_rng(0)
    shape, p = (200, 250), 0.2
    kept_p = rng.random(shape) < p  # keeps p instead of 1 - p
    text = message(
        grading.check_fraction,
        kept_p,
        1 - p,
        call="dropout_mask()",
        of="kept units",
        mistakes={"You keep a fraction p: p is the probability of dropping.": p},
    )
    assert text.startswith("You keep a fraction p")
    message(grading.check_fraction, rng.random(shape) < 0.81, 0.8, call="m()")  # 0.01 off
    not_scaled = (rng.random(shape) < 1 - p) * 1.0
    text = message(grading.check_support, not_scaled, call="m()", values={0, 1 / (1 - p)})
    assert "every value must be one of 0, 1.25" in text
    message(grading.check_support, rng.normal(size=1000), call="g()", low=-1, high=1)
    grading.check_support(np.array([-1.0, 1.0]), call="g()", low=-1, high=1)
    assert "at least 0" in message(grading.check_support, [-1.0, 2.0], call="g()", low=0)


def test_statistics_reject_non_numbers_and_nan():
    assert "expected an array of numbers" in message(grading.check_moments, None, call="f()")
    assert "nan or inf" in message(grading.check_moments, [1.0, np.nan], call="f()", mean=0)


# ---------------------------------------------------------------------------- reproducibility


def good_init(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


def legacy_init(shape, seed):
    return np.random.RandomState(seed).randn(*shape)


def global_state_init(shape, seed):
    return np.random.normal(size=shape)  # noqa: NPY002 (the mistake: a global generator)


def constant_init(shape, seed):
    return np.random.default_rng(0).normal(size=shape)  # ignores the seed


def test_reproducible_accepts_seeded_functions():
    for init in (good_init, legacy_init):
        grading.check_reproducible(init, {"shape": (3, 2), "seed": 7})
        grading.check_reproducible(init, {"shape": (3, 2), "seed": 7}, other_seed=0)


def test_reproducible_rejects_ignored_seeds():
    text = message(grading.check_reproducible, global_state_init, {"shape": (3,), "seed": 0})
    assert "must depend on its seed only" in text
    text = message(grading.check_reproducible, constant_init, {"shape": (3,), "seed": 0})
    assert text.startswith("constant_init ignores its seed")
    assert "constant_init(shape=(3), seed=0) and constant_init(shape=(3), seed=1)" in text


def test_reproducible_compares_tuples():
    def split(n, seed):
        order = np.random.default_rng(seed).permutation(n)
        return order[: n // 2], order[n // 2 :]

    grading.check_reproducible(split, {"n": 10, "seed": 3})


# ---------------------------------------------------------------------------- case_rng


def test_case_rng_is_fixed_without_a_grader_seed():
    grading.set_case_seed(None)
    a = grading.case_rng(101).integers(0, 1 << 30, size=5)
    b = grading.case_rng(101).integers(0, 1 << 30, size=5)
    assert np.array_equal(a, b)
    assert np.array_equal(a, np.random.default_rng([101]).integers(0, 1 << 30, size=5))
    assert not np.array_equal(a, grading.case_rng(102).integers(0, 1 << 30, size=5))


def test_case_rng_follows_the_grader_seed():
    try:
        grading.set_case_seed(12345)
        a = grading.case_rng(101).integers(0, 1 << 30, size=5)
        assert np.array_equal(a, np.random.default_rng([12345, 101]).integers(0, 1 << 30, size=5))
        assert np.array_equal(a, grading.case_rng(101).integers(0, 1 << 30, size=5))
        grading.set_case_seed(54321)
        assert not np.array_equal(a, grading.case_rng(101).integers(0, 1 << 30, size=5))
    finally:
        grading.set_case_seed(None)
    fixed = np.random.default_rng([101]).integers(0, 1 << 30, size=5)
    assert np.array_equal(grading.case_rng(101).integers(0, 1 << 30, size=5), fixed)


def test_case_rng_takes_ints():
    with pytest.raises(TypeError):
        grading.case_rng()
    with pytest.raises(TypeError):
        grading.case_rng(1.5)
    with pytest.raises(TypeError):
        grading.set_case_seed("1")
