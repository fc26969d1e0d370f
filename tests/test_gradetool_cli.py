"""gradetool.cli: `course-grade` commands, their output and exit codes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradetool import kernels
from gradetool.cli import main
from gradetool.testing import make_course, simple_release, solved, tiny_source, write_submissions

SOURCE = tiny_source()
SCRIPT = Path(sys.executable).parent / "course-grade"
COMMANDS = ["grade", "collect", "autograde", "feedback", "export", "report", "check"]


@pytest.fixture(scope="module", autouse=True)
def no_kernel_left():
    yield
    kernels.close_all()


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"] if command else ["--help"])
    assert exit_.value.code == 0
    assert "usage: course-grade" in capsys.readouterr().out


def test_bad_arguments_exit_2(tmp_path, capsys):
    course = make_course(tmp_path / "course")
    with pytest.raises(SystemExit) as exit_:
        main(["grade", "tiny"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["grade", "tiny", str(tmp_path), "--workers", "0"])
    assert exit_.value.code == 2
    assert main(["grade", "nope", str(tmp_path), "--course", str(course)]) == 2
    assert "no assignment 'nope'" in capsys.readouterr().err
    assert main(["grade", "tiny", str(tmp_path / "missing"), "--course", str(course)]) == 2


def test_check_exit_codes(tmp_path, capsys):
    course = make_course(tmp_path / "course")
    cases = {"good": solved(SOURCE), "blank": simple_release(SOURCE)}
    for name, nb in cases.items():
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb))
    (tmp_path / "bad.ipynb").write_text("{")
    common = ["--course", str(course), "--assignment", "tiny"]
    assert main(["check", str(tmp_path / "good.ipynb"), *common]) == 0
    out = capsys.readouterr().out
    assert "pass  test_add_hidden  2/2" in out and "score: 4 / 4" in out
    assert main(["check", str(tmp_path / "blank.ipynb"), "--course", str(course)]) == 1
    assert "FAIL  test_mul" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "bad.ipynb"), *common]) == 2
    assert main(["check", str(tmp_path / "none.ipynb"), *common]) == 2


def test_console_script_ctrl_c_saves_what_was_graded(tmp_path):
    """`course-grade grade` in a real process: Ctrl-C exits 130 with the finished results saved."""
    course = make_course(tmp_path / "course")
    slow = solved(SOURCE)
    slow["cells"][2]["source"] = "import time\ntime.sleep(3)\ndef add(a, b):\n    return a + b"
    subs = {"a1": solved(SOURCE), "a2": solved(SOURCE), "z1": slow, "z2": slow}
    folder = write_submissions(tmp_path / "in", "tiny", "tiny", subs)
    command = [str(SCRIPT), "grade", "tiny", str(folder), "--course", str(course), "--workers", "2"]
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(
        [*command, "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    states = course / "autograder" / ".gradetool" / "tiny" / "students"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(states.glob("*.json"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: 2 results saved" in err
    assert out.strip() == "graded: 2, failed: 0, timed out: 0, invalid: 0, skipped (unchanged): 0"
    assert sorted(p.stem for p in states.glob("*.json")) == ["a1", "a2"]
    assert shutil.which("course-grade", path=env["PATH"])
