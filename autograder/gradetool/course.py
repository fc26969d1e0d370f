"""The course (its nbgrader configuration and folders) and an assignment's source.

A course root is a folder with an ``nbgrader_config.py``: the nbgrader course of this
repository, whose config (``autograder/nbgrader_config.py``) puts every generated folder and
the gradebook under ``autograder/``. `find_course` walks up from a folder to it and reads
nbgrader's own settings (folders, ``db_url``), so ``nbgrader export`` and formgrader see what
this tool writes. Its own outputs go next to nbgrader's: ``autograder/exports``,
``autograder/reports`` and its state in ``autograder/.gradetool``.

`load_assignment` reads ``solutions/<assignment>/``: the source notebook, its test cells and
their points, and a hash of everything that decides a grade; its student version (nbgrader's
``ClearSolutions`` and ``ClearHiddenTests``, as ``generate_assignment`` makes it) is made when
a submission is to be graded.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .repair import grade_id, is_answer, is_autograded_test, is_locked, nbgrader_meta, source_text

CONFIG = "nbgrader_config.py"
# source files never copied next to a running notebook
IGNORED = re.compile(r"(^|/)(\.ipynb_checkpoints|__pycache__|\.[^/]*)(/|$)")


class GradetoolError(Exception):
    """A problem with the course or the arguments: the message says what to fix."""


@dataclass
class Course:
    """An nbgrader course: where everything lives.

    Attributes
    ----------
    root : Path
        The course root (``CourseDirectory.root``).
    config : traitlets.config.Config
        The course's nbgrader configuration.
    db_url : str
        The gradebook (``CourseDirectory.db_url``).
    """

    root: Path
    config: object
    db_url: str
    directories: dict[str, str] = field(default_factory=dict)

    @property
    def source_dir(self) -> Path:
        return self.root / self.directories["source_directory"]

    @property
    def submitted_dir(self) -> Path:
        return self.root / self.directories["submitted_directory"]

    @property
    def autograded_dir(self) -> Path:
        return self.root / self.directories["autograded_directory"]

    @property
    def feedback_dir(self) -> Path:
        return self.root / self.directories["feedback_directory"]

    @property
    def work_dir(self) -> Path:
        """``autograder/``: where this tool writes its exports, reports and state."""
        return self.root / "autograder"

    @property
    def exports_dir(self) -> Path:
        return self.work_dir / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.work_dir / "reports"

    @property
    def state_dir(self) -> Path:
        return self.work_dir / ".gradetool"


def find_course(start: Path | str | None = None) -> Course:
    """The course whose root holds ``start`` (default: the current folder).

    ``start`` may be the root itself or any folder inside it; the nearest folder up with an
    ``nbgrader_config.py`` gives the configuration, whose ``CourseDirectory.root`` (if set)
    is the root.

    Raises
    ------
    GradetoolError
        If no folder up from ``start`` holds an ``nbgrader_config.py``.
    """
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return _load_course(folder / CONFIG)
    raise GradetoolError(
        f"no {CONFIG} in {here} or above: run from inside the course (the repository) or "
        "give --course ROOT"
    )


# nbgrader's defaults (``CourseDirectory``), for what a course's config leaves out
DIRECTORIES = {
    "source_directory": "source",
    "release_directory": "release",
    "submitted_directory": "submitted",
    "autograded_directory": "autograded",
    "feedback_directory": "feedback",
}


def _load_course(config_file: Path) -> Course:
    """The course of an ``nbgrader_config.py``, read with traitlets (nbgrader takes 2 s to load)."""
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader(config_file.name, str(config_file.parent))
    try:
        config = loader.load_config()
    except Exception as exc:
        raise GradetoolError(f"cannot read {config_file}: {exc}") from exc
    settings = config.CourseDirectory
    root = Path(settings["root"]) if "root" in settings else config_file.parent
    root = root.resolve()
    directories = {name: str(settings.get(name, value)) for name, value in DIRECTORIES.items()}
    db_url = settings.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
    return Course(root=root, config=config, db_url=str(db_url), directories=directories)


def nbgrader_ready() -> None:
    """Quiet nbgrader's known noise and let it find ``alembic`` (it runs the command)."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    logging.getLogger("traitlets").setLevel(logging.ERROR)


# ---------------------------------------------------------------------------- assignment


@dataclass
class Assignment:
    """An assignment's source, ready to grade submissions against.

    Attributes
    ----------
    name : str
        The assignment id (its folder in ``solutions/``).
    notebook : str
        The notebook's name without ``.ipynb``.
    source : dict
        The source notebook (solutions and hidden tests).
    release : dict or None
        Its student version (made when first needed: `student_version`).
    tests : dict of str to float
        Grade id → points of every autograded test cell, in the source's order.
    answer_of : dict of str to str
        Test grade id → the answer cell it follows in the source (for comments).
    files : dict of str to bytes
        The source folder's other files, copied next to each running notebook.
    tests_hash : str
        Hash of the locked cells, the graded cells' metadata and this tool's version: a
        submission graded under another hash is graded again.
    """

    name: str
    notebook: str
    source: dict
    release: dict | None
    tests: dict[str, float]
    answer_of: dict[str, str]
    files: dict[str, bytes]
    tests_hash: str
    config: object = None
    answer_modules: tuple[str, ...] = ()
    secret: bytes = b""

    def case_seed(self, text: str) -> int:
        """The seed of a submission's hidden test cases (`mlpbook.grading.case_rng`).

        The same for the same submitted text, so a regrade reproduces every score and
        message; another for any other text, so answers recorded from one submission's
        hidden calls are of no use in another. Keyed by the course's secret, which the
        student's code never sees (it stays outside the sandbox).
        """
        digest = hmac.new(self.secret, text.encode("utf-8", "replace"), hashlib.sha256)
        return int.from_bytes(digest.digest()[:8], "big")

    def student_version(self) -> dict:
        """The student version, made with nbgrader the first time it is needed."""
        if self.release is None:
            self.release = student_release(self.source, self.config)
        return self.release

    @property
    def max_score(self) -> float:
        return float(sum(self.tests.values()))

    @property
    def kernel_name(self) -> str:
        return self.source.get("metadata", {}).get("kernelspec", {}).get("name") or "python3"


def load_assignment(course: Course, name: str) -> Assignment:
    """Read ``<source_directory>/<name>/``.

    Raises
    ------
    GradetoolError
        If the folder, or its one notebook, is missing, or the notebook cannot be read.
    """
    if not name or "/" in name or name.startswith("."):
        raise GradetoolError(f"not an assignment name: {name!r}")
    folder = course.source_dir / name
    if not folder.is_dir():
        known = sorted(p.name for p in course.source_dir.glob("*") if p.is_dir())
        raise GradetoolError(
            f"no assignment {name!r}: no folder {folder} "
            f"(assignments: {', '.join(known) or 'none'})"
        )
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise GradetoolError(
            f"{folder} holds {len(notebooks)} notebooks: this tool grades assignments of exactly "
            "one notebook"
        )
    try:
        source = json.loads(notebooks[0].read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GradetoolError(f"cannot read the source notebook {notebooks[0]}: {exc}") from exc
    for cell in source["cells"]:  # one string per source, no outputs: as a task carries it
        cell["source"] = source_text(cell)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    tests: dict[str, float] = {}
    answer_of: dict[str, str] = {}
    answer = ""
    for cell in source["cells"]:
        if is_answer(cell):
            answer = grade_id(cell) or answer
        if is_autograded_test(cell) and grade_id(cell):
            tests[grade_id(cell)] = float(nbgrader_meta(cell).get("points", 0))
            answer_of[grade_id(cell)] = answer
    if not tests:
        raise GradetoolError(f"{notebooks[0]} has no autograded test cell")
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and path.suffix != ".ipynb" and not IGNORED.search(rel):
            files[rel] = path.read_bytes()
    return Assignment(
        name=name,
        notebook=notebooks[0].stem,
        source=source,
        release=None,
        tests=tests,
        answer_of=answer_of,
        files=files,
        tests_hash=hash_of_tests(source, files),
        config=course.config,
        answer_modules=declared_answer_modules(source),
        secret=course_secret(course),
    )


def declared_answer_modules(source: dict) -> tuple[str, ...]:
    """The modules an assignment declares as holding its answers.

    A set-up cell of the source (neither an answer nor a test) says so once, with string
    literals: ``grading.answer_modules("mlpbook.perceptron")``, read without running it
    (`mlpbook.grading.answer_modules_in`). While a submission is graded these modules, and
    the library modules that would hand out their functions, cannot be imported in the
    student's kernel (`gradetool.hiding`).
    """
    from mlpbook.grading import answer_modules_in

    from .remote import CELL_SEPARATOR

    setup = [
        source_text(cell)
        for cell in source["cells"]
        if cell.get("cell_type") == "code" and not is_answer(cell) and not is_autograded_test(cell)
    ]
    return answer_modules_in(CELL_SEPARATOR.join(setup))


def course_secret(course: Course) -> bytes:
    """The course's secret for the hidden tests' seeds, made once in its state folder.

    If the folder cannot be written, a secret derived from the course's path is used (the
    seeds then stay reproducible, but a student who knows the path could compute them).
    """
    path = course.state_dir / "case-secret"
    with contextlib.suppress(OSError):
        return bytes.fromhex(path.read_text().strip())
    secret = os.urandom(32)
    try:
        course.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret.hex())
    except FileExistsError:  # another process made it first
        return bytes.fromhex(path.read_text().strip())
    except OSError:
        return hashlib.sha256(str(course.root.resolve()).encode()).digest()
    return secret


def student_release(source: dict, config=None) -> dict:
    """The student version of a source notebook, made by nbgrader's own preprocessors."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = nbformat.from_dict(copy.deepcopy(source))
    resources: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for pre in (ClearSolutions, ClearHiddenTests):
            nb, resources = pre(config=config).preprocess(nb, resources)
    return json.loads(json.dumps(nb))


def hash_of_tests(source: dict, files: dict[str, bytes] | None = None) -> str:
    """What decides a grade besides the student's notebook, hashed.

    The locked cells (type and text), every graded cell's nbgrader metadata (points, ids),
    the files next to the notebook and this tool's version.
    """
    parts = []
    for cell in source["cells"]:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        text = source_text(cell) if is_locked(cell) else ""
        parts.append([cell.get("cell_type"), text, meta])
    files = {k: hashlib.sha256(v).hexdigest() for k, v in (files or {}).items()}
    blob = json.dumps([parts, files, __version__], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()
