"""gradetool.export: grades, per-test and Canvas CSV files."""

import csv

from gradetool.export import CANVAS_COLUMNS, GRADES_COLUMNS, TESTS_COLUMNS, export
from gradetool.results import GRADED, INVALID, TIMED_OUT, PartResult, StudentResult


def rows(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def results():
    parts = {"test_a": PartResult(1, 1, True), "test_b": PartResult(0, 2, False, "x, 'y'\nz")}
    return {
        "alice": StudentResult("alice", GRADED, "1 of 2 tests passed", 1.0, 3.0, parts),
        "bob": StudentResult("bob", TIMED_OUT, "cell 3 ran over 30 s", None, 3.0, parts),
        "carol": StudentResult("carol", INVALID, "no notebook named a.ipynb; found b.ipynb"),
    }


GRADEBOOK = {
    "alice": {"score": 1.0, "raw_score": 1.0, "last_name": "Liddell", "first_name": "Alice"},
    "bob": {"score": 2.0, "raw_score": 2.0},  # a previous grading
}


def test_grades_csv(tmp_path):
    grades, _, _ = export(tmp_path, "ch01", results(), GRADEBOOK)
    table = rows(grades)
    assert table[0] == GRADES_COLUMNS
    by = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert list(by) == ["alice", "bob", "carol"]
    assert by["alice"]["status"] == "graded" and by["alice"]["score"] == "1"
    assert by["alice"]["max_score"] == "3" and by["alice"]["last_name"] == "Liddell"
    assert by["bob"]["status"] == "timed out" and by["bob"]["score"] == "2"
    assert "keeps the previous score" in by["bob"]["reason"]
    assert by["carol"]["score"] == "" and by["carol"]["status"] == "invalid"


def test_tests_csv(tmp_path):
    _, tests, _ = export(tmp_path, "ch01", results(), GRADEBOOK)
    table = rows(tests)
    assert table[0] == TESTS_COLUMNS
    assert table[1:3] == [
        ["alice", "test_a", "1", "1", "True", ""],
        ["alice", "test_b", "0", "2", "False", "x, 'y'\nz"],
    ]
    assert len(table) == 5  # alice and bob, two tests each


def test_canvas_csv(tmp_path):
    _, _, canvas = export(
        tmp_path,
        "ch01",
        results(),
        GRADEBOOK,
        canvas_ids={"alice": "77"},
        canvas_column="Perceptron (123)",
    )
    table = rows(canvas)
    assert table[0] == [*CANVAS_COLUMNS, "Perceptron (123)"]
    assert table[1] == ["Liddell, Alice", "77", "", "alice", "", "1"]
    assert table[3] == ["", "", "", "carol", "", ""]
    _, _, canvas = export(tmp_path, "ch01", results(), GRADEBOOK)
    assert rows(canvas)[0][-1] == "ch01"
