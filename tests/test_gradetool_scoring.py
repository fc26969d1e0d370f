"""gradetool.scoring: a test cell's points and message, as nbgrader scores it."""

import pytest

from gradetool.scoring import error_message, normalise_message, score_cell, score_notebook
from gradetool.testing import tiny_source


def code(*outputs):
    return {"cell_type": "code", "source": "", "outputs": list(outputs), "metadata": {}}


def error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": ["…"]}


def result(text):
    return {"output_type": "execute_result", "data": {"text/plain": text}, "metadata": {}}


def test_a_cell_without_error_earns_its_points():
    part = score_cell(code({"output_type": "stream", "name": "stdout", "text": "hi"}), 2)
    assert (part.points, part.max_points, part.passed, part.message) == (2, 2, True, "")


def test_a_warning_on_stderr_does_not_zero_the_test():
    warning = {"output_type": "stream", "name": "stderr", "text": "UserWarning: careful"}
    assert score_cell(code(warning), 1).passed


def test_an_error_zeroes_the_test_with_its_message():
    part = score_cell(code(error("AssertionError", "add(1, 2) returned 4: expected 3")), 1)
    assert (part.points, part.passed) == (0, False)
    assert part.message == "add(1, 2) returned 4: expected 3"


@pytest.mark.parametrize(
    ("ename", "evalue", "message"),
    [
        ("NameError", "name 'add' is not defined", "NameError: name 'add' is not defined"),
        ("AssertionError", "", "AssertionError"),
        ("SystemExit", "3", "SystemExit: 3"),
        ("\x1b[0;31mValueError\x1b[0m", "bad", "ValueError: bad"),
    ],
)
def test_error_messages(ename, evalue, message):
    assert error_message({"ename": ename, "evalue": evalue}) == message


@pytest.mark.parametrize(
    ("text", "points"), [("0.5", 0.5), (["1.5"], 1.5), ("'text'", 2.0), ("-1", 2.0), ("9", 2.0)]
)
def test_partial_credit_as_nbgrader(text, points):
    part = score_cell(code(result(text)), 2)
    assert part.points == points
    assert part.passed == (points == 2)


def test_score_notebook_in_the_sources_order_with_cells_not_run():
    nb = tiny_source()
    nb["cells"][3]["outputs"] = [error("AssertionError", "nope")]
    tests = {"test_add": 1, "test_add_hidden": 2, "test_mul": 1}
    parts = score_notebook(nb, tests, not_run={"test_mul": "the kernel died"})
    assert list(parts) == list(tests)
    assert [p.points for p in parts.values()] == [0, 2, 0]
    assert parts["test_mul"].message == "not run: the kernel died"


def test_alike_messages_group_when_normalised():
    a = "perceptron_predict(x=[[0, 1]], w=[1, 1], b=-1.5) returned [0, 1]: expected [1, 1]."
    b = "perceptron_predict(x=[[2, 3]], w=[0.5, 1], b=2) returned [1, 1]: expected [0, 0]."
    assert normalise_message(a) == normalise_message(b)
    assert normalise_message("W1 is not defined") == "W1 is not defined"
