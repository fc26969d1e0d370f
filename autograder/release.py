"""Generate the student version of every graded notebook and put it in the book.

    python autograder/release.py [--root DIR] [--check]

For each assignment in ``solutions/`` this runs nbgrader's ``generate_assignment`` (its
Python API, with the course's config ``autograder/nbgrader_config.py``), which writes
``autograder/release/<assignment>/`` and records the assignment in the gradebook, then copies
the release notebook, normalised and presented as the book shows it (`present`: titled
"Lab N (graded)", a collapsed "How to work and submit" block, the test cells' code hidden on
the web), to the chapter's page given in `CHAPTERS`. Regenerating without changes gives
byte-identical files, and a file is only rewritten when it changes.

    python autograder/release.py --kits

builds instead, for every assignment, the student kit the exercise page links to
(`build_kit`): ``chapters/<chapter>/<assignment>_kit.zip`` with the student notebook, the
``mlpbook`` wheel (the library only: no grading tool, no solution), a requirements file and a
README with the commands for Linux, macOS and Windows. It needs no nbgrader.

``--root`` runs on another copy of the course (the tests use a temporary one); ``--check``
writes nothing into the chapters and fails if one of them is stale. Any failure exits with
status 1 and a message that says what to do.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import logging
import os
import re
import sys
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# assignment (a folder of solutions/) → the student version's page in the book: the page
# keeps the source notebook's name, so the file students download is the one nbgrader grades
CHAPTERS = {
    "ch01_perceptron": "chapters/01_perceptron/perceptron_exercise.ipynb",
    "ch02_activations": "chapters/02_activations/activations_exercise.ipynb",
    "ch03_approximation": "chapters/03_approximation/approximation_exercise.ipynb",
    "ch04_backprop": "chapters/04_backprop/backprop_exercise.ipynb",
    "ch05_initialization": "chapters/05_initialization/initialization_exercise.ipynb",
    "ch06_regularization": "chapters/06_overfitting/regularization_exercise.ipynb",
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


def normalise(notebook: Path, assignment: str | None = None) -> str:
    """The notebook as canonical JSON text: outputs cleared, keys sorted, one newline.

    With ``assignment``, the notebook is also presented as the book shows it (`present`).
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        for key in ("collapsed", "scrolled", "execution", "ExecuteTime"):
            cell["metadata"].pop(key, None)
    if assignment is not None:
        present(nb, assignment, notebook.name)
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    leaked = [marker for marker in FORBIDDEN_MARKERS if marker in text]
    if leaked:
        raise ReleaseError(
            f"{notebook} still contains {', '.join(leaked)}: check the markers in the source "
            "notebook (### BEGIN SOLUTION … ### END SOLUTION, ### BEGIN HIDDEN TESTS … "
            "### END HIDDEN TESTS, each on a line of its own in a cell nbgrader knows)"
        )
    return text


# ---------------------------------------------------------------------------- the page
# What `present` changes after nbgrader: the first markdown cell (the title, and the steps
# added at its end) and the test cells' tags. nbgrader's checksums cover a cell's source,
# type, grade flags, id and points, never its tags, and cells without nbgrader metadata are
# not graded: the student version grades exactly as nbgrader released it.

# the cell tag that folds a cell's code on the web page (MyST-NB); the download keeps it
WEB_HIDDEN_TAG = "hide-input"
STEPS_TITLE = "How to work and submit"
TITLE_PREFIX = re.compile(
    r"^(?:exercise|lab(?:\s+\d+)?)(?:\s*\(graded\))?\s*[:.\u2013\u2014-]\s*", re.I
)
TITLE_SUFFIX = re.compile(r"\s*\(graded\)\s*$", re.I)


def lab_number(assignment: str) -> int:
    """The lab's number: its chapter's, from the assignment's name ``chNN_topic``."""
    match = re.fullmatch(r"ch(\d+)_\w+", assignment)
    if not match:
        raise ReleaseError(
            f"cannot tell the chapter of the assignment {assignment!r}: name its folder of "
            "solutions/ chNN_topic (ch02_activations, say)"
        )
    return int(match.group(1))


def kit_name(assignment: str) -> str:
    """The file name of the assignment's student kit, next to its page in the book."""
    return f"{assignment}_kit.zip"


def present(nb: dict, assignment: str, notebook_name: str) -> dict:
    """Present a student version as the book shows it, in place; return it.

    The first cell's title becomes "# Lab N (graded): <topic>" (so that the graded lab is not
    confused with the chapter's ungraded exercises); a collapsed "How to work and submit"
    block with the student kit's steps closes that cell; every graded test cell is tagged
    ``hide-input``: its code is folded on the web page, and kept in the download.
    """
    number = lab_number(assignment)
    cells = nb["cells"]
    first = cells[0] if cells else None
    text = "".join(first["source"]) if first and first["cell_type"] == "markdown" else ""
    title, _, rest = text.partition("\n")
    if not title.startswith("# "):
        raise ReleaseError(
            f"the notebook of {assignment} must open with a markdown cell whose first line "
            "is its title, '# <topic>' (it becomes '# Lab N (graded): <topic>')"
        )
    topic = TITLE_SUFFIX.sub("", TITLE_PREFIX.sub("", title[2:].strip())).strip()
    heading = f"# Lab {number} (graded): {topic}" if topic else f"# Lab {number} (graded)"
    # the steps close the first cell: the notebook keeps the source's cells, one for one
    # (the grading tools match a submission's cells against them)
    steps = steps_block(assignment, notebook_name)
    first["source"] = f"{heading}\n{rest.rstrip()}\n\n{steps}".splitlines(True)
    for cell in cells:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            tags = cell["metadata"].get("tags", [])
            cell["metadata"]["tags"] = (
                [*tags, WEB_HIDDEN_TAG] if WEB_HIDDEN_TAG not in tags else tags
            )
    return nb


def steps_block(assignment: str, notebook_name: str) -> str:
    """The "How to work and submit" block: an HTML <details>, folded in Jupyter and on the web.

    Its commands are those of the kit's README (`kit_readme`), which the kit test runs.
    """
    kit = kit_name(assignment)
    install_unix, install_windows = "\n".join(INSTALL["unix"]), "\n".join(INSTALL["windows"])
    return f"""<details>
<summary><strong>{STEPS_TITLE}</strong></summary>

1. **Get the kit**: download [`{kit}`]({kit}) and unzip it. Its folder `{assignment}` holds
   this notebook, `{notebook_name}`; the course's library `mlpbook` (a wheel: you do not need
   the course's repository); `requirements.txt`; and a `README.txt` with these steps.
2. **Install, once**: you need Python 3.10 or newer. Open a terminal in the kit's folder and
   create a virtual environment with the library and JupyterLab in it.

   Linux and macOS:
   ```bash
{_indent(install_unix, 3)}
   ```
   Windows (in *Command Prompt*):
   ```bat
{_indent(install_windows, 3)}
   ```
3. **Work**: in a terminal in the kit's folder, activate the environment
   (`{ACTIVATE["unix"]}`, or `{ACTIVATE["windows"]}` on Windows) and start Jupyter from it
   with `{start_command(notebook_name)}`. Write your code in the cells that say
   `# YOUR CODE HERE`, in place of `raise NotImplementedError()`, and run the test cell after
   each answer: it fails with a message that names the likely mistake.
4. **Check**: save the notebook, then, in the activated terminal, run
   `{check_command(notebook_name)}`. It runs the notebook in a fresh kernel as the grader
   does, prints the message of every test that fails, whole, and exits with a non-zero status
   when one does. Hidden tests, worth points too, run only when your work is graded.
5. **Submit** the file `{notebook_name}`, under that name, as your instructor asks. Do not
   delete, split or copy cells, and keep the names of your functions and variables.

</details>"""


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line if line else line for line in text.splitlines())


# ---------------------------------------------------------------------------- the kit
# The commands of the kit's README and of the page's steps (one source for both).
ACTIVATE = {"unix": ". .venv/bin/activate", "windows": r".venv\Scripts\activate"}
INSTALL = {
    "unix": [
        "python3 -m venv .venv",
        ACTIVATE["unix"],
        "python -m pip install -r requirements.txt",
    ],
    "windows": [
        "py -m venv .venv",
        ACTIVATE["windows"],
        "python -m pip install -r requirements.txt",
    ],
}
# what students install next to the library: JupyterLab (it brings the kernel, ipykernel, and
# nbclient, which `mlpbook-check` runs the notebook with)
JUPYTER = "jupyterlab>=4,<5"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same sources give byte-identical files


def start_command(notebook_name: str) -> str:
    return f"jupyter lab {notebook_name}"


def check_command(notebook_name: str) -> str:
    return f"mlpbook-check {notebook_name}"


def _project(root: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    path = root / "pyproject.toml"
    if not path.is_file():
        raise ReleaseError(f"no {path}: the kit's wheel is built from the library's project")
    return tomllib.loads(path.read_text(encoding="utf-8"))["project"]


def build_wheel(root: Path) -> tuple[str, bytes]:
    """The student wheel of ``mlpbook``: its file name and bytes.

    Built from ``lib/mlpbook`` and the ``[project]`` table of ``pyproject.toml`` (name,
    version, dependencies, the ``data`` extra, the console scripts that run ``mlpbook``
    code), with nothing else: not the instructors' grading tool (``gradetool``, the
    ``course-grade`` command), the solutions or the tests. A wheel is a zip with fixed
    metadata files (https://packaging.python.org/specifications/binary-distribution-format/);
    it is written here, without a build backend, so that the book builds offline and the same
    sources give the same bytes.
    """
    project = _project(root)
    name, version = project["name"], project["version"]
    package = root / "lib" / name
    if not (package / "__init__.py").is_file():
        raise ReleaseError(f"no package {package}: the kit's wheel holds the library")
    files = {
        path.relative_to(package.parent).as_posix(): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in (".pyc", ".pyo")
    }
    info = f"{name}-{version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.get('description', '')}",
        *(f"Author: {a['name']}" for a in project.get("authors", []) if "name" in a),
        "License: MIT",
        f"Requires-Python: {project.get('requires-python', '>=3.10')}",
        *(f"Requires-Dist: {dep}" for dep in project.get("dependencies", [])),
    ]
    for extra in ("data",):  # the library's own extra; the others are the book's and tools'
        metadata.append(f"Provides-Extra: {extra}")
        metadata += [
            f'Requires-Dist: {dep}; extra == "{extra}"'
            for dep in project.get("optional-dependencies", {}).get(extra, [])
        ]
    scripts = {
        command: target
        for command, target in project.get("scripts", {}).items()
        if target.split(":")[0].split(".")[0] == name
    }
    files[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: mlpbook-release\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    files[f"{info}/entry_points.txt"] = (
        "[console_scripts]\n" + "".join(f"{c} = {t}\n" for c, t in sorted(scripts.items()))
    ).encode()
    if (root / "LICENSE").is_file():
        files[f"{info}/LICENSE"] = (root / "LICENSE").read_bytes()
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl", _zip(files)


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def kit_readme(assignment: str, notebook_name: str, wheel: str, title: str) -> str:
    """The kit's README.txt: what the folder holds and the commands, per system."""
    unix, windows = (
        _indent("\n".join(INSTALL["unix"]), 4),
        _indent("\n".join(INSTALL["windows"]), 4),
    )
    return f"""{title}
Multilayer Perceptrons from Scratch: the student kit

This folder holds:
  {notebook_name:<34} the notebook you fill in and submit (keep its name)
  {wheel:<34} the course's library, mlpbook, with mlpbook-check
  {"requirements.txt":<34} what to install: that wheel and JupyterLab
  {"README.txt":<34} this file

You need Python 3.10 or newer (https://www.python.org; on Windows, tick "Add python.exe
to PATH" when you install it). Open a terminal in this folder.

1. Install, once: a virtual environment with the library and JupyterLab.

  Linux and macOS:
{unix}

  Windows (in Command Prompt):
{windows}

2. Work: activate the environment in a terminal in this folder (Linux and macOS:
   {ACTIVATE["unix"]}   Windows: {ACTIVATE["windows"]}), then start Jupyter:
    {start_command(notebook_name)}
   Write your code in place of raise NotImplementedError() in the cells that say
   # YOUR CODE HERE, and run each test cell after your answer.

3. Check, before you submit (the environment activated, in this folder):
    {check_command(notebook_name)}
   It runs the notebook in a fresh kernel as the grader does, prints the message of every
   test that fails, and exits with a non-zero status when one does. Hidden tests, worth
   points too, run only when your work is graded.

4. Submit {notebook_name}, under that name, as your instructor asks.
"""


def build_kit(root: Path, assignment: str, wheel: tuple[str, bytes]) -> bytes:
    """The student kit of ``assignment`` (a zip): notebook, wheel, requirements, README.

    The notebook is the student version in the book (`release` writes it); everything sits
    in one folder named after the assignment.
    """
    page = root / CHAPTERS[assignment]
    if not page.is_file():
        raise ReleaseError(f"no student version {page}: run `make student` first")
    text = page.read_text(encoding="utf-8")
    leaked = [marker for marker in FORBIDDEN_MARKERS if marker in text]
    if leaked:
        raise ReleaseError(f"{page} contains {', '.join(leaked)}: run `make student`")
    nb = json.loads(text)
    title = "".join(nb["cells"][0]["source"]).partition("\n")[0].removeprefix("# ")
    wheel_name, wheel_data = wheel
    return _zip(
        {
            f"{assignment}/{page.name}": text.encode("utf-8"),
            f"{assignment}/{wheel_name}": wheel_data,
            f"{assignment}/requirements.txt": (
                "# python -m pip install -r requirements.txt (in this folder)\n"
                f"./{wheel_name}\n{JUPYTER}\n"
            ).encode(),
            f"{assignment}/README.txt": kit_readme(assignment, page.name, wheel_name, title).encode(
                "utf-8"
            ),
        }
    )


def kits(root: Path) -> list[str]:
    """Write every assignment's kit next to its page (only when it changes); return them."""
    wheel = build_wheel(root)
    written = []
    # the assignments in the book (`release` refuses one that has no page in CHAPTERS)
    for assignment in [a for a in assignments(root) if a in CHAPTERS]:
        data = build_kit(root, assignment, wheel)
        path = (root / CHAPTERS[assignment]).parent / kit_name(assignment)
        if not path.is_file() or path.read_bytes() != data:
            tmp = path.with_suffix(".zip.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
            print(f"release: wrote {path.relative_to(root)}")
        written.append(str(path.relative_to(root)))
    return written


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
        text = normalise(generate(root, assignment), assignment)
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
    parser.add_argument(
        "--kits",
        action="store_true",
        help="build the student kits (<assignment>_kit.zip next to each page) instead",
    )
    args = parser.parse_args(argv)
    try:
        if args.kits:
            kits(args.root.resolve())
            return 0
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
