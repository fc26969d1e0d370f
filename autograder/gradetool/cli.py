"""``course-grade``: grade a class of nbgrader submissions, or check one notebook.

    course-grade grade ASSIGNMENT SUBMISSIONS     collect, autograde, feedback, export, report
    course-grade collect ASSIGNMENT SUBMISSIONS   copy into autograder/submitted/
    course-grade autograde ASSIGNMENT             grade what autograder/submitted/ holds
    course-grade feedback ASSIGNMENT              HTML feedback per student
    course-grade export ASSIGNMENT                CSV files: grades, tests, Canvas
    course-grade report ASSIGNMENT                the class report
    course-grade check NOTEBOOK                   grade one notebook, as `grade` does

Exit status: 0 when the batch ran to its end, whatever the students got (``check``: 0 when
every test passes, 1 when one fails); 2 for bad arguments, a missing assignment or (for
``check``) an invalid notebook; 130 when interrupted (what was graded is saved).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from . import __version__, batch
from .course import GradetoolError, find_course, load_assignment
from .repair import grade_id
from .results import GRADED, INVALID, StudentResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="course-grade",
        description="Grade a class of nbgrader submissions in parallel, or check one notebook.",
        epilog="Run `course-grade COMMAND --help` for a command's options. Exit status: 0 "
        "when the batch ran to its end, whatever the students got (check: 0 when every test "
        "passes, 1 when one fails); 2 for bad arguments, a missing assignment or an "
        "unreadable notebook; 130 when interrupted (what was graded is saved).",
    )
    main.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if name != "check":
            p.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment id")
        return p

    def course(p):
        p.add_argument(
            "--course",
            metavar="ROOT",
            type=Path,
            help="the course root (default: the folder up from here with nbgrader_config.py)",
        )

    def run_options(p):
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--workers",
            type=_count,
            metavar="N",
            help="local worker processes (default: 1 per core)",
        )
        where.add_argument(
            "--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask scheduler's workers"
        )
        limits(p)
        p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
        p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def limits(p):
        p.add_argument(
            "--cell-timeout", type=_positive, default=30, metavar="SEC", help="per cell (30)"
        )
        p.add_argument(
            "--timeout", type=_positive, default=300, metavar="SEC", help="per submission (300)"
        )

    def canvas(p):
        p.add_argument(
            "--canvas-column",
            metavar="HEADER",
            help="the assignment's column in the Canvas CSV, e.g. 'Perceptron (123456)' "
            "(default: the assignment id)",
        )

    submissions_help = (
        "nbgrader's layout (<student>/<assignment>/<notebook>.ipynb) or a flat folder of "
        "LMS downloads (<student>_<anything>_<notebook>.ipynb, <student>.ipynb)"
    )
    p = command("grade", "collect, autograde, write feedback, exports and the report")
    p.add_argument("submissions", metavar="SUBMISSIONS", type=Path, help=submissions_help)
    course(p)
    run_options(p)
    canvas(p)

    p = command("collect", "copy submissions into autograder/submitted/<student>/<assignment>/")
    p.add_argument("submissions", metavar="SUBMISSIONS", type=Path, help=submissions_help)
    course(p)

    p = command("autograde", "autograde what autograder/submitted/ holds")
    course(p)
    run_options(p)

    p = command("feedback", "write each graded student's HTML feedback")
    course(p)

    p = command("export", "write the grades, tests and Canvas CSV files")
    course(p)
    canvas(p)

    p = command("report", "write the class report (HTML and Markdown)")
    course(p)

    p = command("check", "grade one notebook as `grade` does and print each test's result")
    p.add_argument("notebook", metavar="NOTEBOOK", type=Path, help="the notebook to check")
    p.add_argument("--assignment", metavar="A", help="its assignment (default: by its name)")
    course(p)
    limits(p)
    return main


def _err(message: str) -> None:
    print(f"course-grade: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    # A job started in the background of a non-interactive shell (CI, scripts) inherits
    # SIGINT ignored, and Python then installs no KeyboardInterrupt handler: `kill -INT`
    # must still stop a batch cleanly (results saved, exit 130).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = parser().parse_args(argv)
    try:
        return _dispatch(args)
    except GradetoolError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    except batch.Interrupted as exc:
        done = len(exc.batch.students)
        _err(f"interrupted: {done} results saved; run the same command again to finish")
        print(exc.batch.summary, flush=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED


def _dispatch(args) -> int:
    if args.command == "check":
        return _check(args)
    course = find_course(args.course)
    if args.command == "collect":
        done = batch.collect(args.assignment, args.submissions, course=course)
        _err(f"collected {len(done.students)} submissions into {course.submitted_dir}")
        if done.unmatched:
            _err(f"not understood, not copied: {', '.join(done.unmatched)}")
        return EXIT_OK
    if args.command in ("grade", "autograde"):
        common = {
            "course": course,
            "workers": args.workers,
            "scheduler": args.scheduler,
            "cell_timeout": args.cell_timeout,
            "timeout": args.timeout,
            "force": args.force,
            "progress": not args.no_progress,
        }
        if args.command == "grade":
            result = batch.grade(
                args.assignment, args.submissions, canvas_column=args.canvas_column, **common
            )
            _err(f"results in {course.work_dir}: exports/, reports/, feedback/, autograded/")
        else:
            result = batch.autograde(args.assignment, **common)
        for student, r in result.students.items():
            if r.status not in (GRADED, "skipped"):
                _err(f"{student}: {r.status}: {r.reason}")
        print(result.summary, flush=True)
        return EXIT_OK
    ctx = batch.Context.open(args.assignment, course)
    if args.command == "feedback":
        written = batch.feedback(ctx)
        _err(f"wrote {len(written)} feedback files under {course.feedback_dir}")
    elif args.command == "export":
        for path in batch.export(ctx, canvas_column=args.canvas_column):
            _err(f"wrote {path}")
    elif args.command == "report":
        for path in batch.report(ctx):
            _err(f"wrote {path}")
    return EXIT_OK


def _check(args) -> int:
    path = args.notebook
    if not path.is_file():
        raise GradetoolError(f"no notebook {path}")
    course = None
    if args.course is None:
        for start in (path.resolve().parent, Path.cwd()):
            try:
                course = find_course(start)
                break
            except GradetoolError:
                continue
    course = course or find_course(args.course)
    assignment = args.assignment or _guess_assignment(course, path)
    spec = load_assignment(course, assignment)
    if path.name != f"{spec.notebook}.ipynb":
        _err(f"note: the grader looks for {spec.notebook}.ipynb: submit the file under that name")
    result = batch.check(spec, path, cell_timeout=args.cell_timeout, timeout=args.timeout)
    _print_check(path, assignment, result)
    if result.status == INVALID:
        return EXIT_USAGE
    ok = result.status == GRADED and all(p.passed for p in result.parts.values())
    return EXIT_OK if ok else EXIT_FAILED


def _guess_assignment(course, path: Path) -> str:
    """The assignment whose notebook has this name, else the one sharing most grade ids."""
    folders = sorted(p for p in course.source_dir.glob("*") if p.is_dir())
    named = [f.name for f in folders if (f / path.name).is_file()]
    if len(named) == 1:
        return named[0]
    try:
        ids = {grade_id(c) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        ids = set()
    best, best_n = None, 0
    for folder in folders:
        for nb in folder.glob("*.ipynb"):
            with open(nb, encoding="utf-8") as fh:
                n = len(ids & {grade_id(c) for c in json.load(fh)["cells"]} - {None})
            if n > best_n:
                best, best_n = folder.name, n
    if best is None:
        raise GradetoolError(
            f"cannot tell the assignment of {path.name}: give --assignment "
            f"({', '.join(f.name for f in folders) or 'no assignment in the course'})"
        )
    return best


def _print_check(path: Path, assignment: str, result: StudentResult) -> None:
    print(f"{path.name} ({assignment}): {result.status}: {result.reason}")
    for line in result.repairs:
        print(f"  repaired: {line}")
    width = max((len(g) for g in result.parts), default=0)
    for gid, part in result.parts.items():
        verdict = "pass" if part.passed else "FAIL"
        print(f"  {verdict}  {gid:<{width}}  {part.points:g}/{part.max_points:g}", end="")
        print(f"  {part.message}" if part.message else "")
    if result.parts:
        total = sum(p.points for p in result.parts.values())
        print(f"score: {total:g} / {result.max_score:g}")


if __name__ == "__main__":
    sys.exit(main())
