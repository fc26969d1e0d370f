"""Checks for the graded notebooks' test cells, with failure messages that teach.

Every check raises an ``AssertionError`` (so nbgrader gives the test cell no points) whose
message opens with the likely mistake, when the answer matches a known one, then says what
was called, what came back and what was expected::

    Your update has the wrong sign: the rule is w ← w + lr·(y − ŷ)·x, so a
    false alarm (y = 0, ŷ = 1) subtracts x.
    perceptron_update(w=[0, 0], b=0, x_i=[1, 1], y_i=0) returned w_new = [1, 1]:
    expected [-1, -1].

Messages are wrapped so that ``nbgrader validate`` and ``mlpbook-check`` show them whole
(first line at most 67 characters, the others 83), and a failing call's arguments are
shown whole up to 20 numbers each, in full precision, so that a hidden case can be
reproduced.

A test cell calls the student's function with `check_call`, which calls it through `run`
(by position; it names the call, turns an exception, a time-out or a modified argument
into a message and, if asked, numpy's overflow warnings too), unpacks what it returns and
compares each value with `check_close`, `check_bool` or `check_int` (or `Close`,
`Subgradient`). Comparisons are dtype-agnostic: lists, tuples, int, bool, float32 and
float64 arrays are all accepted when they hold the right numbers in the right shape.
`check_raises` checks an error; `check_moments`, `check_support`, `check_fraction` and
`check_reproducible` check random output; `case_rng` draws a hidden test's cases.

Own work: a notebook declares once which library modules hold its answers
(``grading.answer_modules("mlpbook.perceptron")`` in its set-up cell), and
`assert_own_implementation` checks that a graded function reaches none of them, nor a
library module that imports one (`modules_exposing`). It reads the function's code and
what it refers to (`find_forbidden`; `find_forbidden_in_source` when the function lives in
the grader's student kernel), not its behaviour: it catches honest shortcuts, copied
calls, ``exec`` of the library's source and pasted copies of its documented functions. It
is not a sandbox, and what remains is this: code typed or pasted into the notebook (a
library function rewritten, or pasted without its docstring) cannot be told apart from the
student's own, and neither can code built at run time (``__import__("mlp" + "book")``)
under plain nbgrader, where the student's code and the tests share one kernel; the course's
grader hides the answer modules from the student's kernel, which closes the latter.
"""

from ._text import describe_call, fmt, wrap
from .calling import check_raises, run, unpack
from .cases import case_rng, set_case_seed
from .compare import (
    Close,
    Subgradient,
    check_bool,
    check_call,
    check_close,
    check_int,
    check_shape,
    check_subgradient,
)
from .own import (
    answer_modules,
    assert_own_implementation,
    declared_answer_modules,
    find_forbidden,
    modules_exposing,
)
from .source import answer_modules_in, find_forbidden_in_source
from .stats import check_fraction, check_moments, check_reproducible, check_support

__all__ = [
    "Close",
    "Subgradient",
    "answer_modules",
    "answer_modules_in",
    "assert_own_implementation",
    "case_rng",
    "check_bool",
    "check_call",
    "check_close",
    "check_fraction",
    "check_int",
    "check_moments",
    "check_raises",
    "check_reproducible",
    "check_shape",
    "check_subgradient",
    "check_support",
    "declared_answer_modules",
    "describe_call",
    "find_forbidden",
    "find_forbidden_in_source",
    "fmt",
    "modules_exposing",
    "run",
    "set_case_seed",
    "unpack",
    "wrap",
]
