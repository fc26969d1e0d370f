"""Read a submitted notebook and put back what the student may not change.

The student's notebook is the base: answer cells hold what the student wrote, cells the
student added stay where they are. Locked cells (test cells, read-only cells) come from the
source notebook, matched by ``nbgrader.grade_id``:

- an edited locked cell is replaced by the source's, a retyped one (code ↔ markdown) too;
- a deleted one is put back, after the cell it follows in the source;
- a duplicated one keeps its first copy (and so does a duplicated answer cell);
- locked cells out of the source's order are moved back: those in the source's order
  (relative to each other and to the answer cells, which never move) stay where they are,
  the others go back after the cell they follow in the source: a test runs after its answer.

Every change is listed in `Repaired.repairs`. A notebook that is not JSON, not a notebook,
or holds none of the source's grade ids raises `InvalidNotebook`.

Pure functions on notebook dicts (nbformat 4 JSON): no nbgrader, no kernel.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass, field

SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


class InvalidNotebook(Exception):
    """The submission cannot be graded; the message says why, for the student."""


@dataclass
class Repaired:
    """A notebook ready to run, and what was done to it.

    Attributes
    ----------
    nb : dict
        The notebook to execute (outputs cleared).
    repairs : list of str
        One line per change.
    unanswered : list of str
        Grade ids of answer cells left as released (nbgrader's "No response.").
    """

    nb: dict
    repairs: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- cells


def source_text(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def nbgrader_meta(cell: dict) -> dict:
    """The cell's ``metadata.nbgrader`` dict, or {} (also when tampered into a non-dict)."""
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: dict) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_answer(cell: dict) -> bool:
    """An answer cell: the student writes it."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_locked(cell: dict) -> bool:
    """A cell the student may not change: a test cell, a read-only or a task cell."""
    meta = nbgrader_meta(cell)
    return not meta.get("solution") and bool(
        meta.get("grade") or meta.get("locked") or meta.get("task")
    )


def is_autograded_test(cell: dict) -> bool:
    """A test cell scored by running it: a code grade cell that is not an answer."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def strip_hidden_tests(text: str) -> str:
    """``text`` without its ``### BEGIN HIDDEN TESTS … ### END HIDDEN TESTS`` lines.

    As nbgrader's ``ClearHiddenTests`` does, except that a region left open runs to the end
    (nbgrader refuses such a cell; a student must never see it).
    """
    kept, hidden = [], False
    for line in text.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _normal(text: str) -> str:
    """Text compared for "was it edited": trailing spaces and blank ends do not count."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip()


def _clean(cell: dict) -> dict:
    """A copy of a cell as it is run: outputs cleared, source as one string."""
    kind = cell.get("cell_type")
    meta = cell.get("metadata")
    new = {
        "cell_type": kind,
        "metadata": copy.deepcopy(meta) if isinstance(meta, dict) else {},
        "source": source_text(cell),
    }
    if isinstance(cell.get("id"), str):
        new["id"] = cell["id"]
    if kind == "code":
        new["outputs"], new["execution_count"] = [], None
    elif isinstance(cell.get("attachments"), dict):
        new["attachments"] = copy.deepcopy(cell["attachments"])
    return new


# ---------------------------------------------------------------------------- reading


NBFORMAT_MINOR = 5  # the newest nbformat 4 minor version this grader (nbformat 5.x) reads


def parse_notebook(text: str | bytes) -> dict:
    """The notebook in ``text`` as a dict, checked enough to be graded.

    Raises
    ------
    InvalidNotebook
        If it is not JSON, not an nbformat 4 notebook, or its cells are malformed.
    """
    try:
        nb = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidNotebook(f"not a valid notebook: the file is not JSON ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("not a valid notebook: no list of cells in the file")
    if nb.get("nbformat") != 4:
        raise InvalidNotebook(
            f"not a valid notebook: nbformat {nb.get('nbformat')!r}, expected 4 "
            "(save it with a current Jupyter)"
        )
    minor = nb.get("nbformat_minor", 0)
    if isinstance(minor, bool) or not isinstance(minor, int) or not 0 <= minor <= NBFORMAT_MINOR:
        raise InvalidNotebook(
            f"not a valid notebook: nbformat 4.{minor!r}, expected 4.0 to 4.{NBFORMAT_MINOR}"
            " (save it with Jupyter Lab or Notebook, or fix the number at the file's end)"
        )
    for k, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook(f"not a valid notebook: cell {k} is not a notebook cell")
        if not isinstance(cell.get("source", ""), (str, list)):
            raise InvalidNotebook(f"not a valid notebook: cell {k} has no text source")
    return nb


# ---------------------------------------------------------------------------- repairing


def _in_order(values: list[int], weights: list[int]) -> set[int]:
    """Positions of the heaviest subsequence of ``values`` that is strictly increasing."""
    best = list(weights)
    prev = [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and best[j] + weights[i] > best[i]:
                best[i], prev[i] = best[j] + weights[i], j
    keep: set[int] = set()
    i = max(range(len(values)), key=best.__getitem__, default=-1)
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def repair(student: dict, source: dict, release: dict) -> Repaired:
    """The student's notebook with its locked cells restored from ``source``.

    Parameters
    ----------
    student : dict
        The submitted notebook (as returned by `parse_notebook`).
    source : dict
        The source notebook: solutions and hidden tests included.
    release : dict
        The student version of ``source`` (what students were given), to tell an edited
        cell from an untouched one.

    Returns
    -------
    Repaired

    Raises
    ------
    InvalidNotebook
        If the notebook holds none of the source's grade ids.
    """
    src_cells = source["cells"]
    released = {grade_id(c): source_text(c) for c in release["cells"] if grade_id(c)}
    by_id = {grade_id(c): c for c in src_cells if grade_id(c)}
    order = {gid: k for k, gid in enumerate(by_id)}  # gid → rank among the source's gid cells
    locked = [gid for gid, c in by_id.items() if is_locked(c)]
    answers = {gid for gid, c in by_id.items() if is_answer(c)}

    out: list[tuple[str, str | None, dict]] = []  # (kind, grade id, cell)
    repairs: list[str] = []
    unanswered: list[str] = []
    seen: set[str] = set()
    foreign: list[str] = []
    for cell in student["cells"]:
        gid = grade_id(cell)
        if gid in by_id and gid in seen:
            kind = "answer cell" if gid in answers else "test cell"
            repairs.append(f"removed a duplicate of {kind} {gid} (the first copy is used)")
            continue
        if gid in by_id and gid not in answers and not is_locked(by_id[gid]):
            gid = None  # a source cell with an id that is neither answer nor locked: plain
        if gid in by_id:
            seen.add(gid)
            src = by_id[gid]
            retyped = cell["cell_type"] != src["cell_type"]
            if gid in answers:
                new = _clean(cell)
                new["cell_type"] = src["cell_type"]
                new["metadata"]["nbgrader"] = copy.deepcopy(src["metadata"]["nbgrader"])
                if src["cell_type"] == "code":
                    new.setdefault("outputs", [])
                    new.setdefault("execution_count", None)
                else:
                    new.pop("outputs", None)
                    new.pop("execution_count", None)
                if retyped:
                    repairs.append(
                        f"answer cell {gid} was {cell['cell_type']}: made it "
                        f"{src['cell_type']} again (the answer is kept)"
                    )
                if _normal(source_text(cell)) == _normal(released.get(gid, "\0")):
                    unanswered.append(gid)
                out.append(("answer", gid, new))
            else:
                if retyped:
                    repairs.append(
                        f"restored {gid}: it had been changed from {src['cell_type']} to "
                        f"{cell['cell_type']}"
                    )
                elif _normal(source_text(cell)) != _normal(released.get(gid, source_text(src))):
                    repairs.append(f"restored {gid}: it had been edited")
                out.append(("locked", gid, _clean(src)))
        else:
            new = _clean(cell)
            if "nbgrader" in new["metadata"]:
                if grade_id(cell):
                    foreign.append(grade_id(cell))
                del new["metadata"]["nbgrader"]  # only the source's cells are graded
            out.append(("free", None, new))

    if not seen:
        found = f" (it has {', '.join(sorted(set(foreign))[:5])})" if foreign else ""
        raise InvalidNotebook(
            f"none of the source's grade ids found: is this another assignment's notebook?{found}"
        )

    # Locked cells in the source's order (with the answer cells, which never move) stay
    # where they are; the others go back after the cell they follow in the source.
    graded = [k for k, (kind, _, _) in enumerate(out) if kind != "free"]
    keep = _in_order(
        [order[out[k][1]] for k in graded],
        [len(out) + 1 if out[k][0] == "answer" else 1 for k in graded],
    )
    moved = {out[k][1] for i, k in enumerate(graded) if i not in keep and out[k][0] == "locked"}
    out = [entry for entry in out if entry[1] not in moved or entry[0] != "locked"]
    for gid in locked:
        if any(entry[1] == gid for entry in out):
            continue
        out.insert(_slot(out, gid, locked, order), ("locked", gid, _clean(by_id[gid])))
        repairs.append(
            f"moved {gid} back to its place" if gid in moved else f"restored deleted cell {gid}"
        )
    for gid in sorted(answers - seen, key=order.__getitem__):
        repairs.append(f"answer cell {gid} is missing: its tests fail")

    nb = {k: copy.deepcopy(v) for k, v in student.items() if k != "cells"}
    nb["metadata"] = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    if "kernelspec" in source.get("metadata", {}):
        nb["metadata"]["kernelspec"] = copy.deepcopy(source["metadata"]["kernelspec"])
    nb["nbformat"] = 4
    nb["nbformat_minor"] = max(int(nb.get("nbformat_minor") or 0), 4)
    nb["cells"] = [cell for _, _, cell in out]
    _unique_ids(nb)
    return Repaired(nb, repairs, unanswered)


def _slot(out: list, gid: str, locked: list[str], order: dict[str, int]) -> int:
    """Where a missing locked cell goes: after the cell it follows in the source.

    It stays after the locked cells that precede it in the source and before those that
    follow it, so the source's order of locked cells always holds.
    """
    pos = {entry[1]: k for k, entry in enumerate(out) if entry[1] is not None}
    rank = locked.index(gid)
    lo = max((pos[g] for g in locked[:rank] if g in pos), default=-1)
    hi = min((pos[g] for g in locked[rank + 1 :] if g in pos), default=len(out))
    before = [g for g in pos if order[g] < order[gid]]
    anchor = pos[max(before, key=order.__getitem__)] if before else -1
    return min(max(anchor + 1, lo + 1), hi)


def _unique_ids(nb: dict) -> None:
    """Give every cell a unique id (nbformat 4.5), as duplicated cells may share one."""
    if nb["nbformat_minor"] < 5:
        for cell in nb["cells"]:
            cell.pop("id", None)
        return
    ids: set[str] = set()
    for cell in nb["cells"]:
        cid = cell.get("id")
        if not isinstance(cid, str) or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cid) or cid in ids:
            cid = uuid.uuid4().hex[:8]
        cell["id"] = cid
        ids.add(cid)


def student_version(source_cell_text: str) -> str:
    """An answer cell's solution as a student would have typed it: markers removed."""
    return "".join(
        line for line in source_cell_text.splitlines(True) if not SOLUTION_MARKER.match(line)
    )
