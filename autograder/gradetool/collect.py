"""Bring submissions into the course: ``autograder/submitted/<student>/<assignment>/``.

Two layouts are read:

- nbgrader's: ``SUBMISSIONS/<student>/<assignment>/<files>`` (also
  ``SUBMISSIONS/<student>/<files>``); each student's folder is copied as it is;
- a flat folder of files downloaded from an LMS. Canvas names them
  ``<student>[_late]_<user id>_<submission id>_<file name>`` (``-1``, ``-2``… appended to a
  re-submitted file's name); nbgrader's ``zip_collect`` has no default pattern (its
  ``FileNameCollectorPlugin.named_regexp`` is empty in 0.9.6, its docs show one of this
  kind). Also read: ``<student>_<anything>_<notebook>.ipynb``, ``<student>_<notebook>.ipynb``
  and ``<student>.ipynb``. The student id is the name's part before the first underscore
  (Canvas ids have none); a file named after no notebook of the assignment is kept under its
  own name, so grading reports it as a renamed notebook.

`scan` lists what the course's submitted folder holds for an assignment: per student, the
notebook to grade (or the notebooks found instead) and the other files, which grading ignores.

Only regular files are ever read. A symbolic link is copied as a link (never followed: a
link to the instructor's solution must not be graded as the student's work) and `scan`
reports it, unread; a device, named pipe or socket is not copied at all (reading one could
block forever), and is reported with the entries not understood.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

# files nbgrader itself keeps in a submission folder, never reported as extra
NBGRADER_FILES = {"timestamp.txt"}
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".DS_Store")
CANVAS = re.compile(
    r"^(?P<student>[^_]+)(?:_late)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$"
)
RESUBMITTED = re.compile(r"^(?P<name>.+?)-(?P<n>\d+)$")
STUDENT_ID = re.compile(r"^[^/\\\0]+$")


@dataclass
class Submission:
    """One student's submission of an assignment, in the course's submitted folder.

    Attributes
    ----------
    student : str
    folder : Path
        ``autograder/submitted/<student>/<assignment>``.
    notebook : Path or None
        The notebook to grade; None if the folder has no notebook of that name.
    found : list of str
        The other notebooks in the folder.
    extra_files : list of str
        Every other file (relative paths), ignored by grading.
    renamed_from : str or None
        When the notebook is a copy under another name (``<name>-Copy1.ipynb``,
        ``<name> (1).ipynb``, ``Copy of <name>.ipynb``), its name.
    """

    student: str
    folder: Path
    notebook: Path | None
    found: list[str] = field(default_factory=list)
    extra_files: list[str] = field(default_factory=list)
    renamed_from: str | None = None


@dataclass
class Collected:
    """What `collect` copied.

    Attributes
    ----------
    students : list of str
        The students whose submission was copied (or found in place).
    canvas_ids : dict of str to str
        Student → Canvas user id, from Canvas file names.
    unmatched : list of str
        Files and folders of SUBMISSIONS that name no student submission (not copied).
    """

    students: list[str] = field(default_factory=list)
    canvas_ids: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def _valid_student(name: str) -> bool:
    return bool(STUDENT_ID.match(name)) and name not in (".", "..") and not name.startswith(".")


def parse_filename(filename: str, notebook: str) -> tuple[str, str, str | None] | None:
    """Read a downloaded file's name: ``(student, file name to store, Canvas user id)``.

    Parameters
    ----------
    filename : str
        The file's name, e.g. ``alice_late_12345_67890_perceptron_exercise-1.ipynb``.
    notebook : str
        The assignment's notebook name, without ``.ipynb``.

    Returns
    -------
    tuple or None
        None when no student can be read from the name.

    Examples
    --------
    >>> parse_filename("alice_late_12345_67890_perceptron_exercise.ipynb", "perceptron_exercise")
    ('alice', 'perceptron_exercise.ipynb', '12345')
    >>> parse_filename("bob.ipynb", "perceptron_exercise")
    ('bob', 'perceptron_exercise.ipynb', None)
    """
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem or stem.startswith("."):
        return None
    ext = f".{ext}"
    plain = RESUBMITTED.match(stem)
    if notebook in (stem, plain and plain.group("name")):
        return None  # the notebook's own name: no student in it
    canvas = CANVAS.match(stem)
    user = canvas.group("user") if canvas else None
    suffix = f"_{notebook}"
    for candidate in (stem, plain and plain.group("name")):
        if candidate and candidate.endswith(suffix) and len(candidate) > len(suffix):
            return candidate[: -len(suffix)].split("_")[0], notebook + ext, user
    if canvas:
        name = canvas.group("file")
        again = RESUBMITTED.match(name)
        if again and again.group("name") == notebook:
            name = notebook
        return canvas.group("student"), name + ext, user
    if ext == ".ipynb":
        return stem, notebook + ext, None  # <student>.ipynb
    return None


def _resubmission(filename: str) -> int:
    """Canvas's re-submission number of a file (``name-2.ipynb`` → 2; none → 0)."""
    plain = RESUBMITTED.match(filename.rpartition(".")[0])
    return int(plain.group("n")) if plain else 0


def collect(submissions: Path, submitted_dir: Path, assignment: str, notebook: str) -> Collected:
    """Copy the submissions in ``submissions`` into ``submitted_dir/<student>/<assignment>``.

    A student's folder there is replaced by the new copy. When ``submissions`` is
    ``submitted_dir`` itself nothing is copied.

    Parameters
    ----------
    submissions : Path
        nbgrader's layout or a flat folder of LMS downloads (see the module's docstring).
    submitted_dir : Path
        The course's ``autograder/submitted``.
    assignment, notebook : str
        The assignment id and its notebook's name (without ``.ipynb``).

    Returns
    -------
    Collected
    """
    submissions = Path(submissions).resolve()
    submitted_dir = Path(submitted_dir).resolve()
    out = Collected()
    if submissions == submitted_dir:
        out.students = sorted(
            p.name
            for p in submitted_dir.iterdir()
            if (p / assignment).is_dir() and _valid_student(p.name)
        )
        return out
    flat: dict[str, list[tuple[Path, str]]] = {}
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        kind = not_regular(entry)
        if kind not in (None, "a folder", "a symbolic link"):
            out.unmatched.append(f"{entry.name} ({kind}, not read)")
            continue
        if kind == "a folder":
            folder = entry / assignment if not_regular(entry / assignment) == "a folder" else entry
            has_files = any(not_regular(p) != "a folder" for p in folder.iterdir())
            if not _valid_student(entry.name) or not has_files:
                out.unmatched.append(entry.name + "/")
                continue
            _replace(folder, submitted_dir / entry.name / assignment, out.unmatched, submissions)
            out.students.append(entry.name)
        else:
            parsed = parse_filename(entry.name, notebook)
            if parsed is None or not _valid_student(parsed[0]):
                out.unmatched.append(entry.name + (f" ({kind}, not read)" if kind else ""))
                continue
            student, stored, user = parsed
            flat.setdefault(student, []).append((entry, stored))
            if user:
                out.canvas_ids[student] = user
    for student, files in sorted(flat.items()):
        dest = submitted_dir / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        # the latest re-submission wins when several files get the same name
        for path, stored in sorted(files, key=lambda f: (_resubmission(f[0].name), f[0].name)):
            (dest / stored).unlink(missing_ok=True)
            if not_regular(path):  # a link stays a link, reported unread by `scan`
                os.symlink(os.readlink(path), dest / stored)
            else:
                shutil.copy2(path, dest / stored)
        out.students.append(student)
    out.students = sorted(set(out.students))
    return out


def not_regular(path: Path) -> str | None:
    """None for a regular file; else what ``path`` is, never following a link."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "missing"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a device, pipe or socket"


def _replace(src: Path, dest: Path, refused: list[str], root: Path) -> None:
    """Copy the folder ``src`` to ``dest``: files, folders and links (as links) only."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)

    def ignore(folder, names):
        skipped = set(SKIP(folder, names))
        for name in names:
            kind = not_regular(Path(folder) / name)
            if kind not in (None, "a folder", "a symbolic link"):
                skipped.add(name)
                refused.append(f"{Path(folder, name).relative_to(root)} ({kind}, not read)")
        return skipped

    shutil.copytree(src, dest, symlinks=True, ignore=ignore)


def scan(
    submitted_dir: Path, assignment: str, notebook: str, students=None
) -> dict[str, Submission]:
    """The submissions of ``assignment`` in the course's submitted folder, by student.

    Parameters
    ----------
    submitted_dir : Path
    assignment, notebook : str
    students : iterable of str, optional
        Only these students (default: every student folder with an ``<assignment>/``).
    """
    submitted_dir = Path(submitted_dir)
    if students is None:
        students = (
            [p.name for p in submitted_dir.iterdir() if (p / assignment).is_dir()]
            if submitted_dir.is_dir()
            else []
        )
    out = {}
    for student in sorted(students):
        folder = submitted_dir / student / assignment
        files, refused = [], []
        if not_regular(folder.parent) == "a symbolic link":
            refused.append(f"../{student}/ (a symbolic link, not read)")
        elif not_regular(folder) == "a symbolic link":
            refused.append(f"{assignment}/ (a symbolic link, not read)")
        elif not_regular(folder) == "a folder":
            for p in sorted(_walk(folder)):
                kind = not_regular(p)
                name = p.relative_to(folder).as_posix()
                if kind is None:
                    files.append(name)
                elif kind != "a folder":
                    refused.append(f"{name} ({kind}, not read)")
        target = f"{notebook}.ipynb"
        found = [f for f in files if _notebook_like(f) and f != target] + refused
        renamed = None if target in files else _forgiven(found, notebook)
        graded = renamed or target
        extra = [f for f in files if f != graded and f not in NBGRADER_FILES] + refused
        path = folder / graded
        out[student] = Submission(
            student=student,
            folder=folder,
            notebook=path if graded in files else None,
            found=found,
            extra_files=extra,
            renamed_from=renamed,
        )
    return out


def _walk(folder: Path):
    """Every path under ``folder``, not descending into links or checkpoints."""
    for root, dirs, names in os.walk(folder):  # os.walk follows no link by default
        dirs[:] = [d for d in dirs if d != ".ipynb_checkpoints"]
        for name in dirs + names:
            yield Path(root, name)


def _notebook_like(filename: str) -> bool:
    """A notebook, or one a browser saved as ``.ipynb.json`` (Safari)."""
    return filename.lower().endswith((".ipynb", ".ipynb.json"))


def _forgiven(found: list[str], notebook: str) -> str | None:
    """The file graded in place of a missing ``<notebook>.ipynb``, or None.

    In this order: the name in another case or saved as ``.ipynb.json``; a copy's name
    (`_is_copy`); the only notebook of the submission, whatever its name (``HW1.ipynb``).
    Grading then notes which file it graded; one of another assignment is still invalid
    (none of the source's grade ids), and two candidates are never guessed between.
    """
    readable = [f for f in found if "/" not in f and _notebook_like(f)]
    for match in (lambda f: _same_name(f, notebook), lambda f: _is_copy(f, notebook)):
        hits = [f for f in readable if match(f)]
        if hits:
            return hits[0] if len(hits) == 1 else None
    return readable[0] if len(readable) == 1 else None


def _stem(filename: str) -> str:
    lower = filename.lower()
    for suffix in (".ipynb.json", ".ipynb"):
        if lower.endswith(suffix):
            return filename[: -len(suffix)]
    return filename


def _same_name(filename: str, notebook: str) -> bool:
    return _stem(filename).lower() == notebook.lower()


def _is_copy(filename: str, notebook: str) -> bool:
    """Whether ``filename`` is the notebook saved under a copy's name (any case).

    Jupyter's "Make a Copy" (``name-Copy1``), a browser's second download (``name (1)``),
    Canvas's re-submission (``name-1``), Google Colab's ``Copy of name``.
    """
    stem = _stem(filename)
    forms = (
        rf"{re.escape(notebook)}(-Copy\d+| ?\(\d+\)|[-_]\d+)",
        rf"Copy of {re.escape(notebook)}( ?\(\d+\))?",
    )
    return "/" not in stem and any(re.fullmatch(form, stem, re.I) for form in forms)
