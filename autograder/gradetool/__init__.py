"""course-grade: the instructors' batch-grading tool of the course, nbgrader underneath.

    from gradetool import grade
    batch = grade("ch01_perceptron", "downloads/", workers=4)
    print(batch.summary)

`grade` collects the submissions, autogrades them in parallel worker processes (or on a
Dask cluster), writes nbgrader's gradebook and autograded notebooks, the students' HTML
feedback, CSV exports and a class report. The steps one by one are in `gradetool.batch`;
the command line is `gradetool.cli` (``course-grade --help``).
"""

__version__ = "0.1.0"

from .batch import Interrupted, grade
from .course import GradetoolError
from .results import (
    CRASHED,
    GRADED,
    INVALID,
    SKIPPED,
    STATUSES,
    TIMED_OUT,
    BatchResult,
    PartResult,
    StudentResult,
)

__all__ = [
    "CRASHED",
    "GRADED",
    "INVALID",
    "SKIPPED",
    "STATUSES",
    "TIMED_OUT",
    "BatchResult",
    "GradetoolError",
    "Interrupted",
    "PartResult",
    "StudentResult",
    "__version__",
    "grade",
]
