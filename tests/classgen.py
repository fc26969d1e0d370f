"""Generated classes of submissions of a graded notebook, for the grading tool's proof.

`proof_class` builds, from the source notebook and its student version, one submission per
case the batch-grading tool must handle, each with the outcome it must get (`Outcome`):
the solution, the blank student version, a few mutants of ``tests/mutants/<assignment>.py``,
and every kind of broken submission (invalid JSON, duplicated, reordered, retyped, edited or
deleted test cells, a missing, renamed or foreign notebook, extra files, endless loops, a
dying kernel, ``sys.exit()``, 20 MB of output). `realistic_class` builds a larger class
without pathological cases (mostly right or partly wrong answers, a few blanks) for the
benchmark. Either is written as an nbgrader folder, ``DIR/<student>/<assignment>/<file>``,
or as the same class downloaded from an LMS: a flat folder of
``<student>_<anything>_<file>``.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from gradingkit import answer_cells, catalog, grade_id, part_points, solved, source, with_cells

GRADED, TIMED_OUT, CRASHED, INVALID = "graded", "timed out", "crashed", "invalid"

# Cases that the proof uses by name.
SOLUTION, BLANK = "solution", "blank"
INVALID_JSON, KERNEL_DIES = "invalid-json", "kernel-dies"
ENDLESS_LOOP, IGNORES_SIGINT = "endless-loop", "ignores-sigint"

# Mutants in the class: each loses all the points of its part (see the mutant report).
PROOF_MUTANTS = (
    "predict-no-step",
    "predict-calls-mlpbook",
    "update-wrong-sign",
    "train-calls-mlpbook",
    "collapse-forgets-b2",
    "xor-weights-compute-or",
)


@dataclass(frozen=True)
class Outcome:
    """What grading one submission must give."""

    status: str  # graded, timed out, crashed or invalid
    parts: dict[str, float] | None  # part → its score; None: no score recorded
    case: str  # what the submission is, for assertion messages
    repaired: bool = False  # the tool must report a repair of the notebook

    @property
    def score(self) -> float | None:
        return None if self.parts is None else sum(self.parts.values())


@dataclass
class Submission:
    files: dict[str, str]  # path in the student's folder → text
    flat_files: dict[str, str] | None = None  # as downloaded from an LMS, if named otherwise
    late: bool = False  # Canvas marks the download late


@dataclass
class Class:
    """A class of submissions of one assignment, and the outcome each must get."""

    assignment: str
    notebook: str  # the graded notebook's name, without .ipynb
    points: dict[str, float]  # part → its points
    submissions: dict[str, Submission]
    expected: dict[str, Outcome] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return sorted(self.submissions)

    @property
    def max_score(self) -> float:
        return sum(self.points.values())

    def write_nbgrader(self, dest: Path, students=None) -> Path:
        """``dest/<student>/<assignment>/<file>`` for these students (default: all)."""
        for student in students or self.students:
            for name, text in self.submissions[student].files.items():
                path = dest / student / self.assignment / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        dest.mkdir(parents=True, exist_ok=True)
        return dest

    def write_flat(self, dest: Path, students=None) -> Path:
        """Canvas downloads: ``dest/<student>_[late_]<user id>_<submission id>_<file>``."""
        dest.mkdir(parents=True, exist_ok=True)
        for k, student in enumerate(self.students):
            if students is not None and student not in students:
                continue
            sub = self.submissions[student]
            files = sub.flat_files if sub.flat_files is not None else sub.files
            late = "late_" if sub.late else ""
            for name, text in files.items():
                if "/" in name:  # an LMS download holds no folders
                    continue
                path = dest / f"{student}_{late}{1000 + k}_{50000 + k}_{name}"
                path.write_text(text, encoding="utf-8")
        return dest


def _text(nb: dict) -> str:
    return json.dumps(nb, indent=1)


def _cell_index(nb: dict, gid: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if grade_id(c) == gid)


def _other_assignment(notebook: str) -> dict:
    """A graded notebook of another assignment: none of its grade ids is this one's."""

    def cell(cell_id, text, **nbgrader):
        meta = {"grade": False, "locked": False, "schema_version": 3, "solution": False}
        meta.update(nbgrader, grade_id=cell_id, task=False)
        return {
            "cell_type": "code",
            "execution_count": None,
            "id": cell_id,
            "metadata": {"nbgrader": meta},
            "outputs": [],
            "source": text,
        }

    return {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "intro",
                "metadata": {},
                "source": "# Exercise: activation functions (graded)",
            },
            cell("sigmoid", "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))", solution=True),
            cell(
                "test_sigmoid",
                '"""sigmoid: 0 at 0.5."""\nassert sigmoid(0) == 0.5',
                grade=True,
                locked=True,
                points=2,
            ),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def proof_class(assignment: str, notebook: str, source_nb: dict, release_nb: dict) -> Class:
    """One submission per case of the proof, with the outcome it must get."""
    points = part_points(source_nb)
    parts = list(points)
    predict, update, _, collapse, xor = parts  # the five parts of chapter 1
    solution = solved(source_nb, release_nb)
    answer = {a: source(solution["cells"][_cell_index(solution, a)]) for a in parts}
    mutants = {m["name"]: m for m in catalog(assignment).MUTANTS}
    ipynb = f"{notebook}.ipynb"
    klass = Class(assignment, notebook, points, {})

    def add(student, status, lost, case, nb=None, *, files=None, repaired=False, **lms):
        """A submission (a notebook, or files) and its outcome: 0 in the parts of ``lost``."""
        klass.submissions[student] = Submission(files or {ipynb: _text(nb)}, **lms)
        scores = None if lost is None else {p: 0.0 if p in lost else points[p] for p in parts}
        klass.expected[student] = Outcome(status, scores, case, repaired)

    def graded(student, nb, lost=(), **kw):
        add(student, GRADED, set(lost), nb=nb, **kw)

    graded(SOLUTION, solution, case="the instructor's solution")
    graded(BLANK, release_nb, lost=parts, case="the blank student version")
    for name in PROOF_MUTANTS:
        m = mutants[name]
        nb = with_cells(solution, {m["cell"]: m["source"]})
        graded(f"mutant-{name}", nb, {m["cell"]}, case=f"mutant {name} (wrong {m['cell']})")
    # Canvas appends -1 to the name of a file submitted a second time
    resubmitted = klass.submissions["mutant-xor-weights-compute-or"]
    resubmitted.flat_files = {f"{notebook}-1.ipynb": resubmitted.files[ipynb]}

    # broken notebooks the tool repairs, then grades normally
    dup = copy.deepcopy(solution)
    i = _cell_index(dup, f"test_{collapse}")
    twin = copy.deepcopy(dup["cells"][i])
    twin["id"] = "5e1f0c2a"  # Jupyter gives a pasted cell a new id
    dup["cells"].insert(i + 1, twin)
    graded("duplicated-test-cell", dup, case="test cell test_collapse pasted twice", repaired=True)

    moved = copy.deepcopy(solution)
    tests = [c for c in moved["cells"] if (grade_id(c) or "").startswith(f"test_{xor}")]
    moved["cells"] = [c for c in moved["cells"] if c not in tests]
    i = _cell_index(moved, collapse)
    moved["cells"][i:i] = tests  # part 5's test cells dragged above part 4's: locked cells swapped
    graded("reordered-cells", moved, case="xor tests moved above collapse's", repaired=True)
    above = copy.deepcopy(solution)
    above["cells"] = [c for c in above["cells"] if c not in tests]
    i = _cell_index(above, xor)
    above["cells"][i:i] = tests  # part 5's test cells dragged above its own answer
    graded("tests-above-answer", above, case="xor tests moved above their answer", repaired=True)

    retyped = copy.deepcopy(solution)
    cell = retyped["cells"][_cell_index(retyped, f"test_{update}")]
    cell["cell_type"] = "markdown"
    del cell["outputs"], cell["execution_count"]
    graded(
        "retyped-cell",
        retyped,
        case="test cell test_perceptron_update made markdown",
        repaired=True,
    )

    own_tests = {f"test_{predict}", f"test_{predict}_hidden"}
    wrong = {predict: mutants["predict-step-of-0-is-0"]["source"]}
    graded(
        "edited-test-cells",
        with_cells(solution, {**wrong, **dict.fromkeys(own_tests, "pass")}),
        lost={predict},
        case="wrong predict, its test cells replaced by `pass`",
    )
    wrong = {predict: mutants["predict-missing-bias"]["source"]}
    graded(
        "deleted-test-cells",
        with_cells(solution, wrong, delete=own_tests),
        lost={predict},
        case="wrong predict, its test cells deleted",
    )
    graded(
        "renamed-notebook",
        solution,
        case=f"the solution saved by Jupyter's Make a Copy as {notebook}-Copy1.ipynb",
        files={f"{notebook}-Copy1.ipynb": _text(solution)},
    )
    graded(
        "extra-files",
        solution,
        case="the solution with data, code and a checkpoint",
        files={
            ipynb: _text(solution),
            "data.csv": "x,y\n0,1\n",
            "helper.py": "X = 1\n",
            f".ipynb_checkpoints/{notebook}-checkpoint.ipynb": _text(release_nb),
        },
    )

    # runaway code: the part whose cell fails loses its points, the others are graded
    def prepend(part, code):
        return with_cells(solution, {part: code + "\n\n" + answer[part]})

    add(
        ENDLESS_LOOP,
        TIMED_OUT,
        {collapse},
        "`while True: pass` in the collapse answer",
        prepend(collapse, "while True:\n    pass"),
    )
    sigint = "import signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    add(
        IGNORES_SIGINT,
        TIMED_OUT,
        {xor},
        "an endless loop ignoring SIGINT in the xor answer",
        prepend(xor, sigint),
    )
    graded(
        "sys-exit",
        prepend(update, "import sys\n\nsys.exit()"),
        lost={update},
        case="sys.exit() in the update answer",
        late=True,
    )
    flood = "\n\nfor i in range(200_000):  # 20 MB of output\n    print(f'{i:>9} ' + 'x' * 90)"
    graded(
        "huge-output",
        with_cells(solution, {xor: answer[xor] + flood}),
        case="20 MB printed by the xor answer",
    )
    # the kernel dies in the first answer cell: nothing was graded before it
    add(
        KERNEL_DIES,
        CRASHED,
        None,
        "os._exit(1) in the predict answer",
        prepend(predict, "import os\n\nos._exit(1)"),
    )

    # not gradable at all
    add(
        INVALID_JSON,
        INVALID,
        None,
        "a notebook cut in half (invalid JSON)",
        files={ipynb: _text(solution)[: len(_text(solution)) // 2]},
    )
    add(
        "missing-notebook",
        INVALID,
        None,
        "no notebook, only notes.txt",
        files={"notes.txt": "I could not get the notebook to upload.\n"},
    )
    add(
        "other-assignment",
        INVALID,
        None,
        "a notebook of another assignment (other grade ids)",
        _other_assignment(notebook),
    )
    return klass


def realistic_class(
    assignment: str, notebook: str, source_nb: dict, release_nb: dict, n: int, seed: int = 0
) -> Class:
    """``n`` submissions as a class hands them in: mostly right or partly wrong, few blanks."""
    rng = random.Random(seed)
    points = part_points(source_nb)
    solution = solved(source_nb, release_nb)
    blank = {c: source(release_nb["cells"][_cell_index(release_nb, c)]) for c in points}
    cat = catalog(assignment)
    by_part: dict[str, list[str]] = {}
    for m in cat.MUTANTS:
        by_part.setdefault(m["cell"], []).append(m["source"])
    klass = Class(assignment, notebook, points, {})
    for k in range(n):
        cells: dict[str, str] = {}
        if rng.random() < 0.3:  # a right answer written differently
            cells.update(rng.choice(cat.VARIANTS)["cells"])
        roll = rng.random()
        if roll < 0.05:
            nb = release_nb  # handed in blank
        else:
            wrong = 0 if roll < 0.5 else 1 if roll < 0.8 else 2
            for part in rng.sample(sorted(by_part), wrong):
                cells[part] = rng.choice(by_part[part])
            if rng.random() < 0.1:  # ran out of time on the last parts
                cells.update({p: blank[p] for p in answer_cells(source_nb)[-2:]})
            nb = with_cells(solution, cells)
        klass.submissions[f"student{k + 1:03d}"] = Submission({f"{notebook}.ipynb": _text(nb)})
    return klass
