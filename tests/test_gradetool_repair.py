"""gradetool.repair: tampered notebooks are put right from the source, and say how."""

import copy
import json
from pathlib import Path

import pytest

from gradetool.repair import (
    InvalidNotebook,
    grade_id,
    parse_notebook,
    repair,
    source_text,
    strip_hidden_tests,
)
from gradetool.testing import HIDDEN_SECRET, simple_release, solved, tiny_source, with_cells

ROOT = Path(__file__).resolve().parent.parent
SOURCE = tiny_source()
RELEASE = simple_release(SOURCE)
ORDER = [grade_id(c) for c in SOURCE["cells"]]


def ids(nb):
    return [grade_id(c) for c in nb["cells"]]


def fixed(nb):
    return repair(copy.deepcopy(nb), SOURCE, RELEASE)


def test_untouched_notebook_is_left_as_it_is():
    done = fixed(RELEASE)
    assert done.repairs == []
    assert ids(done.nb) == ORDER
    assert done.unanswered == ["add", "mul"]
    # locked cells carry the source's code, hidden tests included, and no outputs
    hidden = next(c for c in done.nb["cells"] if grade_id(c) == "test_add_hidden")
    assert HIDDEN_SECRET in hidden["source"] and hidden["outputs"] == []


def test_answers_are_the_students():
    done = fixed(with_cells(solved(SOURCE), {"add": "def add(a, b):\n    return 42"}))
    cell = next(c for c in done.nb["cells"] if grade_id(c) == "add")
    assert cell["source"] == "def add(a, b):\n    return 42"
    assert done.unanswered == [] and done.repairs == []


def test_edited_test_cell_is_restored():
    done = fixed(with_cells(RELEASE, {"test_add": "pass"}))
    cell = next(c for c in done.nb["cells"] if grade_id(c) == "test_add")
    assert "assert add(1, 2) == 3" in cell["source"]
    assert done.repairs == ["restored test_add: it had been edited"]


def test_deleted_test_cells_come_back_in_their_places():
    done = fixed(with_cells(RELEASE, delete={"test_add", "test_mul"}))
    assert ids(done.nb) == ORDER
    assert done.repairs == ["restored deleted cell test_add", "restored deleted cell test_mul"]


def test_duplicated_test_cell_keeps_its_first_copy():
    nb = copy.deepcopy(RELEASE)
    nb["cells"].append(copy.deepcopy(nb["cells"][3]))
    done = fixed(nb)
    assert ids(done.nb) == ORDER
    assert done.repairs == ["removed a duplicate of test cell test_add (the first copy is used)"]


def test_duplicated_answer_cell_keeps_the_first():
    nb = solved(SOURCE)
    copy_ = copy.deepcopy(nb["cells"][2])
    copy_["source"] = "def add(a, b):\n    return 0"
    nb["cells"].insert(3, copy_)
    done = fixed(nb)
    add = next(c for c in done.nb["cells"] if grade_id(c) == "add")
    assert "return a + b" in add["source"]
    assert ids(done.nb) == ORDER
    assert "duplicate of answer cell add" in done.repairs[0]


def test_reordered_test_cells_go_back_into_the_sources_order():
    nb = copy.deepcopy(RELEASE)
    test_mul = nb["cells"].pop(7)
    nb["cells"].insert(0, test_mul)  # the last test first
    done = fixed(nb)
    assert ids(done.nb) == ORDER
    assert done.repairs == ["moved test_mul back to its place"]


def test_swapped_test_cells_are_put_back_in_order():
    nb = copy.deepcopy(RELEASE)
    nb["cells"][3], nb["cells"][4] = nb["cells"][4], nb["cells"][3]
    done = fixed(nb)
    assert ids(done.nb) == ORDER
    assert len(done.repairs) == 1 and "back to its place" in done.repairs[0]


def test_retyped_test_cell_is_restored():
    nb = copy.deepcopy(RELEASE)
    nb["cells"][3]["cell_type"] = "markdown"
    del nb["cells"][3]["outputs"], nb["cells"][3]["execution_count"]
    done = fixed(nb)
    assert done.nb["cells"][3]["cell_type"] == "code"
    assert done.repairs == ["restored test_add: it had been changed from code to markdown"]


def test_retyped_answer_cell_is_code_again_with_the_students_text():
    nb = solved(SOURCE)
    nb["cells"][2]["cell_type"] = "markdown"
    done = fixed(nb)
    cell = done.nb["cells"][2]
    assert cell["cell_type"] == "code" and cell["outputs"] == []
    assert "return a + b" in cell["source"]
    assert "answer cell add was markdown" in done.repairs[0]


def test_students_own_cells_stay_where_they_are():
    nb = solved(SOURCE)
    helper = {"cell_type": "code", "metadata": {}, "source": "def helper(): pass", "outputs": []}
    nb["cells"].insert(3, helper)  # between the answer and its test
    done = fixed(nb)
    assert done.repairs == []
    assert source_text(done.nb["cells"][3]) == "def helper(): pass"


def test_forged_grade_metadata_is_not_graded():
    nb = solved(SOURCE)
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {"nbgrader": {"grade": True, "grade_id": "bonus", "points": 100}},
            "source": "1",
            "outputs": [],
        }
    )
    done = fixed(nb)
    assert "nbgrader" not in done.nb["cells"][-1]["metadata"]
    # and a graded answer cell's metadata comes from the source
    nb["cells"][2]["metadata"]["nbgrader"]["points"] = 100
    assert "points" not in fixed(nb).nb["cells"][2]["metadata"]["nbgrader"]


def test_missing_answer_cell_is_reported():
    done = fixed(with_cells(solved(SOURCE), delete={"mul"}))
    assert done.repairs == ["answer cell mul is missing: its tests fail"]


def test_notebook_of_another_assignment_is_invalid():
    nb = copy.deepcopy(RELEASE)
    for cell in nb["cells"]:
        if grade_id(cell):
            cell["metadata"]["nbgrader"]["grade_id"] = "other_" + grade_id(cell)
    with pytest.raises(InvalidNotebook, match="none of the source's grade ids found"):
        fixed(nb)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "not JSON"),
        ('{"cells": 3}', "no list of cells"),
        ('{"cells": [], "nbformat": 3}', "nbformat 3"),
        ('{"cells": [{"cell_type": "bogus"}], "nbformat": 4}', "cell 0"),
        (b"\xff\xfe\x00", "not JSON"),
        ('{"cells": [], "nbformat": 4, "nbformat_minor": 99}', r"nbformat 4\.99, expected"),
        ('{"cells": [], "nbformat": 4, "nbformat_minor": "5"}', r"nbformat 4\.'5', expected"),
    ],
)
def test_invalid_notebooks_are_refused_with_a_reason(text, why):
    with pytest.raises(InvalidNotebook, match=why):
        parse_notebook(text)


def test_cell_ids_are_unique_after_repair():
    nb = copy.deepcopy(RELEASE)
    for cell in nb["cells"]:
        cell["id"] = "same"
    done = fixed(nb)
    assert len({c["id"] for c in done.nb["cells"]}) == len(done.nb["cells"])


def test_strip_hidden_tests_as_nbgrader_and_unterminated():
    text = "doc\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nafter"
    assert strip_hidden_tests(text) == "doc\nafter"
    assert strip_hidden_tests("doc\n### BEGIN HIDDEN TESTS\nsecret") == "doc"


def test_the_courses_released_notebook_needs_no_repair():
    from gradetool.course import student_release

    source = json.loads(
        (ROOT / "solutions/ch01_perceptron/perceptron_exercise.ipynb").read_text(encoding="utf-8")
    )
    for cell in source["cells"]:
        cell["source"] = source_text(cell)
    release = student_release(source)
    page = json.loads(
        (ROOT / "chapters/01_perceptron/perceptron_exercise.ipynb").read_text(encoding="utf-8")
    )
    done = repair(page, source, release)
    assert done.repairs == []
    assert ids(done.nb) == [grade_id(c) for c in source["cells"]]


def test_tests_dragged_above_an_earlier_answer_go_back_after_their_own():
    nb = solved(SOURCE)
    tests = [c for c in nb["cells"] if grade_id(c) in ("test_mul",)]
    nb["cells"] = [c for c in nb["cells"] if c not in tests]
    nb["cells"][2:2] = tests  # test_mul above the add answer: locked order intact, answer not
    done = fixed(nb)
    assert ids(done.nb) == ORDER
    assert done.repairs == ["moved test_mul back to its place"]


def test_an_answer_moved_below_its_tests_gets_them_after_it():
    nb = solved(SOURCE)
    answer = nb["cells"].pop(2)
    nb["cells"].insert(4, answer)  # add's answer below test_add and test_add_hidden
    done = fixed(nb)
    order = ids(done.nb)
    assert order.index("add") < order.index("test_add") < order.index("test_add_hidden")
