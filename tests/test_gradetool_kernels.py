"""gradetool.kernels: a fresh kernel per submission, a spare ready, none left behind."""

import os

import pytest

from gradetool import execute, kernels
from gradetool.testing import code_notebook as notebook


@pytest.fixture(scope="module")
def pool():
    pool = kernels.KernelPool(spare=True)
    yield pool
    pool.close()


def test_each_take_is_a_fresh_kernel(pool):
    first = pool.take("python3")
    second = pool.take("python3")
    try:
        assert first.process.pid != second.process.pid
        nb = notebook("secret = 1")
        execute.execute_notebook(nb, first)
        nb = notebook("secret")
        execute.execute_notebook(nb, second)
        assert nb["cells"][0]["outputs"][0]["ename"] == "NameError"
    finally:
        first.close()
        second.close()


def test_close_all_kills_every_kernel():
    kernel = kernels.Kernel("python3")
    kernels.close_all()
    assert not kernel.alive() and kernel not in kernels._live
    assert os.path.exists(kernel.root) is False


def test_kill_all_ends_kernels_without_touching_their_channels(pool):
    kernel = pool.take("python3")
    kernels.kill_all()
    assert not kernel.alive() and not kernel.root.exists()
    kernel.close()  # closing afterwards is harmless


def test_an_unknown_kernel_is_a_start_error():
    with pytest.raises(kernels.KernelStartError, match="no Jupyter kernel named 'nope'"):
        kernels.Kernel("nope")
