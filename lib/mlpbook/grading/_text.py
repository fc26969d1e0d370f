"""Values as short text, and failure messages wrapped so that nbgrader shows them whole."""

from __future__ import annotations

import numbers
import textwrap

import numpy as np

# `nbgrader validate` prints "    AssertionError: <message>" and cuts lines after 87
# characters: the message's first line follows "AssertionError: ", every line the indent.
FIRST_LINE = 87 - 4 - len("AssertionError: ")
OTHER_LINES = 87 - 4

# arguments of a call are shown whole up to this many numbers, so a case can be reproduced
CALL_ITEMS = 20


def fmt(value, *, max_items: int = 12, exact: bool = False) -> str:
    """A short, readable form of a value for a message: ``[0, 1.5]``, ``2.5``, ``None``.

    Numbers show 6 significant digits (``2.0`` shows as ``2``), or with ``exact`` the
    shortest text that reads back as the same number. Arrays with more than ``max_items``
    entries are summarised (``[0, 1, 1, …, 0, 1, 1] (shape (50,))``), and a dtype other
    than float64, int64 and bool is named, since float32 vs float64 can matter. A list or
    tuple of more than ``5 * max_items`` other things shows its first and last 3.
    """
    if value is None or isinstance(value, (bool, np.bool_, str)):
        return repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, numbers.Real):
        return _num(value, exact)
    if isinstance(value, (np.ndarray, list)) and _is_numeric(value):
        arr = np.asarray(value)
        text = _nested(arr, summarise=arr.size > max_items, exact=exact)
        extra = []
        if arr.size > max_items:
            extra.append(f"shape {arr.shape}")
        if isinstance(value, np.ndarray) and arr.dtype.name not in ("float64", "int64", "bool"):
            extra.append(arr.dtype.name)
        return text + (f" ({', '.join(extra)})" if extra else "")
    if isinstance(value, (tuple, list)):
        items, more = list(value), ""
        if len(items) > 5 * max_items:  # a graph of 10,000 nodes: its ends, and its length
            items, more = [*items[:3], ..., *items[-3:]], f" ({len(value)} items)"
        inner = ", ".join(
            "…" if v is ... else fmt(v, max_items=max_items, exact=exact) for v in items
        )
        return (f"({inner})" if isinstance(value, tuple) else f"[{inner}]") + more
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _num(x, exact: bool = False) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if x == 0:
        return "0"  # -0 too
    if not exact:
        return f"{float(x):.6g}"
    # numpy's str of a float32 is the shortest text that reads back as that float32
    text = str(x) if isinstance(x, np.floating) else repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _nested(arr: np.ndarray, summarise: bool, edge: int = 3, exact: bool = False) -> str:
    """``[[1, 2], [3, 4]]``, with the middle of long axes replaced by ``…``."""
    if arr.ndim == 0:
        return _num(arr[()], exact)
    items = list(arr)
    if summarise and len(items) > 2 * edge:
        parts = [_nested(a, summarise, edge, exact) for a in items[:edge]]
        parts += ["…"] + [_nested(a, summarise, edge, exact) for a in items[-edge:]]
    else:
        parts = [_nested(a, summarise, edge, exact) for a in items]
    return "[" + ", ".join(parts) + "]"


def _is_numeric(value) -> bool:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biuf"


def describe_call(name: str, args) -> str:
    """``name(a=…, b=…)``: every argument whole up to 20 numbers, in full precision."""
    shown = (f"{k}={fmt(v, max_items=CALL_ITEMS, exact=True)}" for k, v in args.items())
    return f"{name}(" + ", ".join(shown) + ")"


def wrap(*paragraphs: str) -> str:
    """The paragraphs (empty ones left out), each on lines of its own, wrapped so that
    ``nbgrader validate`` shows every character: the first line at most 67 characters
    (it follows the text "AssertionError: "), the others at most 83."""
    lines: list[str] = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        indent = " " * (OTHER_LINES - (FIRST_LINE if not lines else OTHER_LINES))
        wrapper = textwrap.TextWrapper(
            width=OTHER_LINES,
            initial_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
        )
        out = wrapper.wrap(paragraph.strip())
        out[0] = out[0][len(indent) :]
        lines += out
    return "\n".join(lines)


def fail(*paragraphs: str, hint: str = "") -> AssertionError:
    """The AssertionError to raise: the hint (when a known mistake matched) first."""
    return AssertionError(wrap(hint, *paragraphs))
