"""gradetool.state: the per-student record that makes batches resumable and idempotent."""

from gradetool.results import CRASHED, GRADED, SKIPPED, PartResult, StudentResult
from gradetool.state import State, content_hash, grading_key


def graded(student="alice", score=3.0):
    parts = {"test_b": PartResult(score, 3, True), "test_a": PartResult(0, 1, False, "no")}
    return StudentResult(student, GRADED, "ok", score, 4.0, parts, recorded=True)


def test_a_graded_result_is_skipped_under_the_same_key_only(tmp_path):
    state = State(tmp_path)
    key = grading_key(content_hash(b"nb"), "tests")
    state.record(graded(), key)
    kept = state.unchanged("alice", key)
    assert kept.score == 3.0 and list(kept.parts) == ["test_b", "test_a"]  # order kept
    assert "unchanged since graded" in kept.reason
    assert state.unchanged("alice", grading_key(content_hash(b"other"), "tests")) is None
    assert state.unchanged("alice", grading_key(content_hash(b"nb"), "new tests")) is None
    assert state.unchanged("bob", key) is None


def test_a_failed_regrade_keeps_the_standing_result_and_is_skipped_too(tmp_path):
    state = State(tmp_path)
    key = grading_key(content_hash(b"nb"), "tests")
    state.record(graded(), key)
    new = grading_key(content_hash(b"new"), "tests")
    state.record(StudentResult("alice", CRASHED, "the kernel died"), new)
    assert state.latest()["alice"].status == CRASHED
    assert state.standing("alice").score == 3.0
    assert list(state.standings()) == ["alice"]
    assert state.unchanged("alice", key) is None  # the latest attempt is what counts
    again = state.unchanged("alice", new)
    assert again.status == CRASHED and "when it was crashed: the kernel died" in again.reason


def test_a_skipped_result_changes_only_what_the_exports_show(tmp_path):
    state = State(tmp_path)
    key = grading_key(content_hash(b"nb"), "tests")
    state.record(graded(), key)
    skipped = state.unchanged("alice", key)
    skipped.status = SKIPPED
    state.record(skipped)
    assert state.latest()["alice"].status == SKIPPED
    assert state.unchanged("alice", key).status == GRADED


def test_results_round_trip_and_unreadable_files_are_regraded(tmp_path):
    state = State(tmp_path)
    state.record(graded("bob"), {"k": 1})
    assert state.latest()["bob"] == graded("bob")
    (tmp_path / "students" / "bob.json").write_text("{broken")
    assert state.load("bob") is None
    assert state.students() == ["bob"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_canvas_ids_merge(tmp_path):
    state = State(tmp_path)
    state.add_canvas_ids({"alice": "1"})
    state.add_canvas_ids({"bob": "2"})
    assert state.canvas_ids() == {"alice": "1", "bob": "2"}
    assert content_hash(None) == "none"
