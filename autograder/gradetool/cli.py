"""``course-grade``: grade a class of nbgrader submissions, or check one notebook.

    course-grade grade ASSIGNMENT SUBMISSIONS     collect, autograde, feedback, export, report
    course-grade collect ASSIGNMENT SUBMISSIONS   copy into autograder/submitted/
    course-grade autograde ASSIGNMENT             grade what autograder/submitted/ holds
    course-grade feedback ASSIGNMENT              HTML feedback per student
    course-grade export ASSIGNMENT                CSV files: grades, tests, Canvas
    course-grade report ASSIGNMENT                the class report
    course-grade check NOTEBOOK                   grade one notebook, as `grade` does
    course-grade sandbox                          what confines a submission on this machine

``grade``, ``autograde``, ``check`` and ``sandbox`` take the limits of `gradetool.limits`
(``--memory 2G --max-processes 64 --sandbox require`` …); their defaults are ``Limits()``'s.

Exit status: 0 when the batch ran to its end, whatever the students got (``check``: 0 when
every test passes, 1 when one fails; ``sandbox``: 0 when a sandbox is available, 1 when
not); 2 for bad arguments, a missing assignment, no sandbox under ``--sandbox require`` or
(for ``check``) an invalid notebook; 130 when interrupted (what was graded is saved); 141 when the
reader of its output left (`| head`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from . import __version__, batch
from .course import GradetoolError, find_course, load_assignment
from .limits import SANDBOX_MODES, Limits, format_size, parse_size
from .repair import grade_id
from .results import GRADED, INVALID, StudentResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_PIPE = 141  # as a shell reports a command ended by SIGPIPE


DEFAULT = Limits()


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number at least 1, not {text!r}")
    return value


def _chars(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of characters (0 or more), not {text!r}"
        )
    return value


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
        if name not in ("check", "sandbox"):
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
        # default None: what is not given is Limits()'s (see _limits)
        g = p.add_argument_group("limits", "what a submission may use while it is graded")
        g.add_argument(
            "--cell-timeout",
            type=_positive,
            metavar="SEC",
            help=f"seconds per cell ({DEFAULT.cell_timeout:g})",
        )
        g.add_argument(
            "--timeout",
            type=_positive,
            metavar="SEC",
            help=f"seconds per submission ({DEFAULT.timeout:g})",
        )
        g.add_argument(
            "--memory",
            type=_size,
            metavar="SIZE",
            help=f"address space per kernel process, e.g. 2G ({format_size(DEFAULT.memory)})",
        )
        g.add_argument(
            "--max-processes",
            dest="processes",
            type=_count,
            metavar="N",
            help=f"processes and threads of the kernel ({DEFAULT.processes})",
        )
        g.add_argument(
            "--max-file-size",
            dest="file_size",
            type=_size,
            metavar="SIZE",
            help=f"per file the kernel writes ({format_size(DEFAULT.file_size)})",
        )
        g.add_argument(
            "--max-open-files",
            dest="open_files",
            type=_count,
            metavar="N",
            help=f"files and sockets the kernel holds open ({DEFAULT.open_files})",
        )
        g.add_argument(
            "--scratch",
            type=_size,
            metavar="SIZE",
            help=f"the kernel's private writable folder ({format_size(DEFAULT.scratch)})",
        )
        g.add_argument(
            "--max-output",
            dest="output",
            type=_chars,
            metavar="CHARS",
            help=f"output kept per notebook ({DEFAULT.output:,})",
        )
        g.add_argument(
            "--max-cell-output",
            dest="cell_output",
            type=_chars,
            metavar="CHARS",
            help=f"output kept per cell (a tenth of --max-output: {DEFAULT.cell_output:,})",
        )
        g.add_argument(
            "--max-notebook-size",
            dest="notebook_size",
            type=_size,
            metavar="SIZE",
            help="a larger submitted notebook is invalid, never read "
            f"({format_size(DEFAULT.notebook_size)})",
        )
        g.add_argument(
            "--max-cells",
            dest="cells",
            type=_count,
            metavar="N",
            help=f"a submitted notebook with more cells is invalid ({DEFAULT.cells})",
        )
        g.add_argument(
            "--sandbox",
            choices=SANDBOX_MODES,
            help="auto: sandbox when possible, else warn and grade without; require: refuse "
            f"to grade without; off: never (default: {DEFAULT.sandbox})",
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

    p = command(
        "sandbox",
        "print what confines a submission on this machine under these limits; "
        "exit 0 when a sandbox is available, 1 when not",
    )
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
    # jsonschema (nbformat's validator, loaded with nbgrader for the gradebook) imports
    # rfc3987_syntax when it is installed, only to check the "iri" string format, which no
    # notebook schema uses; it compiles its grammars at import, 1.3 s of CPU at the start
    # of every batch, while the workers boot: this command does without it
    sys.modules.setdefault("rfc3987_syntax", None)
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
    except BrokenPipeError:  # `course-grade … | head`: the reader left; what was graded is saved
        with contextlib.suppress(Exception):  # no second error when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE


def _limits(args) -> Limits:
    """The `Limits` of the options given; ``Limits()``'s for the others.

    Without ``--max-cell-output``, a cell keeps a tenth of ``--max-output``.
    """
    names = ("cell_timeout", "timeout", "memory", "processes", "file_size", "open_files")
    names += ("scratch", "output", "cell_output", "notebook_size", "cells", "sandbox")
    given = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if "output" in given and "cell_output" not in given:
        given["cell_output"] = given["output"] // 10
    try:
        return Limits(**given)
    except ValueError as exc:
        raise GradetoolError(str(exc)) from None


def _dispatch(args) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "sandbox":
        return _sandbox(args)
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
            "limits": _limits(args),
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
        if getattr(result, "sandbox", ""):
            _err(f"sandbox: {result.sandbox}")
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
    limits = _limits(args)
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
    result = batch.check(spec, path, limits=limits)
    _print_check(path, assignment, result)
    if result.status == INVALID:
        return EXIT_USAGE
    ok = result.status == GRADED and all(p.passed for p in result.parts.values())
    return EXIT_OK if ok else EXIT_FAILED


def _sandbox(args) -> int:
    """Print `sandbox.capabilities`, one line per item; 0 if a sandbox is available, else 1."""
    import subprocess

    from . import sandbox

    limits = _limits(args)
    try:
        root = find_course(args.course).root
    except GradetoolError:
        if args.course is not None:
            raise
        root = None  # not in a course: the current folder is the one to hide
    try:
        caps = sandbox.capabilities(limits, course=root)
    except sandbox.SandboxUnavailable as exc:  # --sandbox require, and none here
        caps = {"sandbox": False, "reason": str(exc)}
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        raise GradetoolError(f"cannot tell what is in force: {exc}") from None
    lines = []
    for key, value in caps.items():
        label = key.replace("_", " ")
        if key in _SHOWN:
            label += f" ({_SHOWN[key](limits)})"
        if isinstance(value, (list, tuple)):
            lines += [(label, str(item)) for item in value]
        elif isinstance(value, str):
            lines += [(label, value)] if value else []
        else:
            lines.append((label, "yes" if value else "no"))
    width = max((len(label) for label, _ in lines), default=0)
    for label, text in lines:
        print(f"{label + ':':<{width + 2}}{text}")
    return EXIT_OK if caps.get("sandbox") else EXIT_FAILED


# the limit each capability is about, shown next to it
_SHOWN = {
    "memory": lambda limits: format_size(limits.memory),
    "processes": lambda limits: f"{limits.processes}",
    "file_size": lambda limits: format_size(limits.file_size),
    "open_files": lambda limits: f"{limits.open_files}",
    "scratch": lambda limits: format_size(limits.scratch),
}


def _guess_assignment(course, path: Path) -> str:
    """The assignment whose notebook has this name, else the one sharing most grade ids."""
    folders = sorted(p for p in course.source_dir.glob("*") if p.is_dir())
    named = [f.name for f in folders if (f / path.name).is_file()]
    if len(named) == 1:
        return named[0]
    from .repair import InvalidNotebook, parse_notebook

    try:
        ids = {grade_id(c) for c in parse_notebook(path.read_bytes())["cells"]}
    except OSError as exc:
        raise GradetoolError(f"cannot read {path}: {exc}") from None
    except InvalidNotebook as exc:  # the file's fault, not the assignment's
        raise GradetoolError(f"{path.name}: {exc}") from None
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
