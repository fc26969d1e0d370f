"""The proof that grading is right: every graded notebook, autograded by real nbgrader.

For each assignment in ``solutions/`` (and its catalog ``tests/mutants/<assignment>.py``),
a temporary copy of the course (config, ``release.py``, the source notebook) generates the
student version with ``autograder/release.py``, then builds one submission per case, all
graded by ONE ``nbgrader autograde`` run (the CLI, in a subprocess): the instructor's
solution, the untouched student version, every mutant and variant of the catalog, and
submissions whose test cells were edited or deleted. Scores are read per grade cell from the
gradebook, so "loses the points of the parts it breaks, keeps the others" is checked part by
part. The repository's own ``autograder/`` folder is never touched.

The same submissions are graded a second time by ``course-grade`` (``autograder/gradetool``,
the tool the course grades with: sandboxed kernels, tests run in a checker kernel apart from
the student's code), in its own copy of the course: both graders must agree with the proof.
``course-grade`` grades every mutant; ``nbgrader`` grades the first mutant of each part
(`GRADED_MUTANTS`) besides every other case. Plain nbgrader runs a test cell in the
student's own namespace, which is exactly how ``test_case_seeds.py`` runs every test cell
against every mutant, in-process, under 40 case seeds: what a kernel per mutant would add
under nbgrader is its execution mechanics, which one mutant per part already exercises
(about 2 s per submission, a third of the suite's time with six labs when it graded all).

The mutant report (catalog size, kill rate, scores) goes to
``_build/grading/<assignment>-mutants.md`` (``-mutants-course-grade.md`` for course-grade).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gradingkit import (
    BIN,
    HIDDEN_TESTS,
    ROOT,
    answer_cells,
    catalog,
    grade_cells,
    grade_id,
    hidden_lines,
    part_of,
    read_nb,
    release,
    released_course,
    solution_code,
    source,
    with_cells,
)
from gradingkit import course_env as _env
from gradingkit import gradebook_scores as _scores

REPORTS = ROOT / "_build" / "grading"
SHARDS = max(1, min(4, os.cpu_count() or 1))  # parallel autograde runs

ASSIGNMENTS = release.assignments(ROOT)
CATALOGS = {a: catalog(a) for a in ASSIGNMENTS}
VARIANTS = [(a, v["name"]) for a in ASSIGNMENTS for v in CATALOGS[a].VARIANTS]
GRADERS = ["nbgrader", "course-grade"]


def _first_of_each_part(mutants: list[dict]) -> list[dict]:
    firsts: dict[str, dict] = {}
    for m in mutants:
        firsts.setdefault(m["cell"], m)
    return list(firsts.values())


# the mutants each grader grades: course-grade all, nbgrader the first of each part
GRADED_MUTANTS = {
    (a, grader): CATALOGS[a].MUTANTS
    if grader == "course-grade"
    else _first_of_each_part(CATALOGS[a].MUTANTS)
    for a in ASSIGNMENTS
    for grader in GRADERS
}
MUTANTS = [
    pytest.param(a, m["name"], grader, id=f"{grader}-{a}-{m['name']}")
    for (a, grader), mutants in GRADED_MUTANTS.items()
    for m in mutants
]


# ---------------------------------------------------------------------------- grading


@dataclass
class Graded:
    """One assignment, released and autograded in a temporary course."""

    assignment: str
    course: Path
    notebook: str  # the notebook's name, without .ipynb
    source_nb: dict
    release_nb: dict
    points: dict[str, float]  # part → its points
    points_by_test: dict[str, float] = field(default_factory=dict)  # test cell → its points
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # student → part → score
    autograded: set[str] = field(default_factory=set)  # students with an autograded notebook
    log: str = ""
    grader: str = "nbgrader"


def _submissions(g: Graded, grader: str) -> dict[str, dict]:
    """Student id → submitted notebook, for every case of the catalog ``grader`` grades."""
    catalog = CATALOGS[g.assignment]
    solved = {gid: solution_code(source(c)) for c in g.source_nb["cells"] if (gid := grade_id(c))}
    solution = with_cells(g.release_nb, {a: solved[a] for a in answer_cells(g.source_nb)})
    subs = {"solution": solution, "student-version": g.release_nb}
    for m in GRADED_MUTANTS[g.assignment, grader]:
        subs[f"mutant-{m['name']}"] = with_cells(solution, {m["cell"]: m["source"]})
    for v in catalog.VARIANTS:
        subs[f"variant-{v['name']}"] = with_cells(solution, v["cells"])
    # a wrong answer whose test cells were edited to `pass`, or deleted, must still fail them
    first = catalog.MUTANTS[0]
    part, wrong = first["cell"], {first["cell"]: first["source"]}
    tests = {t for t in g.points_by_test if part_of(t) == part}
    subs["tampered-tests-edited"] = with_cells(solution, {**wrong, **dict.fromkeys(tests, "pass")})
    subs["tampered-tests-deleted"] = with_cells(solution, wrong, delete=tests)
    # a right answer whose test cells were all deleted gets them back, in their places
    subs["tampered-all-tests-deleted-right-answers"] = with_cells(
        solution, {}, delete=set(g.points_by_test)
    )
    return subs


def _autograde(tmp: Path, assignment: str) -> Graded:
    course, notebook, source_nb, release_nb = released_course(tmp / "shard0", assignment)
    g = Graded(assignment, course, notebook, source_nb, release_nb, points={})
    g.points_by_test = grade_cells(source_nb)
    for test_id, points in g.points_by_test.items():
        g.points[part_of(test_id)] = g.points.get(part_of(test_id), 0.0) + points

    # One autograde run per core, each on its own copy of the course and gradebook (SQLite
    # is not for concurrent writers); submissions are dealt round-robin.
    shards = [course] + [
        Path(shutil.copytree(course, tmp / f"shard{k}" / "course")) for k in range(1, SHARDS)
    ]
    for k, (student, nb) in enumerate(sorted(_submissions(g, "nbgrader").items())):
        folder = shards[k % len(shards)] / "autograder" / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{notebook}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    runs = [
        subprocess.Popen(
            [str(BIN / "nbgrader"), "autograde", assignment, "--force"],
            cwd=shard,
            env=_env(shard),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for shard in shards
    ]
    for run, shard in zip(runs, shards, strict=True):
        log = run.communicate(timeout=600)[0]
        g.log += log
        assert run.returncode == 0, f"nbgrader autograde failed in {shard}:\n{log[-5000:]}"
        g.scores.update(_scores(shard, assignment, notebook))
        autograded = shard / "autograder" / "autograded"
        g.autograded |= {p.parts[-3] for p in autograded.glob(f"*/{assignment}/{notebook}.ipynb")}
    return g


def _course_grade(tmp: Path, g: Graded) -> Graded:
    """The same submissions, graded by course-grade in a fresh copy of the course."""
    from gradetool import batch

    course = Path(shutil.copytree(g.course, tmp / "course-grade" / "course"))
    for folder in ("submitted", "autograded", "feedback"):
        shutil.rmtree(course / "autograder" / folder, ignore_errors=True)
    (course / "autograder" / "gradebook.db").unlink()
    inbox = tmp / "course-grade" / "in"
    for student, nb in _submissions(g, "course-grade").items():
        folder = inbox / student / g.assignment
        folder.mkdir(parents=True)
        (folder / f"{g.notebook}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{old_path}"  # nbgrader runs alembic
    try:
        done = batch.grade(g.assignment, inbox, course=course, progress=False)
    finally:
        os.environ["PATH"] = old_path
    cg = Graded(g.assignment, course, g.notebook, g.source_nb, g.release_nb, dict(g.points))
    cg.grader, cg.points_by_test = "course-grade", g.points_by_test
    cg.scores = _scores(course, g.assignment, g.notebook)
    cg.autograded = {s for s, r in done.students.items() if r.status == "graded"}
    cg.log = "\n".join(f"{s}: {r.status} {r.reason}" for s, r in done.students.items())
    return cg


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """(assignment, grader) → its `Graded` result, autograded once per test session."""
    cache: dict[tuple[str, str], Graded] = {}

    def get(assignment: str, grader: str = "nbgrader") -> Graded:
        if (assignment, grader) not in cache:
            if grader == "nbgrader":
                g = _autograde(tmp_path_factory.mktemp(assignment), assignment)
            else:
                g = _course_grade(tmp_path_factory.mktemp(assignment), get(assignment))
            _write_report(g)
            cache[assignment, grader] = g
        return cache[assignment, grader]

    return get


def lost(g: Graded, student: str) -> set[str]:
    """The parts in which ``student`` did not get full marks."""
    scores = g.scores[student]
    return {p for p, points in g.points.items() if scores.get(p, 0.0) < points}


def _mutant_verdict(g: Graded, m: dict) -> str | None:
    """None if the mutant lost exactly its parts (all their points with ``zero``), or why not."""
    student = f"mutant-{m['name']}"
    if student not in g.autograded:
        return "not autograded (nbgrader failed on it)"
    scores, parts = g.scores[student], lost(g, student)
    if not m["loses"] <= parts:
        return f"kept full marks in {sorted(m['loses'] - parts)}"
    if parts - m["loses"]:
        return f"also lost points in {sorted(parts - m['loses'])}"
    if m.get("zero") and any(scores.get(p, 0.0) > 0 for p in m["loses"]):
        return f"scored {[scores.get(p) for p in sorted(m['loses'])]} in its parts, not 0"
    return None


def _write_report(g: Graded) -> None:
    mutants = GRADED_MUTANTS[g.assignment, g.grader]
    verdicts = {m["name"]: _mutant_verdict(g, m) for m in mutants}
    killed = sum(v is None for v in verdicts.values())
    parts = list(g.points)
    lines = [
        f"# Mutants of {g.assignment}",
        "",
        f"{len(mutants)} mutants, {killed} killed: kill rate {killed / len(mutants):.0%}. "
        "A mutant is killed when it loses points in every part it breaks and keeps full "
        "marks in every other part.",
        "",
        "| mutant | breaks | " + " | ".join(f"{p} ({g.points[p]:g})" for p in parts) + " | |",
        "| --- | --- | " + " | ".join("---" for _ in parts) + " | --- |",
    ]
    for m in mutants:
        scores = g.scores.get(f"mutant-{m['name']}", {})
        cells = " | ".join(f"{scores.get(p, 0.0):g}" for p in parts)
        verdict = verdicts[m["name"]] or "killed"
        lines.append(f"| {m['name']} | {', '.join(sorted(m['loses']))} | {cells} | {verdict} |")
    REPORTS.mkdir(parents=True, exist_ok=True)
    _report_path(g).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _report_path(g: Graded) -> Path:
    suffix = "" if g.grader == "nbgrader" else f"-{g.grader}"
    return REPORTS / f"{g.assignment}-mutants{suffix}.md"


# ---------------------------------------------------------------------------- the proof


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_well_formed(assignment):
    """Outputs cleared; each answer cell has a visible and a hidden test cell with points."""
    path = next((ROOT / "solutions" / assignment).glob("*.ipynb"))
    nb = read_nb(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, grade_id(cell)
    answers, tests = answer_cells(nb), grade_cells(nb)
    assert answers, f"{path} has no autograded answer cell"
    for answer in answers:
        assert f"test_{answer}" in tests, f"{answer} has no visible test cell test_{answer}"
        assert f"test_{answer}_hidden" in tests, f"{answer} has no test_{answer}_hidden"
    for test_id, points in tests.items():
        assert part_of(test_id) in answers, f"{test_id} grades no answer cell"
        assert points > 0, f"{test_id} has no points"
    hidden = [grade_id(c) for c in nb["cells"] if "### BEGIN HIDDEN TESTS" in source(c)]
    assert sorted(hidden) == sorted(t for t in tests if t.endswith("_hidden"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_book_has_the_current_student_version(graded, assignment):
    """The page in the book is what release.py generates now from the source."""
    g = graded(assignment)
    page = release.CHAPTERS[assignment]
    fresh = (g.course / page).read_text(encoding="utf-8")
    assert (ROOT / page).exists(), f"{page} is missing: run `make student`"
    assert (ROOT / page).read_text(encoding="utf-8") == fresh, (
        f"{page} is stale against solutions/{assignment}: run `make student` and commit it"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_and_no_hidden_test(graded, assignment):
    g = graded(assignment)
    released = {grade_id(c): source(c) for c in g.release_nb["cells"] if grade_id(c)}
    text = "\n".join(source(c) for c in g.release_nb["cells"])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    for cell in g.source_nb["cells"]:
        gid, src = grade_id(cell), source(cell)
        if gid in answer_cells(g.source_nb):
            assert "raise NotImplementedError()" in released[gid], gid
            inside = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, re.S)
            for line in inside.group(1).splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    assert line not in released[gid], f"solution line in {gid}: {line!r}"
        elif "### BEGIN HIDDEN TESTS" in src:
            assert released[gid].strip() == HIDDEN_TESTS.sub("", src).strip()
    for line in hidden_lines(g.source_nb):
        assert line not in text, f"hidden test line released: {line!r}"


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(graded, assignment, grader):
    g = graded(assignment, grader)
    assert "solution" in g.autograded
    assert g.scores["solution"] == g.points, g.log[-3000:]


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_scores_zero_without_crashing(graded, assignment, grader):
    g = graded(assignment, grader)
    assert "student-version" in g.autograded
    assert set(g.scores["student-version"].values()) == {0.0}
    # every submission was graded: no case stopped the batch
    assert g.autograded == set(g.scores), sorted(set(g.scores) - g.autograded)


@pytest.mark.parametrize(("assignment", "mutant", "grader"), MUTANTS)
def test_mutant_loses_exactly_its_parts(graded, assignment, mutant, grader):
    g = graded(assignment, grader)
    m = next(m for m in CATALOGS[assignment].MUTANTS if m["name"] == mutant)
    assert m["cell"] in answer_cells(g.source_nb), f"{mutant} replaces no answer cell"
    verdict = _mutant_verdict(g, m)
    assert verdict is None, f"{mutant}: {verdict}; scores {g.scores.get(f'mutant-{mutant}')}"


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kill_rate_is_100_percent(graded, assignment, grader):
    g = graded(assignment, grader)
    mutants = GRADED_MUTANTS[assignment, grader]
    survivors = [m["name"] for m in mutants if _mutant_verdict(g, m) is not None]
    assert len(mutants) >= len(answer_cells(g.source_nb)), "at least one mutant per part"
    assert {m["cell"] for m in mutants} == set(answer_cells(g.source_nb)), "parts untested"
    report = _report_path(g)
    assert report.exists()
    assert not survivors, f"surviving mutants: {survivors} (see {report})"


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize(("assignment", "variant"), VARIANTS)
def test_variant_scores_full_marks(graded, assignment, variant, grader):
    g = graded(assignment, grader)
    student = f"variant-{variant}"
    assert student in g.autograded
    assert g.scores[student] == g.points


@pytest.mark.parametrize("grader", GRADERS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_edited_or_deleted_test_cells_are_put_back(graded, assignment, grader):
    g = graded(assignment, grader)
    broken = CATALOGS[assignment].MUTANTS[0]["cell"]
    for student in ("tampered-tests-edited", "tampered-tests-deleted"):
        assert student in g.autograded
        assert lost(g, student) == {broken}, (student, g.scores[student])
    assert g.scores["tampered-all-tests-deleted-right-answers"] == g.points
