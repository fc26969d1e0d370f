"""What grading a class produces: per test cell, per student, per batch.

Plain dataclasses that turn into JSON-ready dicts and back (`to_dict`, `from_dict`): the
worker returns such dicts, the state files store them, the exports read them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

GRADED = "graded"
TIMED_OUT = "timed out"
CRASHED = "crashed"
INVALID = "invalid"
SKIPPED = "skipped"

STATUSES = (GRADED, TIMED_OUT, CRASHED, INVALID, SKIPPED)
# a run with one of these statuses leaves the gradebook as it was
FAILURES = (TIMED_OUT, CRASHED, INVALID)


@dataclass
class PartResult:
    """One autograded test cell (a graded part) of one submission.

    Attributes
    ----------
    points, max_points : float
        The points earned and the cell's points.
    passed : bool
        True when the test cell ran without error (full points).
    message : str
        Why it failed: the assertion message of `mlpbook.grading`, else the error's last
        line (``NameError: name 'x' is not defined``); empty when it passed.
    """

    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclass
class StudentResult:
    """The outcome of one student's submission.

    Attributes
    ----------
    student : str
        The student id.
    status : str
        One of `STATUSES`: ``graded``, ``timed out``, ``crashed``, ``invalid``, ``skipped``.
    reason : str
        What happened, for a human.
    score, max_score : float or None
        The total of the parts. For ``timed out`` and ``crashed``, the score of the tests that
        ran (the others count 0); None when no test ran, and for ``invalid``.
    parts : dict of str to PartResult
        Per autograded test cell (grade id), in the source's order.
    repairs : list of str
        What was put right in the notebook before running it (restored test cells…).
    extra_files : list of str
        Files of the submission that grading ignored.
    recorded : bool
        Whether this result is in the gradebook: always for ``graded``; for ``timed out``
        and ``crashed`` only when the student had no result yet and some test ran (a failed
        regrade keeps the previous result); never for ``invalid``. A ``skipped`` result
        keeps the value of the result it repeats.
    previous_score : float or None
        For a failed regrade: the score the gradebook keeps.
    seconds : float
        Wall time of grading this submission in its worker.
    cell_seconds : float
        Of which: time spent executing the notebook's cells.
    """

    student: str
    status: str
    reason: str = ""
    score: float | None = None
    max_score: float = 0.0
    parts: dict[str, PartResult] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    extra_files: list[str] = field(default_factory=list)
    recorded: bool = False
    previous_score: float | None = None
    seconds: float = 0.0
    cell_seconds: float = 0.0

    @property
    def standing_score(self) -> float | None:
        """The score the gradebook holds after this run (this one, or the kept one)."""
        return self.score if self.recorded else self.previous_score

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> StudentResult:
        """The inverse of `to_dict` (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["parts"] = {gid: PartResult(**p) for gid, p in data.get("parts", {}).items()}
        return cls(**kwargs)


@dataclass
class BatchResult:
    """A whole batch: every student's result, and the counts of the summary line.

    Attributes
    ----------
    assignment : str
    students : dict of str to StudentResult
        Student id → result, sorted by id.
    interrupted : bool
        True when the run was stopped (Ctrl-C) before every submission was graded.
    seconds : float
        Wall time of the whole batch.
    sandbox : str
        How the students' code ran: ``bwrap``, or ``none: <why>`` when unsandboxed.
    """

    assignment: str
    students: dict[str, StudentResult] = field(default_factory=dict)
    interrupted: bool = False
    seconds: float = 0.0
    sandbox: str = ""

    def count(self, status: str) -> int:
        """How many students got ``status``."""
        return sum(r.status == status for r in self.students.values())

    @property
    def graded(self) -> int:
        return self.count(GRADED)

    @property
    def failed(self) -> int:
        """Crashed kernels and other failures of the grading itself."""
        return self.count(CRASHED)

    @property
    def timed_out(self) -> int:
        return self.count(TIMED_OUT)

    @property
    def invalid(self) -> int:
        return self.count(INVALID)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    @property
    def summary(self) -> str:
        """The one-line summary the CLI prints last."""
        return (
            f"graded: {self.graded}, failed: {self.failed}, timed out: {self.timed_out}, "
            f"invalid: {self.invalid}, skipped (unchanged): {self.skipped}"
        )
