"""mlpbook-check: the students' check of a graded notebook, run as they run it."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlpbook import check

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_1 = ROOT / "chapters" / "01_perceptron" / "perceptron_exercise.ipynb"
# a test's message of several lines, each longer than nbgrader validate's 87 characters
LONG = (
    "double_all(x) returned [2, 4, 7] for x = [1, 2, 3]; expected [2, 4, 6], the entry at "
    "index 2 differs by 1.\n"
    "Hint: this looks like an off-by-one in the last entry; did you add 1 to it, or loop "
    "one step too far when you filled the output?"
)


def _code(source, grade_id=None, *, points=None, solution=False):
    """A code cell, with nbgrader metadata when it has a grade id."""
    cell = nbformat.v4.new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {
            "grade": points is not None,
            "grade_id": grade_id,
            "locked": points is not None,
            "schema_version": 3,
            "solution": solution,
            "task": False,
        }
        if points is not None:
            cell.metadata["nbgrader"]["points"] = points
    return cell


def _notebook(folder, cells, name="exercise.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = folder / name
    nbformat.write(nb, path)
    return path


def _run(path, *args):
    return subprocess.run(
        [sys.executable, "-m", "mlpbook.check", str(path), *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_reports_each_test_with_its_whole_message(tmp_path):
    changed = _code('assert double(2) == 4, "double(2) should be 4"', "test_double", points=1)
    changed.metadata.nbgrader["checksum"] = check.checksum(changed)
    changed.source += "\nassert True"
    (tmp_path / "data.txt").write_text("hello")
    path = _notebook(
        tmp_path,
        [
            nbformat.v4.new_markdown_cell("# An exercise"),
            _code("import numpy as np"),
            _code("def double(x):\n    return 2 * x", "double", solution=True),
            changed,
            _code('"""double, hidden tests."""\n# removed', "test_double_hidden", points=2),
            _code(
                "def halve(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                "halve",
                solution=True,
            ),
            _code("assert halve(4) == 2", "test_halve", points=2),
            _code(f"assert np.array_equal([2, 4, 6], [2, 4, 7]), {LONG!r}", "test_long", points=1),
            _code('raise ValueError("\\x1b[31mred\\x1b[0m text")', "test_colour", points=1),
            _code(
                'assert open("data.txt").read() == "hello"\nopen("out.txt", "w").close()',
                "test_reads_file",
                points=1,
            ),
        ],
    )
    before = path.read_bytes()

    result = _run(path)

    out = result.stdout
    assert result.returncode == 1, out
    assert result.stderr == ""
    assert "PASS test_double (1 point)" in out
    assert "note: this test cell was changed" in out
    assert "HIDDEN test_double_hidden (2 points): hidden tests: run when your work is graded" in out
    assert "TODO halve: not answered yet" in out
    assert "FAIL test_halve (0 of 2 points)\n    NotImplementedError" in out
    whole = "    AssertionError: " + LONG.replace("\n", "\n    ")
    assert f"FAIL test_long (0 of 1 point)\n{whole}\n" in out
    assert "FAIL test_colour (0 of 1 point)\n    ValueError: red text\n" in out
    assert "\x1b" not in out
    assert "Traceback" not in out
    assert "PASS test_reads_file (1 point)" in out
    assert "Visible tests passed: 2 of 5; points: 2 of 6 points visible." in out
    assert "Not answered yet: halve." in out
    assert "Hidden tests (2 points) run only when your work is graded" in out
    # the kernel ran in a copy: nothing written next to the student's file, nor into it
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt", "exercise.ipynb"]


def test_all_visible_tests_passed_exits_0(tmp_path):
    path = _notebook(
        tmp_path,
        [
            _code("def double(x):\n    return 2 * x", "double", solution=True),
            _code("assert double(2) == 4", "test_double", points=1),
            _code('"""double, hidden tests."""', "test_double_hidden", points=1),
        ],
    )
    result = _run(path)
    assert result.returncode == 0, result.stdout
    assert "PASS test_double (1 point)" in result.stdout
    assert "Visible tests passed: 1 of 1; points: 1 of 1 point visible." in result.stdout


def test_timeout_and_dead_kernel_fail_and_later_tests_do_not_pass(tmp_path):
    path = _notebook(
        tmp_path,
        [
            _code("while True:\n    pass", "test_loops", points=1),
            _code("x = 1", "test_after_timeout", points=1),
            _code("import os\nos._exit(1)"),
            _code("x = 1", "test_after_death", points=1),
        ],
    )
    result = _run(path, "--timeout", "1")
    out = result.stdout
    assert result.returncode == 1, out
    assert "FAIL test_loops (0 of 1 point)\n    timed out: the cell ran longer than 1 s" in out
    assert "PASS test_after_timeout (1 point)" in out
    assert "ERROR cell 3 (import os)\n    the kernel died while running this cell" in out
    assert "FAIL test_after_death (0 of 1 point)\n    not run: the kernel died" in out


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.ipynb", None, "no such file"),
        ("notes.txt", "{}", "not a .ipynb file"),
        ("broken.ipynb", "{not json", "cannot be read as JSON"),
        ("data.ipynb", '{"cells": 3}', "JSON but not a notebook"),
        ("plain.ipynb", nbformat.writes(nbformat.v4.new_notebook()), "no graded test cell"),
    ],
)
def test_invalid_input_exits_2_and_says_what_was_expected(tmp_path, name, content, says):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = _run(path)
    assert result.returncode == 2
    assert says in result.stderr
    assert "expected" in result.stderr
    assert result.stdout == ""


def test_a_folder_or_a_bad_timeout_exits_2(tmp_path):
    assert _run(tmp_path).returncode == 2
    assert _run(tmp_path / "x.ipynb", "--timeout", "0").returncode == 2


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("mlpbook-check")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "NOTEBOOK" in result.stdout.upper()


@pytest.mark.skipif(not CHAPTER_1.exists(), reason="chapter 1's notebook is not released")
def test_the_released_chapter_1_notebook_is_not_answered(tmp_path):
    before = CHAPTER_1.read_bytes()
    result = _run(CHAPTER_1)
    assert result.returncode == 1, result.stdout
    assert "not answered yet" in result.stdout
    assert "FAIL test_" in result.stdout
    assert "Visible tests passed: 0 of" in result.stdout
    assert "rename" not in result.stderr
    assert CHAPTER_1.read_bytes() == before


@pytest.mark.skipif(not CHAPTER_1.exists(), reason="chapter 1's notebook is not released")
def test_a_renamed_course_notebook_is_recognised(tmp_path):
    renamed = tmp_path / "perceptron_exercise (1).ipynb"
    renamed.write_bytes(CHAPTER_1.read_bytes())
    nb = check.load_notebook(renamed)
    assert check.expected_name(renamed, nb) == CHAPTER_1.name
    assert check.expected_name(CHAPTER_1, nb) is None


def test_hidden_only_cells_hold_nothing_but_a_docstring_or_comments():
    assert check.is_hidden_only('"""hidden tests: random shapes."""\n')
    assert check.is_hidden_only("# hidden tests\n")
    assert not check.is_hidden_only('"""visible."""\nassert f(1) == 2\n')


def test_an_error_without_a_message_says_where_it_was():
    error = {
        "ename": "AssertionError",
        "evalue": "",
        "traceback": ["\x1b[32m----> \x1b[39m\x1b[32m3\x1b[39m assert out.shape == (4,)"],
    }
    assert check.error_message(error) == "AssertionError\nat line 3: assert out.shape == (4,)"
