"""gradetool.feedback: offline HTML that never shows a hidden test."""

import base64
import copy
import json
import re
from pathlib import Path

from gradetool.feedback import render_feedback
from gradetool.repair import grade_id, source_text
from gradetool.results import GRADED, PartResult, StudentResult
from gradetool.testing import HIDDEN_SECRET, tiny_source

ROOT = Path(__file__).resolve().parent.parent
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


def executed(source):
    """The source as if run: outputs everywhere, tracebacks quoting the test's code."""
    nb = copy.deepcopy(source)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": source_text(cell)},
                {
                    "output_type": "error",
                    "ename": "AssertionError",
                    "evalue": "boom",
                    "traceback": [source_text(cell)],
                },
            ]
    return nb


def result_for(nb):
    tests = [grade_id(c) for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    parts = {t: PartResult(0.0, 1.0, False, f"{t} failed: expected 3") for t in tests}
    return StudentResult("alice", GRADED, "0 of 3 tests passed", 0.0, 4.0, parts, ["restored x"])


def hidden_lines(source):
    """Lines only the hidden tests hold (long enough to mean something)."""
    public, hidden = set(), []
    for cell in source["cells"]:
        text = source_text(cell)
        for block in re.findall(r"BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", text, re.S):
            hidden += [line.strip() for line in block.splitlines()]
        stripped = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", text, flags=re.S)
        public |= {line.strip() for line in stripped.splitlines()}
    return [h for h in hidden if len(re.sub(r"\W", "", h)) >= 8 and h not in public]


def assert_offline(page):
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)


def test_tiny_feedback_has_scores_messages_and_no_hidden_test():
    source = tiny_source()
    nb = executed(source)
    page = render_feedback(nb, result_for(nb), "tiny")
    assert "Score: 0 / 4" in page and "test_add failed: expected 3" in page
    assert "restored x" in page
    assert HIDDEN_SECRET not in page and "HIDDEN TESTS" not in page
    assert_offline(page)


def test_course_notebook_feedback_never_shows_its_hidden_tests():
    path = ROOT / "solutions/ch01_perceptron/perceptron_exercise.ipynb"
    source = json.loads(path.read_text(encoding="utf-8"))
    nb = executed(source)
    page = render_feedback(nb, result_for(nb), "ch01_perceptron")
    leaked = [line for line in hidden_lines(source) if line in page or _esc(line) in page]
    assert hidden_lines(source) and not leaked
    assert_offline(page)


def _esc(text):
    import html

    return html.escape(text)


def test_student_outputs_are_shown_safely():
    nb = tiny_source()
    cell = nb["cells"][1]  # the student's own code cell
    cell["outputs"] = [
        {"output_type": "display_data", "data": {"image/png": PNG}, "metadata": {}},
        {
            "output_type": "display_data",
            "data": {"text/html": "<script src='http://evil'></script>", "text/plain": "<obj>"},
            "metadata": {},
        },
        {"output_type": "stream", "name": "stdout", "text": "\x1b[31mred\x1b[0m <b>"},
    ]
    nb["cells"][0]["source"] = (
        "![remote](http://example.com/a.png) <img src='http://x'> [doc](https://d.org) $x^2$"
    )
    page = render_feedback(nb, result_for(nb), "tiny")
    assert f"data:image/png;base64,{PNG}" in page
    assert "&lt;obj&gt;" in page and "red &lt;b&gt;" in page
    assert "[image: remote]" in page and "$x^2$" in page and "doc (https://d.org)" in page
    assert_offline(page)


def test_a_huge_cell_is_shown_cut_as_plain_text():
    source = tiny_source()
    nb = executed(source)
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "[a](" * 500_000})
    page = render_feedback(nb, result_for(source), "tiny")
    assert "[1,900,000 more characters of this cell are not shown]" in page
    assert len(page) < 300_000
