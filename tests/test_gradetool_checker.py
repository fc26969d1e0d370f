"""A checker kernel kept from one submission to the next: nothing of the first reaches the next.

A worker keeps its checker (the kernel that runs the tests) for its next submission and
resets it in between (`gradetool.kernels.KernelPool.give_back`, `remote.reset_checker`).
Submission A's test leaves every trace a test can leave: names bound from A's kernel, a
handle to A's function (also stashed in a module), a file, environment, ``sys.path``,
built-ins, warning filters, numpy's error and print settings and random state, declared
answer modules and A's case seed. Submission B's test, in the same checker, finds none of
them, and its cell comes out exactly as in a fresh checker.
"""

import pytest

from gradetool import execute, kernels, remote
from gradetool.limits import Limits
from gradetool.testing import code_notebook

SETUP = "import numpy as np\nfrom mlpbook import grading"

LEAVE_TRACES = """
import builtins, os, sys, warnings
import mlpbook
leak = secret + 1
handle = f
mlpbook._stashed_handle = f  # instructor code keeping a handle where a reset cannot see
assert handle(1) == 2
grading.answer_modules("mlpbook.perceptron")
with open("written.txt", "w") as out:
    out.write("A")
os.makedirs("folder", exist_ok=True)
os.environ["LEAKED"] = "1"
sys.path.append("/leaked")
builtins.leaked = 1
warnings.simplefilter("error")
np.seterr(all="raise")
np.set_printoptions(precision=2)
np.random.seed(1)
drawn = grading.case_rng(7).integers(1 << 30)
print(drawn)
"""

FIND_NONE = """
import builtins, os, sys, warnings
import mlpbook
import gradetool.remote as remote_module
from mlpbook.grading import cases
for name in ("leak", "handle", "secret", "f", "drawn", "out"):
    assert name not in globals(), name
try:
    secret
except NameError:
    pass
else:
    raise AssertionError("secret is defined")
assert grading.declared_answer_modules() == (), grading.declared_answer_modules()
assert cases._seed == [None], cases._seed
assert sorted(os.listdir(".")) == ["data.txt"], os.listdir(".")
assert "LEAKED" not in os.environ and "/leaked" not in sys.path
assert not hasattr(builtins, "leaked")
assert ("error", None, Warning, None, 0) not in warnings.filters
assert np.geterr()["divide"] == "warn" and np.get_printoptions()["precision"] == 8
assert "secret" not in remote_module._student_code[0]
assert set(remote_module._bound) <= {"g"}, remote_module._bound
assert (np.random.get_state()[1] != np.random.RandomState(1).get_state()[1]).any()
stashed = getattr(mlpbook, "_stashed_handle", None)  # only in a checker that graded A
if stashed is not None:
    try:
        stashed(1)
    except remote_module.RemoteError as exc:
        assert "earlier submission" in str(exc), exc
    else:
        raise AssertionError("a handle of submission A reached submission B's kernel")
print(g(5), grading.case_rng(7).integers(1 << 30))
"""


@pytest.fixture
def pool():
    pool = kernels.KernelPool()
    yield pool
    pool.close()


def grade(pool, student_code, test_code, seed, *, files=None):
    """Run one submission (a student cell, then one test cell) as the worker does."""
    files = {"data.txt": b"42"} if files is None else files
    nb = code_notebook(student_code, "# the test")
    nb["cells"][1]["metadata"]["nbgrader"] = {"grade_id": "test_it", "grade": True, "points": 1}
    tests = execute.Tests(cells={"test_it": test_code}, setup={"test_it": [SETUP]})
    student = pool.take("python3")
    checker = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    try:
        student.put_files(files)
        checker.put_files(files)
        run = execute.execute_notebook(nb, student, checker=checker, tests=tests, seed=seed)
    finally:
        student.close()
        pool.give_back(checker, keep=True)
    return run, checker


def test_a_kept_checker_shows_nothing_of_the_previous_submission(pool):
    a, checker_a = grade(pool, "secret = 41\ndef f(x):\n    return x + 1", LEAVE_TRACES, 123)
    assert a.status == "ok"
    a_cell = a.nb["cells"][1]
    assert all(o["output_type"] != "error" for o in a_cell["outputs"]), a_cell["outputs"]
    assert pool._kept == [checker_a] and checker_a.uses == 1

    b, checker_b = grade(pool, "def g(x):\n    return 2 * x", FIND_NONE, None)
    assert checker_b is checker_a and checker_b.uses == 2  # the same kernel, reset
    b_cell = b.nb["cells"][1]
    assert all(o["output_type"] != "error" for o in b_cell["outputs"]), b_cell["outputs"]

    # and B's test cell comes out as it does in a fresh checker, execution count included
    fresh = kernels.KernelPool()
    try:
        c, checker_c = grade(fresh, "def g(x):\n    return 2 * x", FIND_NONE, None)
        assert checker_c is not checker_a and checker_c.uses == 1
    finally:
        fresh.close()
    c_cell = c.nb["cells"][1]
    assert b_cell["outputs"] == c_cell["outputs"]
    assert b_cell["execution_count"] == c_cell["execution_count"] == a_cell["execution_count"]


def test_the_seed_of_a_submission_reaches_only_its_own_tests(pool):
    draw = "print(grading.case_rng(7).integers(1 << 30))"
    runs = [grade(pool, "x = 1", draw, seed)[0] for seed in (5, None, 5, None)]
    texts = [r.nb["cells"][1]["outputs"][0]["text"] for r in runs]
    assert texts[0] == texts[2] and texts[1] == texts[3] and texts[0] != texts[1]


def test_a_checker_is_kept_only_after_a_normal_run_and_gets_no_spare_meanwhile(pool):
    pool.prestart("python3", Limits(), warm=((), kernels.CHECKER_WARM))
    checker_key = ("python3", Limits(), (), kernels.CHECKER_WARM)
    spare = next(k for k in pool._spares if kernels._key(k) == checker_key)
    checker = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    assert checker is spare  # the first checker is a spare, then kept
    assert not any(kernels._key(k) == checker_key for k in pool._spares)
    pool.give_back(checker)
    assert pool._kept == [checker]
    again = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    assert again is checker and checker.resetting is None
    assert not any(kernels._key(k) == checker_key for k in pool._spares)
    pool.give_back(again, keep=False)  # its run timed out or crashed: closed, a spare boots
    assert not checker.alive() and pool._kept == []
    assert any(kernels._key(k) == checker_key for k in pool._spares)


def test_a_checker_is_replaced_after_its_uses_and_when_its_reset_fails(pool, monkeypatch):
    monkeypatch.setattr(kernels, "MAX_CHECKER_USES", 2)
    first = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    pool.give_back(first)
    assert pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True) is first
    pool.give_back(first)  # its second submission: done
    assert not first.alive() and pool._kept == []
    second = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    assert second is not first
    second._run_quietly(
        "import gradetool.remote as r; r.reset_checker = lambda: 1 / 0", 10, what="a bug"
    )
    pool.give_back(second)
    third = pool.take("python3", warm=kernels.CHECKER_WARM, reuse=True)
    assert third is not second and not second.alive()
    pool.give_back(third, keep=False)


def test_a_handle_of_an_earlier_session_is_refused_in_process():
    handle = remote.Remote({"ref": 1, "type": "function", "name": "f", "callable": True})
    remote._session[0] += 1
    with pytest.raises(remote.RemoteError, match="earlier submission"):
        handle(1)
    with pytest.raises(remote.RemoteError, match="earlier submission"):
        remote.encode([handle], remote._remote_handle)
