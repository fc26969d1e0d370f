"""What the tool remembers between runs: one small JSON file per student.

``autograder/.gradetool/<assignment>/students/<student>.json`` holds the student's result
in the latest batch (``last``, maybe ``skipped``), the latest result of a grading
(``result``, whatever its status) with the key it was graded under, and the latest one that
went into the gradebook (``graded``). The key is the hash of the submitted notebook, the hash
of the source's tests (`gradetool.course.hash_of_tests`) and this tool's version: a
submission whose key has not changed is not graded again, whatever its status was. Each
file is replaced atomically as soon as the student's result arrives, so an interrupted batch
loses nothing it finished.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .results import GRADED, SKIPPED, StudentResult


def content_hash(data: bytes | None) -> str:
    """The hash of a submitted notebook's bytes (``none`` when there is no notebook)."""
    return hashlib.sha256(data).hexdigest() if data is not None else "none"


def grading_key(submission_hash: str, tests_hash: str) -> dict:
    """What a grade depends on: the submission, the tests, the tool."""
    return {"submission": submission_hash, "tests": tests_hash, "tool": __version__}


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)


class State:
    """The state of one assignment.

    Parameters
    ----------
    folder : Path
        ``autograder/.gradetool/<assignment>``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, student: str) -> Path:
        return self.folder / "students" / f"{student}.json"

    def load(self, student: str) -> dict | None:
        """The student's record, or None (also for an unreadable file: it is regraded)."""
        try:
            return json.loads(self._path(student).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def record(self, result: StudentResult, key: dict | None = None) -> dict:
        """Store the student's result of this batch.

        A ``skipped`` result only replaces ``last`` (what the exports show); any other is
        also kept as ``result`` with its ``key`` (what a rerun compares with), and as
        ``graded`` when it went into the gradebook.

        Parameters
        ----------
        result : StudentResult
        key : dict, optional
            The `grading_key` the result was graded under.

        Returns
        -------
        dict
            The record written.
        """
        old = self.load(result.student) or {}
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        record = {
            "last": result.to_dict(),
            "result": old.get("result"),
            "key": old.get("key"),
            "time": old.get("time"),
            "graded": old.get("graded"),
        }
        if result.status != SKIPPED:
            record["result"], record["key"], record["time"] = result.to_dict(), key, now
            if result.recorded:
                record["graded"] = result.to_dict()
        _write_json(self._path(result.student), record)
        return record

    def unchanged(self, student: str, key: dict) -> StudentResult | None:
        """The student's latest result if it was graded under ``key``, else None."""
        record = self.load(student)
        if not record or not record.get("result") or record.get("key") != key:
            return None
        result = StudentResult.from_dict(record["result"])
        when = record.get("time") or "?"
        if result.status == GRADED:
            result.reason = f"unchanged since graded on {when}"
        else:
            result.reason = f"unchanged since {when}, when it was {result.status}: {result.reason}"
        return result

    def students(self) -> list[str]:
        folder = self.folder / "students"
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []

    def latest(self) -> dict[str, StudentResult]:
        """Every student's latest result, sorted by student."""
        out = {}
        for student in self.students():
            record = self.load(student)
            if record and record.get("last"):
                out[student] = StudentResult.from_dict(record["last"])
        return out

    def standing(self, student: str) -> StudentResult | None:
        """The student's result in the gradebook (the last one recorded), or None."""
        record = self.load(student)
        if not record or not record.get("graded"):
            return None
        return StudentResult.from_dict(record["graded"])

    def standings(self) -> dict[str, StudentResult]:
        """Every student's result in the gradebook, sorted by student."""
        out = {}
        for student in self.students():
            result = self.standing(student)
            if result is not None:
                out[student] = result
        return out

    # ---------------------------------------------------------------- collected metadata

    def canvas_ids(self) -> dict[str, str]:
        """Student → Canvas user id, as read from LMS file names by ``collect``."""
        with contextlib.suppress(OSError, ValueError):
            return json.loads((self.folder / "canvas_ids.json").read_text(encoding="utf-8"))
        return {}

    def add_canvas_ids(self, ids: dict[str, str]) -> None:
        if ids:
            _write_json(self.folder / "canvas_ids.json", {**self.canvas_ids(), **ids})
