"""gradetool.execute: cells run in order, within limits, whatever the kernel does."""

import pytest

from gradetool import execute, kernels
from gradetool.testing import code_notebook as notebook


@pytest.fixture(scope="module")
def pool():
    pool = kernels.KernelPool(spare=True)
    yield pool
    pool.close()


def run(pool, *sources, **limits):
    nb = notebook(*sources)
    kernel = pool.take("python3")
    try:
        return execute.execute_notebook(nb, kernel, **limits), kernel
    finally:
        kernel.close()


def outputs(execution, index):
    return execution.nb["cells"][index]["outputs"]


def test_cells_run_in_order_errors_do_not_stop_and_sys_exit_is_an_error(pool):
    done, kernel = run(
        pool,
        "import os, sys; x = 2; print(os.environ['NBGRADER_EXECUTION'], os.getcwd())",
        "1 / 0",
        "import warnings; warnings.warn('careful'); x + 1",
        "sys.exit(3)",
        "print('still here')",
    )
    assert done.status == "ok" and done.not_run == []
    text = outputs(done, 0)[0]["text"]
    assert text.startswith("autograde ") and str(kernel.cwd) in text
    assert outputs(done, 1)[-1]["ename"] == "ZeroDivisionError"
    assert outputs(done, 2)[-1]["data"]["text/plain"] == "3"
    assert any(o.get("name") == "stderr" for o in outputs(done, 2))
    assert outputs(done, 3)[0]["ename"] == "SystemExit"
    assert outputs(done, 4)[0]["text"] == "still here\n"
    assert not kernel.root.exists() and not kernel.alive()


def test_a_cell_over_its_time_is_interrupted_and_the_rest_runs(pool):
    done, _ = run(pool, "while True:\n    pass", "print('after')", cell_timeout=1)
    assert done.status == "timed out"
    assert "cell 1 ran over 1 s and was interrupted" in done.reason
    assert outputs(done, 0)[-1]["ename"] == execute.TIMEOUT_ENAME
    assert outputs(done, 1)[0]["text"] == "after\n"


def test_a_loop_ignoring_sigint_gets_its_kernel_killed(pool, monkeypatch):
    monkeypatch.setattr(execute, "INTERRUPT_GRACE", 0.5)
    loop = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    done, kernel = run(pool, loop, "print('never')", cell_timeout=1)
    assert done.status == "timed out" and "ignored the interrupt" in done.reason
    assert done.not_run == [1]
    assert "killed by SIGKILL" in kernel.exit_description()


def test_the_notebooks_time_limit(pool):
    done, _ = run(pool, "import time; time.sleep(0.6)", "time.sleep(0.6)", "1", timeout=1)
    assert done.status == "timed out" and "ran over 1 s" in done.reason
    assert done.not_run == [2]


@pytest.mark.parametrize(
    ("code", "how"),
    [("import os; os._exit(3)", "exit code 3"), ("import ctypes; ctypes.string_at(0)", "SIGSEGV")],
)
def test_a_dying_kernel_is_a_crash(pool, code, how):
    done, _ = run(pool, code, "print('never')")
    assert done.status == "crashed"
    assert "the kernel died in cell 1" in done.reason and how in done.reason
    assert done.not_run == [1]


def test_megabytes_of_output_are_cut(pool):
    done, _ = run(pool, "print('x' * 3_000_000)", "for i in range(10**4): print(i)", "print('ok')")
    assert done.status == "ok" and done.truncated > 2_800_000
    kept = sum(len(o.get("text", "")) for c in done.nb["cells"] for o in c["outputs"])
    assert kept < execute.MAX_OUTPUT + 1000
    assert "output truncated" in outputs(done, 0)[-1]["text"]


def test_clear_output_and_displays(pool):
    done, _ = run(
        pool,
        "from IPython.display import clear_output, display\n"
        "print('gone'); clear_output(wait=True); display({'a': 1}, raw=False); print('kept')",
    )
    texts = [o.get("text") or o.get("data", {}).get("text/plain") for o in outputs(done, 0)]
    assert texts == ["{'a': 1}", "kept\n"]


SPY = """
def f(x):
    return x + 1

seen = []  # everything the grader sends this kernel
_kernel = get_ipython().kernel
_read = _kernel.raw_input

def _spy(prompt=""):
    text = _read(prompt)
    seen.append(text)
    return text

_kernel.raw_input = _spy
get_ipython().events.register("pre_run_cell", lambda info: seen.append(info.raw_cell))
"""

TEST_NAMES = """
reference_answer = 2
rng_test = None
assert f(1) == reference_answer, globals().get("w_ref")
"""


def test_only_the_answers_names_reach_the_student_kernel(pool):
    """A test's own names (reference_answer, rng_test, w_ref) are never sent to it."""
    source = notebook("def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION")
    source["cells"][0]["metadata"]["nbgrader"] = {"solution": True, "grade_id": "f"}
    source["cells"].append(dict(notebook(TEST_NAMES)["cells"][0]))
    source["cells"][1]["metadata"]["nbgrader"] = {"grade_id": "test_f", "grade": True}
    tests = execute.Tests.from_source(source, {"test_f": 1})
    assert tests.answers == {"f"}
    nb = notebook(SPY, "# the test", "print(seen)")
    nb["cells"][1]["metadata"]["nbgrader"] = {"grade_id": "test_f", "grade": True, "points": 1}
    student = pool.take("python3")
    checker = pool.take("python3", warm=kernels.CHECKER_WARM)
    try:
        done = execute.execute_notebook(nb, student, checker=checker, tests=tests)
    finally:
        student.close()
        checker.close()
    assert done.status == "ok"
    assert all(o["output_type"] != "error" for o in outputs(done, 1)), outputs(done, 1)
    spied = outputs(done, 2)[0]["text"]
    assert '"f"' in spied  # the answer it asked for
    for name in ("reference_answer", "rng_test", "w_ref", "assert"):
        assert name not in spied, spied


def test_defined_names_are_the_module_level_bindings():
    code = (
        "import numpy as np, os.path\nfrom x import y as z\ndef f(a):\n    inner = 1\n"
        "class C:\n    attr = 1\nW1 = 3\na, (b, c) = 1, (2, 3)\nif True:\n    def g(): pass\n"
        "for i in range(3): pass\nprint(q := 5)\n"
    )
    assert execute.defined_names(code) == {
        "np",
        "os",
        "z",
        "f",
        "C",
        "W1",
        "a",
        "b",
        "c",
        "g",
        "i",
        "q",
    }
    assert execute.defined_names("%pwd\ndef h(x):\n    return 1\nV = 2") == {"h", "V"}
