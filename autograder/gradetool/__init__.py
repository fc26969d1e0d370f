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

# imported when first used (PEP 562): a kernel that imports `gradetool.remote` (every
# student's kernel and every checker) then does not import the whole batch machinery
_LAZY = {
    "Interrupted": "batch",
    "grade": "batch",
    "GradetoolError": "course",
    "CRASHED": "results",
    "GRADED": "results",
    "INVALID": "results",
    "SKIPPED": "results",
    "STATUSES": "results",
    "TIMED_OUT": "results",
    "BatchResult": "results",
    "PartResult": "results",
    "StudentResult": "results",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
