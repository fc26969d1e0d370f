"""Random cases for hidden tests that a student cannot predict when the course grades.

A hidden test draws its cases from ``grading.case_rng(<salt>)``. In a student's own
Jupyter, and under plain nbgrader, the cases are fixed (``default_rng([*salt])``). The
course's grader calls `set_case_seed` with a seed of its own in the kernel that runs the
tests, apart from the student's code: the cases then differ from one grading to the next,
so hard-coding the answers to the cases a student saw once gains nothing.
"""

from __future__ import annotations

import numbers

import numpy as np

_seed: list[int | None] = [None]


def set_case_seed(seed: int | None) -> None:
    """Draw every later `case_rng` from ``seed`` (None: back to the fixed defaults)."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"the case seed must be an int, not {type(seed).__name__}")
    _seed[0] = None if seed is None else int(seed)


def case_rng(*salt: int) -> np.random.Generator:
    """A generator for a hidden test's cases: ``default_rng([*salt])``, or
    ``default_rng([seed, *salt])`` once the grader has set a seed with `set_case_seed`.

    ``salt`` (non-negative ints, e.g. the part's number) keeps the tests of different
    parts apart.
    """
    if not salt or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in salt):
        raise TypeError("case_rng takes one or more ints, e.g. case_rng(101)")
    seed = _seed[0]
    words = [int(s) for s in salt] if seed is None else [seed, *map(int, salt)]
    return np.random.default_rng(words)
