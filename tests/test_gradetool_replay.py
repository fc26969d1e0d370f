"""Hidden tests cannot be replayed: their random cases come from a per-submission seed.

A correct submission records every call the tests make of its functions (arguments and
answers) and prints the table into its own output, as a student could to read it in their
feedback. A second submission answers parts 1-4 by looking its answers up in that table,
with no algorithm at all. Its visible tests (fixed cases) pass; its hidden tests, whose cases
are drawn from a seed the grader derives from the submission and the course's secret, do
not: the table has none of their cases. Grading the same submission again reproduces every
score and message.
"""

from __future__ import annotations

import json
import re

import pytest
from gradingkit import ROOT, make_course, read_nb

from gradetool import course as courses
from gradetool import worker
from gradetool.limits import Limits

ASSIGNMENT = "ch01_perceptron"
PARTS = ("perceptron_predict", "perceptron_update", "train_perceptron", "collapse")

RECORDER = r"""
import json as _json

_TABLE = {}


def _plain(value):
    value = np.asarray(value) if isinstance(value, np.ndarray) else value
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _recorded(func):
    def wrapper(*args):
        result = func(*args)
        key = _json.dumps(_plain(args))
        _TABLE.setdefault(func.__name__, {})[key] = _plain(result)
        return result

    wrapper.__name__ = func.__name__
    return wrapper
"""

LOOKUP = r"""
import json as _json

_TABLE = _json.loads(TABLE_TEXT)


def _plain(value):
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _back(value):
    if isinstance(value, dict):
        return np.array(value["array"], dtype=value["dtype"])
    if isinstance(value, list):
        return tuple(_back(v) for v in value)
    return value


def _lookup(name, args):
    key = _json.dumps(_plain(args))
    if key not in _TABLE.get(name, {}):
        raise KeyError(f"this call was not recorded: {name}")
    return _back(_TABLE[name][key])


def perceptron_predict(*args):
    return _lookup("perceptron_predict", args)


def perceptron_update(*args):
    return _lookup("perceptron_update", args)


def train_perceptron(*args):
    return _lookup("train_perceptron", args)


def collapse(*args):
    return _lookup("collapse", args)
"""


def _answers(source: dict) -> dict[str, str]:
    """Grade id → the solution's answer cell (markers removed)."""
    out = {}
    for cell in source["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(cell["source"])
            lines = [line for line in text.splitlines() if "### " not in line]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def _with(nb: dict, sources: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in sources:
            cell["source"] = sources[gid]
    return nb


def _grade(spec, nb: dict) -> dict:
    task = worker.make_task(spec, "student", json.dumps(nb), limits=Limits(cell_timeout=30))
    return worker.grade_submission(task)


def _points(result: dict) -> dict[str, float]:
    return {gid: part["points"] for gid, part in result["parts"].items()}


def _test_errors(result: dict) -> dict[str, str]:
    """Grade id of each test cell → the text of its error output ('' when it passed)."""
    out = {}
    for cell in result["notebook"]["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if gid.startswith("test_"):
            errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
            out[gid] = " | ".join(f"{o['ename']}: {o['evalue']}" for o in errors)
    return out


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    course = courses.find_course(make_course(tmp_path_factory.mktemp("replay"), ASSIGNMENT))
    return courses.load_assignment(course, ASSIGNMENT)


def test_a_table_recorded_from_one_submission_scores_no_hidden_point_on_another(spec):
    source = spec.source
    release = read_nb(next((ROOT / "chapters").glob("01_*/perceptron_exercise.ipynb")))
    answers = _answers(source)

    # submission A: the solution, each graded function recorded; the table printed at the end
    recorder = {gid: answers[gid] for gid in answers}
    recorder[PARTS[0]] = RECORDER + "\n" + answers[PARTS[0]]
    for part in PARTS:
        recorder[part] += f"\n\n{part} = _recorded({part})\n"
    recording = _with(release, recorder)
    recording["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "print-the-table",
            "metadata": {},
            "outputs": [],
            "source": "print('TABLE' + _json.dumps(_TABLE))",
        }
    )
    first = _grade(spec, recording)
    assert first["status"] == "graded" and first["score"] == first["max_score"], first["reason"]
    printed = "".join(
        o.get("text", "")
        for c in first["notebook"]["cells"]
        for o in c.get("outputs", [])
        if o["output_type"] == "stream"
    )
    table = json.loads(printed.split("TABLE", 1)[1])
    calls = {part: len(table[part]) for part in PARTS}
    assert all(calls[part] >= 4 for part in PARTS), calls  # hidden calls recorded too

    # submission B: answers looked up in that table, nothing computed
    lookup = {gid: "pass" for gid in PARTS}
    lookup[PARTS[0]] = f"TABLE_TEXT = {json.dumps(json.dumps(table))}\n" + LOOKUP
    lookup["xor_network"] = answers["xor_network"]
    replay = _with(release, lookup)
    second = _grade(spec, replay)
    points = _points(second)
    for part in PARTS:
        assert points[f"test_{part}"] > 0, (part, _test_errors(second)[f"test_{part}"])
        assert points[f"test_{part}_hidden"] == 0, part
        assert re.search(r"not\s+recorded", _test_errors(second)[f"test_{part}_hidden"]), part

    # the same submission graded again: the same seed, the same scores and messages
    again = _grade(spec, replay)
    assert _points(again) == points
    assert _test_errors(again) == _test_errors(second)
