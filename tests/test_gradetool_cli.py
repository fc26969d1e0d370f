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

from gradetool import batch, cli, kernels
from gradetool.cli import main
from gradetool.limits import Limits, format_size
from gradetool.pool import Pool
from gradetool.results import GRADED, BatchResult, StudentResult
from gradetool.testing import make_course, simple_release, solved, tiny_source, write_submissions

SOURCE = tiny_source()
SCRIPT = Path(sys.executable).parent / "course-grade"
COMMANDS = ["grade", "collect", "autograde", "feedback", "export", "report", "check", "sandbox"]
LIMITED = ["grade", "autograde", "check", "sandbox"]


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


@pytest.mark.parametrize("command", LIMITED)
def test_help_shows_the_defaults_of_limits(command, monkeypatch, capsys):
    defaults = Limits(memory=3 << 30, processes=7, scratch=5 << 20, output=4321, cell_timeout=9)
    monkeypatch.setattr(cli, "DEFAULT", defaults)
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for text in ("per cell (9)", "(3 GiB)", "kernel (7)", "(5 MiB)", "notebook (4,321)"):
        assert text in out
    assert format_size(Limits().memory) not in out


def _calls(monkeypatch) -> list[dict]:
    """Replace the batch functions the CLI calls: each records its keyword arguments."""
    calls: list[dict] = []

    def run(*args, **kwargs):
        calls.append(kwargs)
        return BatchResult("tiny")

    def check(spec, path, **kwargs):
        calls.append(kwargs)
        return StudentResult(path.stem, GRADED)

    for name, fake in (("grade", run), ("autograde", run), ("check", check)):
        monkeypatch.setattr(batch, name, fake)
    return calls


LIMIT_OPTIONS = [
    *["--cell-timeout", "2", "--timeout", "20", "--memory", "2G", "--max-processes", "64"],
    *["--max-file-size", "10M", "--max-open-files", "100", "--scratch", "512m"],
    *["--max-output", "5000", "--sandbox", "off"],
]
GIVEN = Limits(
    cell_timeout=2,
    timeout=20,
    memory=2 << 30,
    processes=64,
    file_size=10 << 20,
    open_files=100,
    scratch=512 << 20,
    output=5000,
    cell_output=500,
    sandbox="off",
)


@pytest.mark.parametrize("command", ["grade", "autograde", "check"])
def test_limit_options_make_the_limits(command, tmp_path, monkeypatch):
    calls = _calls(monkeypatch)
    course = make_course(tmp_path / "course")
    (tmp_path / "tiny.ipynb").write_text(json.dumps(solved(SOURCE)))
    argv = {
        "grade": ["grade", "tiny", str(tmp_path)],
        "autograde": ["autograde", "tiny"],
        "check": ["check", str(tmp_path / "tiny.ipynb"), "--assignment", "tiny"],
    }[command] + ["--course", str(course)]
    assert main(argv) == 0
    assert main([*argv, *LIMIT_OPTIONS]) == 0
    assert main([*argv, "--max-output", "5000", "--max-cell-output", "7"]) == 0
    assert [c["limits"] for c in calls] == [Limits(), GIVEN, Limits(output=5000, cell_output=7)]
    assert not any({"cell_timeout", "timeout"} & set(c) for c in calls)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--memory", "lots", "a size is a number of bytes with an optional unit K, M, G or T"),
        ("--scratch", "2X", "(e.g. 512M, 2G), not '2X'"),
        ("--max-file-size", "0", "a size must be positive, not '0'"),
        ("--max-processes", "many", "expected a whole number at least 1, not 'many'"),
        ("--max-open-files", "0", "expected a whole number at least 1, not '0'"),
        ("--max-output", "-5", "expected a whole number of characters (0 or more), not '-5'"),
        ("--max-cell-output", "1.5", "expected a whole number of characters"),
        ("--cell-timeout", "0", "expected a positive number of seconds, not '0'"),
        ("--timeout", "soon", "expected a positive number of seconds, not 'soon'"),
        ("--sandbox", "maybe", "invalid choice: 'maybe'"),
    ],
)
def test_bad_limits_exit_2_saying_what_was_expected(option, value, expected, monkeypatch, capsys):
    calls = _calls(monkeypatch)
    for argv in (["grade", "tiny", "in"], ["autograde", "tiny"], ["check", "x.ipynb"], ["sandbox"]):
        with pytest.raises(SystemExit) as exit_:
            main([*argv, option, value])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {option}: " in err and expected in err, err
    assert calls == []


def test_sandbox_require_without_a_sandbox_exits_2_before_any_worker(tmp_path, monkeypatch, capsys):
    from gradetool import sandbox

    def unavailable(limits):
        assert limits.sandbox == "require"
        raise sandbox.SandboxUnavailable("no sandbox here: bwrap is not installed")

    monkeypatch.setattr(sandbox, "check", unavailable)
    monkeypatch.setattr(Pool, "start", lambda self: pytest.fail("a worker was started"))
    course = make_course(tmp_path / "course")
    folder = write_submissions(tmp_path / "in", "tiny", "tiny", {"ann": solved(SOURCE)})
    (tmp_path / "tiny.ipynb").write_text(json.dumps(solved(SOURCE)))
    for argv in (
        ["grade", "tiny", str(folder)],
        ["autograde", "tiny"],
        ["check", str(tmp_path / "tiny.ipynb"), "--assignment", "tiny"],
    ):
        assert main([*argv, "--course", str(course), "--sandbox", "require"]) == 2
        captured = capsys.readouterr()
        assert "error: no sandbox here: bwrap is not installed" in captured.err
        assert "score" not in captured.out and "graded:" not in captured.out
    assert not list((course / "autograder" / ".gradetool").glob("tiny/students/*.json"))


FULL = {
    "sandbox": True,
    "reason": "",
    "network_isolated": True,
    "course_hidden": True,
    "separate_uid": False,
    "memory": True,
    "processes": False,
    "file_size": True,
    "open_files": True,
    "scratch": True,
    "not_enforced": ["processes (RLIMIT_NPROC needs a user id of its own: run as root)"],
}
NONE = {
    **FULL,
    "sandbox": False,
    "reason": "bubblewrap (bwrap) is not installed",
    "network_isolated": False,
    "course_hidden": False,
    "scratch": False,
    "not_enforced": [],
}


def test_sandbox_command_prints_what_is_in_force(tmp_path, monkeypatch, capsys):
    from gradetool import sandbox

    seen, answers = [], [FULL, NONE]

    def capabilities(limits, course=None):
        seen.append((limits, course))
        if limits.sandbox == "require":
            raise sandbox.SandboxUnavailable("grading needs a sandbox and there is none")
        return dict(answers.pop(0))

    monkeypatch.setattr(sandbox, "capabilities", capabilities)
    monkeypatch.chdir(tmp_path)  # in no course
    assert main(["sandbox", "--memory", "2G", "--max-processes", "9"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "sandbox:            yes",
        "network isolated:   yes",
        "course hidden:      yes",
        "separate uid:       no",
        "memory (2 GiB):     yes",
        "processes (9):      no",
        "file size (64 MiB): yes",
        "open files (256):   yes",
        "scratch (256 MiB):  yes",
        "not enforced:       processes (RLIMIT_NPROC needs a user id of its own: run as root)",
    ]
    assert seen.pop() == (Limits(memory=2 << 30, processes=9), None)

    course = make_course(tmp_path / "course", gradebook=False)
    assert main(["sandbox", "--course", str(course), "--sandbox", "off"]) == 1
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert lines[:4] == [
        "sandbox: no",
        "reason: bubblewrap (bwrap) is not installed",
        "network isolated: no",
        "course hidden: no",
    ]
    assert not any(line.startswith("not enforced") for line in lines)
    assert seen.pop() == (Limits(sandbox="off"), course.resolve())

    assert main(["sandbox", "--sandbox", "require"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "sandbox: no",
        "reason:  grading needs a sandbox and there is none",
    ]


def test_sandbox_command_on_this_machine(capsys):
    code = main(["sandbox", "--sandbox", "auto"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert out.startswith("sandbox:") and out.split()[1] == ("yes" if code == 0 else "no")
    for item in ("network isolated:", "memory (4 GiB):", "processes (128):", "open files"):
        assert item in out


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
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("?")
    capsys.readouterr()
    assert main(["grade", "tiny", str(tmp_path / "empty"), "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "no submission of tiny in" in err and "not understood: notes.txt" in err


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


def test_an_oversized_notebook_is_invalid_and_never_read(tmp_path, capsys):
    """50 MB is refused from its size on disk: quickly, the main process's memory untouched."""
    import resource

    course = make_course(tmp_path / "course")
    common = ["--course", str(course), "--assignment", "tiny"]
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as f:  # sparse: 50 MB on paper, nothing to read
        f.truncate(50 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert main(["check", str(big), *common]) == 2  # invalid
    out = capsys.readouterr().out
    assert "50 MiB, more than the 32 MiB" in out and "--max-notebook-size" in out
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB
    assert grown < 20 << 10, f"the check grew the process by {grown} KiB"
    many = solved(SOURCE)
    many["cells"] += [{"cell_type": "raw", "metadata": {}, "source": ""}] * 30
    (tmp_path / "many.ipynb").write_text(json.dumps(many))
    assert main(["check", str(tmp_path / "many.ipynb"), *common, "--max-cells", "20"]) == 2
    assert "cells, more than the 20 a submission may have" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "many.ipynb"), *common]) == 0


def test_a_closed_pipe_ends_quietly(tmp_path, capsys, monkeypatch):
    """`course-grade check … | head`: the reader left; no traceback, exit 141."""

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            raise OSError("not a file")

    course = make_course(tmp_path / "course")
    (tmp_path / "good.ipynb").write_text(json.dumps(solved(SOURCE)))
    monkeypatch.setattr("sys.stdout", Closed())
    code = main(
        ["check", str(tmp_path / "good.ipynb"), "--course", str(course), "--assignment", "tiny"]
    )
    assert code == 141


def test_check_of_a_file_that_is_not_a_notebook_blames_the_file(tmp_path, capsys):
    course = make_course(tmp_path / "course")
    bad = tmp_path / "HW1.ipynb"  # not the assignment's name: its grade ids would tell
    bad.write_text("{ this is not JSON")
    assert main(["check", str(bad), "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "HW1.ipynb: not a valid notebook: the file is not JSON" in err
    assert "assignment" not in err
