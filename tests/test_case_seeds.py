"""Hidden tests reject every mutant, and accept every right answer, whatever the case seed.

``course-grade`` draws the hidden tests' random cases from a seed of its own per course and
submission (`mlpbook.grading.set_case_seed`), so the end-to-end proofs in
``test_assignments.py`` and ``test_gradetool.py`` see one seed per run. A hidden test that
catches a mutant only on the cases some seeds happen to draw (a step tested at 0 only when
a random net input is exactly 0) would make those proofs flaky and give a wrong answer the
point on an unlucky draw. Here each graded test cell of every assignment runs in-process
(no kernel, a few milliseconds each) under many seeds: against every mutant of its part
it must fail under each of them, against the solution and every variant it must pass.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import signal
import time

import matplotlib
import pytest
from gradingkit import (
    ROOT,
    answer_cells,
    catalog,
    grade_cells,
    grade_id,
    part_of,
    read_nb,
    release,
    solution_code,
    source,
)

from gradetool.execute import defined_names
from mlpbook import grading
from mlpbook.grading import own

matplotlib.use("Agg")

SEEDS = range(40)  # the grader's seeds are 63-bit HMACs: any 40 are as good as others
TIME_LIMIT = 3  # seconds per test cell; the solution's slowest takes about 0.05 s


class _TimedOut(BaseException):  # not caught by check_call as a raising answer
    pass


def _alarm(signum, frame):
    raise _TimedOut


ASSIGNMENTS = release.assignments(ROOT)


def _notebook(assignment: str) -> dict:
    (path,) = (ROOT / "solutions" / assignment).glob("*.ipynb")
    return read_nb(path)


def _run(code: str, namespace: dict, name: str) -> None:
    """Run one cell's code as IPython would: its source findable by `inspect`."""
    filename = f"<cell {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, filename, "exec"), namespace)  # the course's own code


def _answers(nb: dict, replaced: dict[str, str]) -> dict:
    """The namespace after the notebook's non-test cells, with some answer cells replaced."""
    namespace: dict = {"__name__": "__main__"}
    tests = grade_cells(nb)
    for i, cell in enumerate(nb["cells"]):
        gid = grade_id(cell)
        if cell["cell_type"] != "code" or gid in tests:
            continue
        code = replaced.get(gid, solution_code(source(cell)))
        _run(code, namespace, f"{gid or i}-{hash(code) & 0xFFFF:x}")
    return namespace


def _test_cells(nb: dict) -> dict[str, str]:
    return {grade_id(c): source(c) for c in nb["cells"] if grade_id(c) in grade_cells(nb)}


def _seeded(nb: dict, cells: dict[str, str]) -> set[str]:
    """The test cells whose cases depend on the seed: those that draw from `case_rng`.

    A test cell that draws none (and no other cell that does) computes the same cases
    under every seed: it runs once, under the first, and its outcome stands for all.
    """
    tests = grade_cells(nb)
    others = "".join(source(c) for c in nb["cells"] if grade_id(c) not in tests)
    return {t for t, code in cells.items() if "case_rng" in code + others}


def _failures(nb: dict, replaced: dict[str, str], tests: list[str]) -> dict[str, list[int]]:
    """Test cell → the seeds under which it raised."""
    failed: dict[str, list[int]] = {t: [] for t in tests}
    endless: set[str] = set()
    cells = _test_cells(nb)
    seeded = _seeded(nb, cells)
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for k, seed in enumerate(SEEDS):
            todo = [t for t in tests if k == 0 or t in seeded]
            if not todo:
                break
            grading.set_case_seed(seed)
            namespace = _answers(nb, replaced)
            for test in todo:
                if test in endless:  # an answer that loops forever on one draw, as the grader
                    failed[test].append(seed)  # times it out, is not run on every other
                    continue
                start = time.monotonic()
                signal.alarm(TIME_LIMIT)  # check_call's own time limits replace it while they run
                try:
                    _run(cells[test], dict(namespace), test)
                except _TimedOut:
                    endless.add(test)
                    failed[test].append(seed)
                except Exception:  # a failing test is what is measured
                    failed[test].append(seed)
                    if time.monotonic() - start > TIME_LIMIT:  # failed by check_call's limit
                        endless.add(test)
                finally:
                    signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
        grading.set_case_seed(None)
        own._declared.clear()  # the set-up cell's declaration, undone for the next test
    for test in tests:
        if test not in seeded and failed[test]:  # the same cases, so the same outcome
            failed[test] = list(SEEDS)
    return failed


def _affected(nb: dict, replaced: dict[str, str], tests: list[str]) -> list[str]:
    """The test cells whose outcome the replaced answer cells can change.

    Those of the replaced parts, of every part whose answer uses a name they define (and
    so on, transitively), and every test cell that uses such a name itself; the others
    run the solution's code exactly as `test_the_solution_passes_under_every_seed` does.
    """
    answers = {gid: solution_code(source(c)) for c in nb["cells"] if (gid := grade_id(c))}
    answers = {gid: code for gid, code in answers.items() if gid in answer_cells(nb)}
    tests_ = grade_cells(nb)
    setup = set().union(  # `np`, `grading`: re-imported by an answer, still the same
        *(
            defined_names(source(c))
            for c in nb["cells"]
            if grade_id(c) not in tests_ and grade_id(c) not in answers and c["cell_type"] == "code"
        )
    )
    changed, names = set(replaced), set()
    while True:
        for gid in changed:
            names |= defined_names(replaced.get(gid, answers.get(gid, ""))) - setup
        uses = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
        more = {gid for gid, code in answers.items() if gid not in changed and uses.search(code)}
        if not more:
            break
        changed |= more
    cells = _test_cells(nb)
    return [t for t in tests if part_of(t) in changed or uses.search(cells[t])]


CASES = [
    (a, kind, item["name"])
    for a in ASSIGNMENTS
    for kind, items in (("mutant", catalog(a).MUTANTS), ("variant", catalog(a).VARIANTS))
    for item in items
]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solution_passes_under_every_seed(assignment):
    nb = _notebook(assignment)
    failed = _failures(nb, {}, list(_test_cells(nb)))
    assert not any(failed.values()), {t: s for t, s in failed.items() if s}


@pytest.mark.parametrize(("assignment", "kind", "name"), CASES)
def test_every_seed_gives_the_catalog_outcome(assignment, kind, name):
    nb = _notebook(assignment)
    item = next(i for i in getattr(catalog(assignment), f"{kind.upper()}S") if i["name"] == name)
    tests = list(_test_cells(nb))
    if kind == "variant":
        failed = _failures(nb, item["cells"], _affected(nb, item["cells"], tests))
        assert not any(failed.values()), {t: s for t, s in failed.items() if s}
        return
    assert item["cell"] in answer_cells(nb)
    lost = [t for t in tests if part_of(t) in item["loses"]]
    replaced = {item["cell"]: item["source"]}
    failed = {}
    if not item.get("zero"):  # a part whose fixed-case test fails loses under every seed
        seeded = _seeded(nb, _test_cells(nb))
        failed = _failures(nb, replaced, [t for t in lost if t not in seeded])
        done = {part_of(t) for t, seeds in failed.items() if seeds}
        rest = [t for t in lost if t in seeded and part_of(t) not in done]
        failed |= _failures(nb, replaced, rest)
        failed |= {t: [] for t in lost if t not in failed}  # not run: the part is lost
    else:
        failed = _failures(nb, replaced, lost)
    for part in item["loses"]:
        cells = [t for t in lost if part_of(t) == part]
        # the part loses points if one of its test cells fails; all of them with "zero"
        keeps = any if item.get("zero") else all
        scored = [s for s in SEEDS if keeps(s not in failed[t] for t in cells)]
        assert not scored, f"{name} keeps points of {part} under the seeds {scored}"
