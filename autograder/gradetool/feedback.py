"""A student's feedback: one self-contained HTML page, safe to hand out.

The page shows the score, each test's points and message, what was repaired, and the graded
notebook. It renders offline: no script at all, no stylesheet or font to fetch (the CSS is
inline, images are ``data:`` URIs; remote images and links in Markdown become text).
Equations stay as TeX.

A student never sees a hidden test: the ``### BEGIN HIDDEN TESTS … ### END HIDDEN TESTS``
lines are removed from every cell, and a test cell shows only its result and message,
never its outputs or traceback (a traceback quotes the test's code). Outputs of the
student's own cells are shown as text and images only: their HTML, SVG and JavaScript
outputs are not rendered (students write them).
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import re

from .repair import grade_id, is_autograded_test, is_locked, source_text, strip_hidden_tests
from .results import StudentResult
from .scoring import ANSI

MAX_SOURCE = 100_000  # characters of a cell's source shown (a longer cell: as plain text)
REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"[^>]*>", re.I)
REMOTE_LINK = re.compile(r"<a\b[^>]*\bhref=\"((?:https?:)?//[^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
ALT = re.compile(r"\balt=\"([^\"]*)\"", re.I)

CSS = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table.parts { border-collapse: collapse; width: 100%; }
table.parts td, table.parts th { border-bottom: 1px solid #ddd; padding: .3rem .5rem;
       text-align: left; vertical-align: top; }
.pass { color: #11692c; } .fail { color: #a4161a; }
.score { font-size: 1.3rem; font-weight: 600; }
.cell { margin: 1rem 0; }
pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap;
      border-radius: 4px; margin: .2rem 0; }
pre.out { background: #fff; border-left: 3px solid #ccc; }
pre.err { background: #fff5f5; border-left: 3px solid #a4161a; }
.result { padding: .4rem .6rem; border-radius: 4px; margin: .2rem 0; white-space: pre-wrap; }
.result.pass { background: #eefbf1; } .result.fail { background: #fff5f5; }
.label { color: #666; font-size: .8rem; }
"""


@functools.lru_cache(maxsize=1)
def _parser():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def _markdown(text: str) -> str:
    out = _parser()(text)

    def _alt(match: re.Match) -> str:
        alt = ALT.search(match.group(0))
        return f"[image: {alt.group(1)}]" if alt and alt.group(1) else "[image]"

    out = REMOTE_IMG.sub(_alt, out.replace("'", "&#39;"))  # mistune's attributes use "
    # no link to the web either: the page works offline, the address stays readable
    return REMOTE_LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", out)


def _pre(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>{html.escape(ANSI.sub('', text))}</pre>"


def _output(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _pre(output.get("text", ""), "err" if output.get("name") == "stderr" else "out")
    if kind == "error":
        tb = "\n".join(output.get("traceback") or [])
        return _pre(tb or f"{output.get('ename')}: {output.get('evalue')}", "err")
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if isinstance(data.get(mime), str):
            payload = "".join(data[mime].split())
            try:
                base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                continue
            return f'<img alt="figure" src="data:{mime};base64,{payload}">'
    plain = data.get("text/plain")
    if plain is not None:
        return _pre("".join(plain) if isinstance(plain, list) else str(plain), "out")
    return ""


def render_feedback(nb: dict, result: StudentResult, assignment: str) -> str:
    """The feedback page of one student's graded notebook.

    Parameters
    ----------
    nb : dict
        The autograded notebook (executed; hidden tests still in it).
    result : StudentResult
        Its result (scores, messages, repairs).
    assignment : str

    Returns
    -------
    str
        A complete HTML document.
    """
    esc = html.escape
    score = "–" if result.score is None else f"{result.score:g}"
    rows = []
    for gid, part in result.parts.items():
        cls, word = ("pass", "passed") if part.passed else ("fail", "failed")
        rows.append(
            f"<tr><td>{esc(gid)}</td><td>{part.points:g} / {part.max_points:g}</td>"
            f'<td class="{cls}">{word}</td><td>{esc(part.message)}</td></tr>'
        )
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(assignment)}: feedback for {esc(result.student)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(assignment)}: feedback for {esc(result.student)}</h1>",
        f'<p class="score">Score: {score} / {result.max_score:g}</p>',
        f"<p>{esc(result.reason)}</p>",
        '<table class="parts"><tr><th>test</th><th>points</th><th>result</th><th>message</th></tr>',
        *rows,
        "</table>",
    ]
    if result.repairs:
        head.append("<h2>Changes made to your notebook before grading</h2><ul>")
        head += [f"<li>{esc(r)}</li>" for r in result.repairs]
        head.append("</ul>")
    body = ["<h2>Your notebook, as graded</h2>"]
    for cell in nb["cells"]:
        body.append(_cell(cell, result))
    return "\n".join([*head, *body, "</body></html>", ""])


def _cell(cell: dict, result: StudentResult) -> str:
    kind = cell.get("cell_type")
    text = source_text(cell)
    gid = grade_id(cell)
    if is_locked(cell) or "HIDDEN TESTS" in text:
        text = strip_hidden_tests(text)
    if len(text) > MAX_SOURCE:  # bounded time and memory, whatever a submission holds
        more = len(text) - MAX_SOURCE
        return (
            f'<div class="cell">{_pre(text[:MAX_SOURCE])}'
            f'<p class="label">[{more:,} more characters of this cell are not shown]</p></div>'
        )
    if kind == "markdown":
        return f'<div class="cell md">{_markdown(text)}</div>'
    if kind != "code":
        return f'<div class="cell">{_pre(text)}</div>'
    parts = ['<div class="cell code">']
    if gid:
        parts.append(f'<div class="label">{html.escape(gid)}</div>')
    parts.append(_pre(text))
    if is_autograded_test(cell) and gid in result.parts:
        part = result.parts[gid]
        cls = "pass" if part.passed else "fail"
        verdict = "passed" if part.passed else "failed"
        msg = f": {part.message}" if part.message else ""
        parts.append(
            f'<div class="result {cls}">Test {verdict} ({part.points:g} / '
            f"{part.max_points:g}){html.escape(msg)}</div>"
        )
    elif not is_locked(cell):
        parts += [_output(o) for o in cell.get("outputs", [])]
    parts.append("</div>")
    return "\n".join(parts)
