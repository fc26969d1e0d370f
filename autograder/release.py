"""Generate the student version of every graded notebook and put it in the book.

    python autograder/release.py [--root DIR] [--check]

For each assignment in ``solutions/`` this runs nbgrader's ``generate_assignment`` (its
Python API, with the course's config ``autograder/nbgrader_config.py``), which writes
``autograder/release/<assignment>/`` and records the assignment in the gradebook, then copies
the release notebook, normalised, to the chapter's page given in `CHAPTERS`. Regenerating
without changes gives byte-identical files, and a file is only rewritten when it changes.

``--root`` runs on another copy of the course (the tests use a temporary one); ``--check``
writes nothing into the chapters and fails if one of them is stale. Any failure exits with
status 1 and a message that says what to do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# assignment (a folder of solutions/) → the student version's page in the book: the page
# keeps the source notebook's name, so the file students download is the one nbgrader grades
CHAPTERS = {
    "ch01_perceptron": "chapters/01_perceptron/perceptron_exercise.ipynb",
}

# Text that must never reach students: nbgrader's markers around solutions and hidden tests.
FORBIDDEN_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class ReleaseError(Exception):
    """Something the instructor has to fix; the message says what."""


def assignments(root: Path) -> list[str]:
    """The assignments: the folders of ``solutions/`` that hold a notebook, sorted."""
    source = root / "solutions"
    if not source.is_dir():
        raise ReleaseError(f"no folder {source}: the nbgrader source notebooks live there")
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def generate(root: Path, assignment: str) -> Path:
    """Run nbgrader generate_assignment for ``assignment``; return its release notebook."""
    # nbgrader is imported here: `--help` and the error paths stay fast
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs the `alembic` command when it creates a gradebook: without the venv's
    # bin/ on PATH (`.venv/bin/python …` without activating) that fails
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    config_file = root / "autograder" / "nbgrader_config.py"
    if not config_file.is_file():
        raise ReleaseError(f"no nbgrader config at {config_file}")
    config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
    with warnings.catch_warnings():
        # nbgrader 0.9.6 with SQLAlchemy 2.x warns on every run; nothing to act on
        warnings.simplefilter("ignore")
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        result = api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise ReleaseError(f"nbgrader generate_assignment {assignment} failed:\n{_why(result)}")
    release = Path(api.coursedir.format_path(api.coursedir.release_directory, ".", assignment))
    notebooks = sorted(release.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ReleaseError(
            f"{release} holds {len(notebooks)} notebooks: each assignment has exactly one "
            "graded notebook, shown as one page of its chapter"
        )
    return notebooks[0]


def _why(result: dict) -> str:
    """nbgrader's own error messages from a failed run, without its Python tracebacks."""
    log = (result.get("log") or "").split("[ERROR] Traceback")[0]
    lines = [line for line in log.splitlines() if line.strip() and not line.startswith("[INFO]")]
    if not lines:  # no message of nbgrader's own: the end of the traceback says most
        lines = (result.get("error") or "unknown error").strip().splitlines()[-5:]
    return "\n".join(lines)


def normalise(notebook: Path) -> str:
    """The notebook as canonical JSON text: outputs cleared, keys sorted, one newline."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        for key in ("collapsed", "scrolled", "execution", "ExecuteTime"):
            cell["metadata"].pop(key, None)
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    leaked = [marker for marker in FORBIDDEN_MARKERS if marker in text]
    if leaked:
        raise ReleaseError(
            f"{notebook} still contains {', '.join(leaked)}: check the markers in the source "
            "notebook (### BEGIN SOLUTION … ### END SOLUTION, ### BEGIN HIDDEN TESTS … "
            "### END HIDDEN TESTS, each on a line of its own in a cell nbgrader knows)"
        )
    return text


def release(root: Path, *, check: bool = False) -> list[str]:
    """Release every assignment into the book; return the stale pages (with ``check``)."""
    found = assignments(root)
    unmapped = [a for a in found if a not in CHAPTERS]
    if unmapped:
        raise ReleaseError(
            f"no chapter page for {', '.join(unmapped)}: add it to CHAPTERS in "
            "autograder/release.py (assignment → chapters/<chapter>/<source notebook name>.ipynb)"
        )
    stale = []
    for assignment in found:
        text = normalise(generate(root, assignment))
        page = root / CHAPTERS[assignment]
        if not page.parent.is_dir():
            raise ReleaseError(f"no chapter folder {page.parent} for {assignment}")
        current = page.read_text(encoding="utf-8") if page.exists() else None
        if current == text:
            continue
        stale.append(CHAPTERS[assignment])
        if not check:
            tmp = page.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(page)
            print(f"release: wrote {CHAPTERS[assignment]} (from solutions/{assignment})")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the course's root folder")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a page is stale"
    )
    args = parser.parse_args(argv)
    try:
        stale = release(args.root.resolve(), check=args.check)
    except ReleaseError as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 1
    if args.check and stale:
        print(
            f"release.py: stale student version(s): {', '.join(stale)}; "
            "run `make student` and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
