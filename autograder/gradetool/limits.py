"""What a submission may use while it is graded: time, memory, processes, files, output.

One `Limits` travels with each task to the worker. The defaults suit this course's
notebooks (chapter 1 runs in a few seconds and under 300 MB); an instructor changes them
with ``course-grade grade --memory 2G --max-processes 64 …`` or ``Limits(...)`` in Python.

Which limit is enforced where:

- ``cell_timeout``, ``timeout``: the worker (interrupt, then kill the kernel);
- ``cell_output``, ``output``: the worker, as outputs arrive (text, images and HTML alike:
  every output counts by the size of its data);
- ``memory``, ``processes``, ``file_size``, ``open_files``, ``cpu``: the operating system
  (``setrlimit`` on the kernel), on Unix;
- ``scratch``: the size of the kernel's private writable folder (a tmpfs in the sandbox).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

SANDBOX_MODES = ("auto", "require", "off")

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str | int) -> int:
    """``"2G"`` → 2147483648; ``"512M"``, ``"64k"``, ``"1000"`` (bytes) and ints too.

    Raises
    ------
    ValueError
        With what was expected, for anything else.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise ValueError(f"a size must be positive, not {text}")
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", str(text))
    if not match:
        raise ValueError(
            f"a size is a number of bytes with an optional unit K, M, G or T "
            f"(e.g. 512M, 2G), not {text!r}"
        )
    value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if value <= 0:
        raise ValueError(f"a size must be positive, not {text!r}")
    return value


def format_size(size: int) -> str:
    """``2147483648`` → ``2 GiB``."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.3g} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class Limits:
    """Resource limits for grading one submission.

    Attributes
    ----------
    cell_timeout : float
        Seconds a cell may run; then it is interrupted, and its kernel killed if it ignores
        the interrupt.
    timeout : float
        Seconds the whole notebook may run (the student's cells and the tests' calls).
    memory : int
        Bytes of address space per process of the kernel (``RLIMIT_AS``). A kernel with
        numpy and matplotlib maps about 1.2 GB before any work; an allocation beyond the
        limit raises ``MemoryError`` in the student's code.
    processes : int
        Processes and threads the kernel may have at once (``RLIMIT_NPROC``, for a user id
        of its own when the grader runs as root); ipykernel and OpenBLAS use about 15.
    file_size : int
        Bytes a file written by the kernel may reach (``RLIMIT_FSIZE``).
    open_files : int
        Files and sockets the kernel may hold open (``RLIMIT_NOFILE``).
    cpu : float
        CPU seconds per kernel process (``RLIMIT_CPU``), a backstop behind ``timeout``.
    scratch : int
        Bytes the kernel may write in its private folder (its working directory and
        ``/tmp`` in the sandbox).
    cell_output, output : int
        Characters of output kept per cell and per notebook; the rest is dropped and counted.
    notebook_size : int
        Bytes a submitted notebook may have: a larger one is ``invalid``, refused from its
        size on disk before it is read (a notebook with its plots is a few MB).
    cells : int
        Cells a submitted notebook may have: one with more is ``invalid``.
    sandbox : str
        ``auto`` (sandbox when possible, else warn once and grade without), ``require``
        (refuse to grade without a sandbox) or ``off``.
    """

    cell_timeout: float = 30.0
    timeout: float = 300.0
    memory: int = 4 << 30
    processes: int = 128
    file_size: int = 64 << 20
    open_files: int = 256
    cpu: float = 600.0
    scratch: int = 256 << 20
    cell_output: int = 100_000
    output: int = 1_000_000
    notebook_size: int = 32 << 20
    cells: int = 2000
    sandbox: str = "auto"

    def __post_init__(self) -> None:
        for name in ("cell_timeout", "timeout", "cpu"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        for name in (
            "memory",
            "processes",
            "file_size",
            "open_files",
            "scratch",
            "notebook_size",
            "cells",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")
        for name in ("cell_output", "output"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 0):
                raise ValueError(f"{name} must be a whole number of characters, not {value!r}")
        if self.sandbox not in SANDBOX_MODES:
            raise ValueError(
                f"sandbox must be one of {', '.join(SANDBOX_MODES)}, not {self.sandbox!r}"
            )

    def replace(self, **changes) -> Limits:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Limits:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in fields})

    def os_limits(self) -> dict[str, int]:
        """The ``resource`` limits to set on the kernel: name → value."""
        return {
            "RLIMIT_AS": self.memory,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_FSIZE": self.file_size,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_CPU": int(self.cpu) + 1,
            "RLIMIT_CORE": 0,
        }
