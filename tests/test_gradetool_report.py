"""gradetool.report: score distribution, pass rates, common failures, per student."""

import base64
import html
import re

from gradetool.report import summarise, write_report
from gradetool.results import CRASHED, GRADED, SKIPPED, PartResult, StudentResult


def result(student, passed_a, message_b="", status=GRADED):
    parts = {
        "test_a": PartResult(float(passed_a), 1, passed_a, "" if passed_a else "A failed"),
        "test_b": PartResult(0.0 if message_b else 2.0, 2, not message_b, message_b),
    }
    score = sum(p.points for p in parts.values())
    return StudentResult(
        student, status, "r", score, 3.0, parts, repairs=["restored test_a"], recorded=True
    )


RESULTS = {
    "s1": result("s1", True),
    "s2": result("s2", False, "add(1, 2) returned 4: expected 3"),
    "s3": result("s3", True, "add(5, 7) returned 1: expected 12", status=SKIPPED),
    "s4": StudentResult("s4", CRASHED, "the kernel died in cell 3"),
}


def test_summary_numbers():
    numbers = summarise(RESULTS, part_of={"test_a": "part_a", "test_b": "part_b"})
    assert numbers["statuses"]["graded"] == 2 and numbers["statuses"]["crashed"] == 1
    assert sorted(numbers["scores"]) == [0.0, 1.0, 3.0]
    assert numbers["tests"]["test_a"]["rate"] == 2 / 3
    top = numbers["tests"]["test_b"]["top"]
    # counted with the numbers blurred (one group), shown whole as its first student saw it
    assert top == [("add(1, 2) returned 4: expected 3", 2)]
    assert numbers["parts"] == [("part_b", 2), ("part_a", 1)]


def test_the_gradebooks_results_give_the_scores():
    failed_regrade = StudentResult("s1", CRASHED, "died", None, 3.0, previous_score=3.0)
    numbers = summarise({**RESULTS, "s1": failed_regrade}, {"s1": RESULTS["s1"]})
    assert numbers["scores"] == [3.0]
    assert numbers["statuses"]["crashed"] == 2


def test_report_files(tmp_path):
    parts = {"test_a": "part_a", "test_b": "part_b"}
    html_path, md_path, png_path = write_report(tmp_path, "ch01", RESULTS, part_of=parts)
    page = html_path.read_text(encoding="utf-8")
    md = md_path.read_text(encoding="utf-8")
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(embedded)[:4] == b"\x89PNG"
    assert "<script" not in page and not re.search(r'(src|href)="https?:', page)
    assert f"]({png_path.name})" in md
    commonest = 'Most common failure: part part_b, 2 failed tests, most often "add(1, 2)'
    assert commonest in md and html.escape(commonest) in page
    for text in (page, md):
        assert "restored test_a" in text and "the kernel died in cell 3" in text
        assert "graded: 2, failed: 1, timed out: 0, invalid: 0, skipped (unchanged): 1" in text
