"""The students' kits and the runnable pages, as a student on a fresh machine meets them.

These tests read the built book (``make book``; ``BOOK_BUILD`` points them at another build
folder), as test_book.py does. The kit of each graded notebook is inspected: the student
notebook, the ``mlpbook`` wheel, ``requirements.txt`` and ``README.txt``, and no solution,
hidden test, mutant or instructor tool. The fresh-machine proof then runs the kit's README
commands for Linux, literally, in a new virtual environment (pip fetches JupyterLab and the
library's dependencies from the package registry, or from pip's cache; the wheel comes from
the built book's folder), starts Jupyter, checks the blank notebook (it fails, with
messages) and the solved one (it passes) with ``mlpbook-check``, and runs a chapter's
``.ipynb`` download top to bottom. It is skipped, saying so, only when the package registry
cannot be reached.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from gradingkit import (
    catalog,
    grade_id,
    hidden_lines,
    read_nb,
    release,
    solved,
    source,
)
from test_book import toc_docnames

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("BOOK_BUILD", ROOT / "_build"))
HTML = BUILD / "html"
# the book's pages (as test_book.py reads _toc.yml): the labs in it, and the chapters' pages,
# MyST notebooks, each offered as a .ipynb download
DOCNAMES = set(toc_docnames())
ASSIGNMENTS = [
    a
    for a in release.assignments(ROOT)
    if release.CHAPTERS.get(a, "").removesuffix(".ipynb") in DOCNAMES
]
CHAPTER_PAGES = sorted(
    d
    for d in DOCNAMES
    if re.fullmatch(r"chapters/\d\d_[^/]+/[^/]+", d) and (ROOT / f"{d}.md").is_file()
)
INSTRUCTOR_ONLY = ("gradetool", "autograder", "solutions", "tests/", "mutant", "course-grade")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


@pytest.fixture(scope="module")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first")
    return HTML


def source_nb(assignment: str) -> dict:
    return read_nb(next((ROOT / "solutions" / assignment).glob("*.ipynb")))


def page_name(assignment: str) -> str:
    return Path(release.CHAPTERS[assignment]).name


def kit_path(html_dir: Path, assignment: str) -> Path:
    """The kit as the built book serves it (MyST copies it under _downloads/<hash>/)."""
    found = sorted(html_dir.glob(f"_downloads/*/{release.kit_name(assignment)}"))
    assert len(found) == 1, (
        f"{len(found)} copies of {release.kit_name(assignment)} in {html_dir}/_downloads: "
        "the exercise page links its kit once (make book builds it with `make kits`)"
    )
    return found[0]


def kit_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def wheel_of(files: dict[str, bytes]) -> tuple[str, dict[str, bytes]]:
    (name,) = [n for n in files if n.endswith(".whl")]
    return name, kit_files(io.BytesIO(files[name]))


# ---------------------------------------------------------------------------- the kit


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercise_page_is_the_lab_with_its_kit(html_dir, assignment):
    """Titled "Lab N (graded)", one folded "How to work and submit" with the kit's link."""
    page = (html_dir / release.CHAPTERS[assignment]).with_suffix(".html")
    html = page.read_text(encoding="utf-8")
    number = release.lab_number(assignment)
    assert re.search(rf"<h1>Lab {number} \(graded\)", html), f"{page}: no 'Lab {number} (graded)'"
    assert html.count(release.STEPS_TITLE) == 1, f"{page}: one '{release.STEPS_TITLE}' block"
    folded = re.search(
        rf"<details>\s*<summary><strong>{release.STEPS_TITLE}</strong></summary>(.*?)</details>",
        html,
        re.S,
    )
    assert folded, f"{page}: the steps are not in a folded <details> block"
    block = folded.group(1)
    kit = kit_path(html_dir, assignment).relative_to(html_dir).as_posix()
    assert f'href="../../{kit}"' in block, f"{page}: the steps do not link {kit}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercise_page_folds_the_test_cells(html_dir, assignment):
    """Every graded test cell's code is folded on the web (MyST-NB's hide-input)."""
    html = (html_dir / release.CHAPTERS[assignment]).with_suffix(".html").read_text("utf-8")
    tests = [
        c for c in source_nb(assignment)["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
    ]
    folded = re.findall(r'class="cell tag_hide-input[^"]*"', html)
    assert len(folded) == len(tests), f"{len(folded)} folded cells for {len(tests)} test cells"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_holds_the_notebook_the_wheel_and_the_steps(html_dir, assignment):
    files = kit_files(kit_path(html_dir, assignment))
    wheel, _ = wheel_of(files)
    folder = f"{assignment}/"
    assert sorted(files) == sorted(
        folder + name
        for name in (page_name(assignment), Path(wheel).name, "requirements.txt", "README.txt")
    )
    # the notebook is the student version in the book, as released
    assert (
        files[folder + page_name(assignment)] == (ROOT / release.CHAPTERS[assignment]).read_bytes()
    )
    requirements = files[folder + "requirements.txt"].decode().splitlines()
    assert f"./{Path(wheel).name}" in requirements
    readme = files[folder + "README.txt"].decode()
    for system in ("unix", "windows"):
        for command in release.INSTALL[system]:
            assert command in readme, f"README.txt lacks {command!r}"
    for command in (release.start_command, release.check_command):
        assert command(page_name(assignment)) in readme
    for words in ("Linux", "macOS", "Windows"):
        assert words in readme


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_has_no_solution_hidden_test_mutant_or_instructor_tool(html_dir, assignment):
    files = kit_files(kit_path(html_dir, assignment))
    wheel, inside = wheel_of(files)
    every = {**files, **{f"{wheel}!{name}": data for name, data in inside.items()}}
    for name in every:
        assert not any(word in name for word in INSTRUCTOR_ONLY), f"instructor's file: {name}"
    texts = {
        name: data.decode("utf-8") for name, data in every.items() if not name.endswith(".whl")
    }
    nb = source_nb(assignment)
    secrets = hidden_lines(nb)
    assert secrets, "no hidden test line to look for: is the source notebook right?"
    for name, text in texts.items():
        for marker in MARKERS:
            assert marker not in text, f"{marker} in {name}"
    # the wheel holds the library's files as they are (test_wheel_is_the_library_alone); the
    # kit's own files hold no line of a hidden test
    for name in files:
        for line in secrets if not name.endswith(".whl") else ():
            assert line not in texts[name], f"hidden test line in {name}: {line!r}"
    # no line of a solution in the notebook (the library's own code is the book's)
    notebook = texts[f"{assignment}/{page_name(assignment)}"]
    for cell in nb["cells"]:
        inside_solution = re.search(
            r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source(cell), re.S
        )
        for line in inside_solution.group(1).splitlines() if inside_solution else []:
            if len(re.sub(r"\W", "", line)) >= 8 and not line.strip().startswith("#"):
                assert line not in notebook, f"solution line of {grade_id(cell)}: {line!r}"
    # no mutant: no line of the proof's wrong answers is in the notebook or the README
    mutants = catalog(assignment).MUTANTS
    assert mutants, "no mutants to look for"
    own = "\n".join(source(cell) for cell in nb["cells"])
    student = notebook + texts[f"{assignment}/README.txt"]
    for mutant in mutants:
        for line in mutant["source"].splitlines():
            telling = len(re.sub(r"\W", "", line)) >= 12 and not line.lstrip().startswith("def ")
            if telling and line.strip() not in own:
                assert line.strip() not in student, f"line of mutant {mutant['name']}: {line!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS[:1])
def test_wheel_is_the_library_alone(html_dir, assignment):
    """The wheel holds lib/mlpbook and its metadata, with valid hashes; mlpbook-check only."""
    wheel, inside = wheel_of(kit_files(kit_path(html_dir, assignment)))
    info = re.sub(r"-py3-none-any\.whl$", ".dist-info", Path(wheel).name)
    library = sorted(
        p.relative_to(ROOT / "lib").as_posix()
        for p in (ROOT / "lib" / "mlpbook").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    assert sorted(n for n in inside if not n.startswith(info)) == library, "rebuild the book?"
    for name in library:
        assert inside[name] == (ROOT / "lib" / name).read_bytes(), f"{name}: rebuild the book?"
    assert sorted(n for n in inside if n.startswith(info)) == sorted(
        f"{info}/{n}" for n in ("METADATA", "WHEEL", "entry_points.txt", "LICENSE", "RECORD")
    )
    for line in inside[f"{info}/RECORD"].decode().splitlines():
        path, digest, size = line.rsplit(",", 2)
        if path.endswith("RECORD"):
            continue
        data = inside[path]
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        assert digest == f"sha256={expected.decode()}" and int(size) == len(data), path
    entry_points = inside[f"{info}/entry_points.txt"].decode()
    assert "mlpbook-check = mlpbook.check:main" in entry_points
    assert "course-grade" not in entry_points
    metadata = inside[f"{info}/METADATA"].decode()
    assert "Requires-Dist: numpy" in metadata and "nbgrader" not in metadata


# ---------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("docname", CHAPTER_PAGES)
def test_chapter_page_downloads_as_a_notebook(html_dir, docname):
    """Each chapter page's download button offers a .ipynb, converted at build time."""
    html = (html_dir / f"{docname}.html").read_text(encoding="utf-8")
    depth = docname.count("/")
    href = "../" * depth + f"_sources/{docname}.ipynb"
    assert f'href="{href}"' in html, f"{docname}: no .ipynb in the download button"
    nb = json.loads((html_dir / "_sources" / f"{docname}.ipynb").read_text(encoding="utf-8"))
    code = (ROOT / f"{docname}.md").read_text(encoding="utf-8").count("```{code-cell}")
    assert sum(c["cell_type"] == "code" for c in nb["cells"]) == code
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb["metadata"]


# ---------------------------------------------------------------------------- fresh machine


def _registry() -> str | None:
    """Why the package registry cannot be reached, or None when it can."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    try:
        request = urllib.request.Request(f"{index}/jupyterlab/", method="HEAD")
        with urllib.request.urlopen(request, timeout=15):
            return None
    except (urllib.error.URLError, OSError) as error:
        return f"the package registry ({index}) cannot be reached: {error}"


def _linux_commands(readme: str) -> list[str]:
    """The README's install commands for Linux (and macOS): the lines under that heading."""
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Linux and macOS:")
    commands = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        commands.append(line.strip())
    return commands


def _student_env(tmp: Path) -> dict:
    """The environment of a student's terminal: no project venv, Jupyter's folders fresh."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIRTUAL_ENV", "PYTHON", "JUPYTER", "MPL"))
    }
    ours = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != ours)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp / "home" / name.lower())
        Path(env[name]).mkdir(parents=True)
    # this machine's settings, not the student's command: no browser to open, and root here
    server = {"ServerApp": {"open_browser": False, "allow_root": os.geteuid() == 0}}
    (Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json").write_text(json.dumps(server))
    return env


def _bash(script: str, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _start_jupyter(command: str, cwd: Path, env: dict, timeout: float = 120) -> str:
    """Run the README's Jupyter command until the server says it runs; stop it; its log."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def read():
        for line in process.stdout:
            log.append(line)
            if re.search(r"is running at|http://(localhost|127\.0\.0\.1):\d+/lab", line):
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready.wait(timeout)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(10)
        process.stdout.close()
    assert ready.is_set(), f"Jupyter did not start within {timeout} s:\n{''.join(log)[-3000:]}"
    return "".join(log)


def test_fresh_machine_kit_and_runnable_page(html_dir, tmp_path):
    """The kit's README for Linux, run literally in a new venv; the checks; a chapter runs."""
    why = _registry()
    if why:
        pytest.skip(why)
    assignment = ASSIGNMENTS[0]
    name = page_name(assignment)
    with zipfile.ZipFile(kit_path(html_dir, assignment)) as archive:
        archive.extractall(tmp_path)
    kit = tmp_path / assignment
    readme = (kit / "README.txt").read_text(encoding="utf-8")
    install = _linux_commands(readme)
    assert install == release.INSTALL["unix"], install
    start, check = release.start_command(name), release.check_command(name)
    assert f"    {start}" in readme.splitlines() and f"    {check}" in readme.splitlines()
    activate = release.ACTIVATE["unix"]
    env = _student_env(tmp_path)
    timings = {}

    began = time.monotonic()
    done = _bash("set -e\n" + "\n".join(install), kit, env, timeout=1200)
    timings["install"] = time.monotonic() - began
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    began = time.monotonic()
    log = _start_jupyter(f"{activate} && {start}", kit, env)
    timings["jupyter lab start"] = time.monotonic() - began
    assert name in log or "Jupyter" in log

    began = time.monotonic()
    blank = _bash(f"{activate} && {check}", kit, env, timeout=600)
    timings["check, blank"] = time.monotonic() - began
    out = blank.stdout
    assert blank.returncode == 1, out + blank.stderr
    nb = source_nb(assignment)
    released = read_nb(kit / name)
    tests = [
        grade_id(c)
        for c in released["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
        and not re.fullmatch(r"\s*(#[^\n]*\n?)*\s*", source(c))
    ]
    assert tests
    for test in tests:
        assert re.search(rf"^FAIL {test} .*\n    \S", out, re.M), (
            f"no failure message for {test}:\n{out}"
        )
    assert "Not answered yet" in out

    (kit / name).write_text(json.dumps(solved(nb, released), indent=1), encoding="utf-8")
    began = time.monotonic()
    right = _bash(f"{activate} && {check}", kit, env, timeout=600)
    timings["check, solution"] = time.monotonic() - began
    assert right.returncode == 0, right.stdout + right.stderr
    for test in tests:
        assert re.search(rf"^PASS {test} ", right.stdout, re.M), right.stdout
    assert f"Visible tests passed: {len(tests)} of {len(tests)}" in right.stdout

    # a chapter's download, saved next to the lab, runs top to bottom in its environment
    docname = CHAPTER_PAGES[0]
    page = kit / Path(docname).with_suffix(".ipynb").name
    shutil.copyfile(html_dir / "_sources" / f"{docname}.ipynb", page)
    began = time.monotonic()
    run = _bash(
        f"{activate} && jupyter nbconvert --to notebook --execute "
        f"--ExecutePreprocessor.timeout=600 --output executed.ipynb {page.name}",
        kit,
        env,
        timeout=1200,
    )
    timings[f"{docname}.ipynb, run"] = time.monotonic() - began
    assert run.returncode == 0, run.stderr[-5000:]
    executed = read_nb(kit / "executed.ipynb")
    errors = [
        o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert not errors
    print("fresh machine, seconds:", {k: round(v, 1) for k, v in timings.items()})
