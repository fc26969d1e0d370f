"""gradetool.collect: nbgrader's layout and flat LMS downloads, into autograder/submitted."""

import os

import pytest

from gradetool.collect import collect, parse_filename, scan

NB = "perceptron_exercise"


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("alice_late_12345_67890_perceptron_exercise.ipynb", ("alice", f"{NB}.ipynb", "12345")),
        ("alice_12345_67890_perceptron_exercise-2.ipynb", ("alice", f"{NB}.ipynb", "12345")),
        ("bob_perceptron_exercise.ipynb", ("bob", f"{NB}.ipynb", None)),
        ("dan_v2_perceptron_exercise.ipynb", ("dan", f"{NB}.ipynb", None)),
        ("carol.ipynb", ("carol", f"{NB}.ipynb", None)),
        ("eve_1_2_Untitled.ipynb", ("eve", "Untitled.ipynb", "1")),
        ("fay_1_2_data.csv", ("fay", "data.csv", "1")),
        ("perceptron_exercise.ipynb", None),
        ("perceptron_exercise-1.ipynb", None),
        ("notes.txt", None),
    ],
)
def test_parse_filename(name, parsed):
    assert parse_filename(name, NB) == parsed


def test_nbgrader_layout_is_copied_and_replaces_older_copies(tmp_path):
    src, dest = tmp_path / "in", tmp_path / "submitted"
    (src / "alice" / "ch01").mkdir(parents=True)
    (src / "alice" / "ch01" / f"{NB}.ipynb").write_text("new")
    (src / "alice" / "ch01" / ".ipynb_checkpoints").mkdir()
    (src / "bob").mkdir()
    (src / "bob" / f"{NB}.ipynb").write_text("bob's")  # no assignment level
    (src / "empty").mkdir()
    (dest / "alice" / "ch01").mkdir(parents=True)
    (dest / "alice" / "ch01" / "stale.txt").write_text("old")
    done = collect(src, dest, "ch01", NB)
    assert done.students == ["alice", "bob"]
    assert done.unmatched == ["empty/"]
    assert (dest / "alice" / "ch01" / f"{NB}.ipynb").read_text() == "new"
    assert not (dest / "alice" / "ch01" / "stale.txt").exists()
    assert not (dest / "alice" / "ch01" / ".ipynb_checkpoints").exists()
    assert (dest / "bob" / "ch01" / f"{NB}.ipynb").read_text() == "bob's"


def test_flat_downloads_with_resubmissions_and_extra_files(tmp_path):
    src, dest = tmp_path / "in", tmp_path / "submitted"
    src.mkdir()
    (src / f"alice_late_11_21_{NB}.ipynb").write_text("first")
    (src / f"alice_late_11_22_{NB}-1.ipynb").write_text("second")
    (src / "alice_11_23_data.csv").write_text("1,2")
    (src / "bob.ipynb").write_text("bob")
    (src / "readme.md").write_text("?")
    done = collect(src, dest, "ch01", NB)
    assert done.students == ["alice", "bob"]
    assert done.canvas_ids == {"alice": "11"}
    assert done.unmatched == ["readme.md"]
    assert (dest / "alice" / "ch01" / f"{NB}.ipynb").read_text() == "second"
    subs = scan(dest, "ch01", NB)
    assert subs["alice"].extra_files == ["data.csv"]
    assert subs["bob"].notebook.read_text() == "bob"


def test_scan_reports_a_renamed_notebook(tmp_path):
    folder = tmp_path / "alice" / "ch01"
    folder.mkdir(parents=True)
    (folder / "Untitled.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text("2026-01-01 10:00:00")
    sub = scan(tmp_path, "ch01", NB)["alice"]
    assert sub.notebook == folder / "Untitled.ipynb"  # the only notebook: graded, noted
    assert sub.renamed_from == "Untitled.ipynb"
    assert sub.found == ["Untitled.ipynb"]
    assert sub.extra_files == []


@pytest.mark.parametrize(
    ("names", "graded"),
    [
        (["Perceptron_Exercise.ipynb", "other.ipynb"], "Perceptron_Exercise.ipynb"),
        ([f"{NB}.ipynb.json"], f"{NB}.ipynb.json"),  # Safari's download
        ([f"{NB}_1.ipynb", "notes.ipynb"], f"{NB}_1.ipynb"),
        ([f"{NB} (1).ipynb", "scratch.ipynb"], f"{NB} (1).ipynb"),
        ([f"Copy of {NB}.ipynb", "x.ipynb"], f"Copy of {NB}.ipynb"),
        (["HW1.ipynb", "data.csv"], "HW1.ipynb"),  # the only notebook, whatever its name
        (["HW1.ipynb", "HW1-scratch.ipynb"], None),  # two candidates: never a guess
        ([f"{NB}-Copy1.ipynb", f"{NB}-Copy2.ipynb"], None),
        (["notes.txt"], None),
    ],
)
def test_a_misnamed_notebook_is_found_forgivingly(tmp_path, names, graded):
    folder = tmp_path / "alice" / "ch01"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("{}")
    sub = scan(tmp_path, "ch01", NB)["alice"]
    assert sub.renamed_from == graded
    assert sub.notebook == (folder / graded if graded else None)


def test_collecting_the_submitted_folder_itself_copies_nothing(tmp_path):
    (tmp_path / "alice" / "ch01").mkdir(parents=True)
    (tmp_path / "alice" / "ch01" / f"{NB}.ipynb").write_text("x")
    (tmp_path / "bob" / "other").mkdir(parents=True)
    done = collect(tmp_path, tmp_path, "ch01", NB)
    assert done.students == ["alice"]
    assert (tmp_path / "alice" / "ch01" / f"{NB}.ipynb").read_text() == "x"


LINKED = "(a symbolic link, not read)"


def _solution(tmp_path):
    solution = tmp_path / "solutions" / f"{NB}.ipynb"
    solution.parent.mkdir()
    solution.write_text("THE SOLUTION")
    return solution


def test_a_linked_notebook_is_never_read(tmp_path):
    """A link to the instructor's solution (absolute or relative) is reported, not graded."""
    solution = _solution(tmp_path)
    src, dest = tmp_path / "in", tmp_path / "submitted"
    (src / "alice" / "ch01").mkdir(parents=True)
    (src / "alice" / "ch01" / f"{NB}.ipynb").symlink_to(solution)
    (src / f"bob_1_2_{NB}.ipynb").symlink_to(f"../solutions/{NB}.ipynb")
    (src / "carol").symlink_to(solution.parent, target_is_directory=True)
    done = collect(src, dest, "ch01", NB)
    assert done.students == ["alice", "bob"]
    assert done.unmatched == [f"carol {LINKED}"]
    subs = scan(dest, "ch01", NB)
    for student in ("alice", "bob"):
        assert subs[student].notebook is None
        assert subs[student].found == [f"{NB}.ipynb {LINKED}"]
    assert "THE SOLUTION" not in "".join(
        p.read_text() for p in dest.rglob("*") if p.is_file() and not p.is_symlink()
    )


def test_scan_in_place_refuses_links(tmp_path):
    """Graded in place (an rsync of an exchange, an extracted archive): links stay unread."""
    solution = _solution(tmp_path)
    (tmp_path / "submitted" / "alice" / "ch01").mkdir(parents=True)
    (tmp_path / "submitted" / "alice" / "ch01" / f"{NB}.ipynb").symlink_to(solution)
    (tmp_path / "submitted" / "bob").mkdir()
    (tmp_path / "submitted" / "bob" / "ch01").symlink_to(solution.parent)
    (tmp_path / "elsewhere" / "ch01").mkdir(parents=True)
    (tmp_path / "elsewhere" / "ch01" / f"{NB}.ipynb").write_text("THE SOLUTION")
    (tmp_path / "submitted" / "carol").symlink_to(tmp_path / "elsewhere")
    subs = scan(tmp_path / "submitted", "ch01", NB)
    assert subs["alice"].notebook is None and subs["alice"].found == [f"{NB}.ipynb {LINKED}"]
    assert subs["bob"].notebook is None and subs["bob"].found == [f"ch01/ {LINKED}"]
    assert subs["carol"].notebook is None and subs["carol"].found == [f"../carol/ {LINKED}"]


def test_devices_and_pipes_are_not_copied(tmp_path):
    """Reading a named pipe (or /dev/zero) would block or never end: never opened."""
    src, dest = tmp_path / "in", tmp_path / "submitted"
    (src / "alice" / "ch01").mkdir(parents=True)
    (src / "alice" / "ch01" / f"{NB}.ipynb").write_text("mine")
    os.mkfifo(src / "alice" / "ch01" / "pipe")
    os.mkfifo(src / f"bob_1_2_{NB}.ipynb")
    done = collect(src, dest, "ch01", NB)
    assert done.students == ["alice"]
    assert sorted(done.unmatched) == [
        "alice/ch01/pipe (a device, pipe or socket, not read)",
        f"bob_1_2_{NB}.ipynb (a device, pipe or socket, not read)",
    ]
    assert (dest / "alice" / "ch01" / f"{NB}.ipynb").read_text() == "mine"
    assert not (dest / "alice" / "ch01" / "pipe").exists()
