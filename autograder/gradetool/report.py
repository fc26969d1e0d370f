"""The class report: how the class did, and what went wrong where.

``reports/<assignment>.html`` (self-contained: the histogram is a base64 PNG in the page,
no script) and ``reports/<assignment>.md`` (the histogram is ``<assignment>-scores.png``
next to it). Both hold: the statuses, the score distribution, the pass rate of each
autograded test, its most common failure messages (counted with their numbers blurred, so
that alike messages group: `gradetool.scoring.normalise_message`; each shown whole, as the
first student who got it saw it) and a table of every student's status, score,
reason and repairs.
"""

from __future__ import annotations

import base64
import collections
import datetime
import hashlib
import html
import io
import json
import statistics
from pathlib import Path

from .results import STATUSES, BatchResult, StudentResult
from .scoring import normalise_message

TOP_MESSAGES = 3


def histogram_png(scores: list[float], max_score: float, title: str) -> bytes:
    """A histogram of ``scores`` (one bar per point, 0 … ``max_score``) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3), dpi=100)
    ax = fig.add_subplot()
    top = max(1.0, float(max_score))
    bins = [x - 0.5 for x in range(int(top) + 2)] if top <= 100 else 20
    ax.hist(scores, bins=bins, color="#3a6ea5", edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.set_title(title)
    ax.set_xlim(-0.5, top + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def summarise(
    latest: dict[str, StudentResult],
    standing: dict[str, StudentResult] | None = None,
    part_of: dict[str, str] | None = None,
) -> dict:
    """The numbers of the report.

    Parameters
    ----------
    latest : dict of str to StudentResult
        Every student's result in the latest batch (statuses).
    standing : dict of str to StudentResult, optional
        The results the gradebook holds (scores, pass rates); default: the recorded ones
        of ``latest``.
    part_of : dict of str to str, optional
        Test grade id → the part (answer cell) it tests; default: the test's own id.

    Returns
    -------
    dict
        ``statuses`` (status → count), ``scores`` (the gradebook's), ``tests`` (grade id →
        pass rate, count, top failure messages with counts), ``parts`` (part → failed
        tests, most first), ``max_score``.
    """
    if standing is None:
        standing = {s: r for s, r in latest.items() if r.recorded}
    part_of = part_of or {}
    statuses = collections.Counter(r.status for r in latest.values())
    scored = [r for r in standing.values() if r.score is not None]
    max_score = max((r.max_score for r in [*latest.values(), *scored]), default=0.0)
    tests: dict[str, dict] = {}
    parts: collections.Counter = collections.Counter()
    for result in scored:
        for gid, part in result.parts.items():
            entry = tests.setdefault(
                gid,
                {"passed": 0, "count": 0, "messages": collections.Counter(), "examples": {}},
            )
            entry["count"] += 1
            entry["passed"] += bool(part.passed)
            if not part.passed:
                parts[part_of.get(gid) or gid] += 1
                if part.message:
                    key = normalise_message(part.message)  # alike messages count together
                    entry["messages"][key] += 1
                    entry["examples"].setdefault(key, part.message.splitlines()[0].strip())
    for entry in tests.values():
        entry["rate"] = entry["passed"] / entry["count"] if entry["count"] else 0.0
        # shown whole, numbers and all: the first of each group as a student saw it
        entry["top"] = [
            (entry["examples"][key], n) for key, n in entry["messages"].most_common(TOP_MESSAGES)
        ]
    part_tests: dict[str, list[str]] = {}
    for gid in tests:
        part_tests.setdefault(part_of.get(gid) or gid, []).append(gid)
    return {
        "statuses": {s: statuses.get(s, 0) for s in STATUSES},
        "scores": [float(r.score) for r in scored],
        "tests": tests,
        "parts": parts.most_common(),
        "part_tests": part_tests,
        "max_score": max_score,
    }


def _commonest(numbers: dict) -> str:
    """One sentence: the part failed most often, and its most common message."""
    if not numbers["parts"]:
        return "Most common failure: none, every recorded test passed."
    part, count = numbers["parts"][0]
    messages: collections.Counter = collections.Counter()
    examples: dict[str, str] = {}
    for gid in numbers["part_tests"].get(part, ()):
        messages.update(numbers["tests"][gid]["messages"])
        examples = {**numbers["tests"][gid]["examples"], **examples}
    text = f"Most common failure: part {part}, {count} failed tests"
    if messages:
        key, n = messages.most_common(1)[0]
        text += f', most often "{examples[key]}" ({n}×)'
    others = ", ".join(f"{p} ({n})" for p, n in numbers["parts"][1:4])
    return text + (f"; then {others}." if others else ".")


def _stats(scores: list[float]) -> str:
    if not scores:
        return "no scores yet"
    return (
        f"{len(scores)} scores: mean {statistics.mean(scores):.2f}, median "
        f"{statistics.median(scores):g}, min {min(scores):g}, max {max(scores):g}"
    )


def write_report(
    folder: Path,
    assignment: str,
    results: dict[str, StudentResult],
    standing: dict[str, StudentResult] | None = None,
    *,
    summary_line: str = "",
    part_of: dict[str, str] | None = None,
    cache: Path | None = None,
) -> list[Path]:
    """Write ``<assignment>.html``, ``<assignment>.md`` and ``<assignment>-scores.png``.

    Parameters
    ----------
    folder : Path
        ``autograder/reports``.
    assignment : str
    results : dict of str to StudentResult
        Every student's result in the latest batch.
    standing : dict of str to StudentResult, optional
        The results the gradebook holds (see `summarise`).
    summary_line : str
        The batch's summary line, if the report follows a batch.
    part_of : dict of str to str, optional
        Test grade id → its part.
    cache : Path, optional
        A folder where to remember what the histogram shows: an unchanged one is not drawn
        again (matplotlib takes a second to load).

    Returns
    -------
    list of Path
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = summarise(results, standing, part_of)
    if not summary_line:
        batch = BatchResult(assignment, dict(results))
        summary_line = batch.summary
    png_path = folder / f"{assignment}-scores.png"
    title = f"{assignment}: scores"
    key = hashlib.sha256(
        json.dumps([sorted(numbers["scores"]), numbers["max_score"], title]).encode()
    )
    key_path = Path(cache) / "histogram.key" if cache else None
    if (
        key_path
        and key_path.is_file()
        and png_path.is_file()
        and (key_path.read_text() == key.hexdigest())
    ):
        png = png_path.read_bytes()
    else:
        png = histogram_png(numbers["scores"], numbers["max_score"], title)
        png_path.write_bytes(png)
        if key_path:
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key_path.write_text(key.hexdigest())
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    md = _markdown(assignment, results, numbers, summary_line, png_path.name, when)
    page = _html(assignment, results, numbers, summary_line, png, when)
    md_path, html_path = folder / f"{assignment}.md", folder / f"{assignment}.html"
    md_path.write_text(md, encoding="utf-8")
    html_path.write_text(page, encoding="utf-8")
    return [html_path, md_path, png_path]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _markdown(assignment, results, numbers, summary_line, png_name, when) -> str:
    lines = [
        f"# {assignment}: class report",
        "",
        f"Generated {when}. {summary_line}.",
        "",
        "## Score distribution",
        "",
        f"{_stats(numbers['scores'])} (out of {numbers['max_score']:g}).",
        "",
        f"![score distribution]({png_name})",
        "",
        "## Tests",
        "",
        _commonest(numbers),
        "",
        "| test | pass rate | most common failures |",
        "| --- | --- | --- |",
    ]
    for gid, entry in numbers["tests"].items():
        top = "; ".join(f"{n}× {_cell(m)}" for m, n in entry["top"]) or "–"
        rate = f"{entry['rate']:.0%} ({entry['passed']}/{entry['count']})"
        lines.append(f"| {gid} | {rate} | {top} |")
    lines += [
        "",
        "## Students",
        "",
        "| student | status | score | reason | repairs |",
        "| --- | --- | --- | --- | --- |",
    ]
    for student, r in sorted(results.items()):
        score = "" if r.standing_score is None else f"{r.standing_score:g}"
        extras = f" (ignored files: {', '.join(r.extra_files)})" if r.extra_files else ""
        repairs = "; ".join(r.repairs) or "–"
        lines.append(
            f"| {_cell(student)} | {r.status} | {score} | {_cell(r.reason + extras)} "
            f"| {_cell(repairs)} |"
        )
    return "\n".join(lines) + "\n"


def _html(assignment, results, numbers, summary_line, png, when) -> str:
    esc = html.escape
    img = base64.b64encode(png).decode()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(assignment)}: class report</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px "
        "solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}"
        ".bar{background:#3a6ea5;height:.8rem;display:inline-block}</style>",
        "</head><body>",
        f"<h1>{esc(assignment)}: class report</h1>",
        f"<p>Generated {esc(when)}. {esc(summary_line)}.</p>",
        "<h2>Score distribution</h2>",
        f"<p>{esc(_stats(numbers['scores']))} (out of {numbers['max_score']:g}).</p>",
        f'<img alt="score distribution" src="data:image/png;base64,{img}">',
        "<h2>Tests</h2>",
        f"<p>{esc(_commonest(numbers))}</p>",
        "<table><tr><th>test</th><th>pass rate</th><th></th><th>most common failures</th></tr>",
    ]
    for gid, entry in numbers["tests"].items():
        top = "".join(f"<li>{n}× {esc(m)}</li>" for m, n in entry["top"])
        width = int(entry["rate"] * 100)
        out.append(
            f"<tr><td>{esc(gid)}</td><td>{entry['rate']:.0%} ({entry['passed']}/"
            f'{entry["count"]})</td><td><span class="bar" style="width:{width}px"></span>'
            f"</td><td><ul>{top}</ul></td></tr>"
        )
    out += [
        "</table>",
        "<h2>Students</h2>",
        "<table><tr><th>student</th><th>status</th><th>score</th><th>reason</th>"
        "<th>repairs</th></tr>",
    ]
    for student, r in sorted(results.items()):
        score = "" if r.standing_score is None else f"{r.standing_score:g}"
        extras = f" (ignored files: {', '.join(r.extra_files)})" if r.extra_files else ""
        repairs = "".join(f"<li>{esc(x)}</li>" for x in r.repairs)
        out.append(
            f"<tr><td>{esc(student)}</td><td>{esc(r.status)}</td><td>{score}</td>"
            f"<td>{esc(r.reason + extras)}</td><td><ul>{repairs}</ul></td></tr>"
        )
    out += ["</table>", "</body></html>", ""]
    return "\n".join(out)
