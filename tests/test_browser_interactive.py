"""The interactive figures of the built book respond to their controls, offline.

On every built page, in headless Chromium (the server and browser of test_browser.py):
each control of each interactive figure (``mlpbook.interactive``) is dragged (sliders),
picked (dropdowns) or clicked (buttons, checkboxes), and the figure must change to a
frame that loads; no request may leave the local server and no script may fail (console
messages are test_browser.py's). The book is read from BOOK_BUILD (default _build), as in
test_book.py.
"""

from __future__ import annotations

import pytest
from test_browser import PAGES, TIMEOUT_MS, browser, offline_page, server  # noqa: F401 (fixtures)

FIGURES = ".mlpbook-interactive"
# the controls a reader can use now: shown and enabled
CONTROLS = "input[type=range], select, input[type=checkbox], button"
FIGURE_SRC = "el => el.querySelector('img.mlpbook-frame').src"
FRAME_LOADED = """el => { const i = el.querySelector('img.mlpbook-frame');
    return i.complete && i.naturalWidth > 0; }"""
# pages that must hold interactive figures (so the test cannot pass on an empty book)
EXPECTED = {
    "chapters/01_perceptron/perceptron": 1,
    "chapters/02_activations/activations": 1,
    "chapters/03_approximation/approximation": 1,
    "chapters/04_backprop/backprop": 1,
    "chapters/05_initialization/initialization": 1,
    "chapters/06_overfitting/overfitting": 2,
}


def _usable(control) -> bool:
    return control.is_visible() and control.is_enabled()


def _tries(page, control):
    """Ways to move one control, each a function that acts once (most likely first)."""
    kind = control.evaluate("el => el.tagName + (el.type ? ':' + el.type : '')").lower()
    if kind == "input:range":

        def drag(to_end: bool):
            def act():
                control.scroll_into_view_if_needed()
                box = control.bounding_box()
                y = box["y"] + box["height"] / 2
                start = box["x"] + (box["width"] - 4 if not to_end else 4)
                end = box["x"] + (box["width"] - 2 if to_end else 2)
                page.mouse.move(start, y)
                page.mouse.down()
                page.mouse.move(end, y, steps=8)
                page.mouse.up()

            return act

        return [drag(True), drag(False)]
    if kind.startswith("select"):  # select:select-one
        count = control.evaluate("el => el.options.length")
        current = control.evaluate("el => el.selectedIndex")
        return [(lambda i=i: control.select_option(index=i)) for i in range(count) if i != current]
    if kind == "button:button":
        if control.get_attribute("aria-pressed") == "true":
            return []
        return [control.click]
    return [control.click]  # a checkbox


@pytest.mark.parametrize("docname", PAGES)
def test_interactive_figures_respond_offline(server, browser, docname):  # noqa: F811
    blocked, page_errors, problems = [], [], []
    page = offline_page(browser, server, blocked)
    try:
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server + f"{docname}.html", wait_until="load")

        figures = page.locator(FIGURES)
        n_figures, n_moved = figures.count(), 0
        for f in range(n_figures):
            figure = figures.nth(f)
            controls = figure.locator(CONTROLS)
            if controls.count() == 0:
                problems.append(f"figure {f}: no controls")
            for c in range(controls.count()):
                control = controls.nth(c)
                if not _usable(control):
                    continue  # hidden or disabled for the current choice of the others
                label = control.evaluate(
                    "el => (el.closest('.mlpbook-control') || el).textContent.trim().slice(0, 40)"
                )
                tries = _tries(page, control)
                if not tries:  # the pressed button of a group: the current choice already
                    continue
                changed = False
                for act in tries:
                    before = figure.evaluate(FIGURE_SRC)
                    act()
                    if figure.evaluate(FIGURE_SRC) != before:
                        changed = True
                        break
                if not changed:
                    problems.append(f"figure {f}: moving {label!r} left the figure unchanged")
                elif not figure.evaluate(FRAME_LOADED):
                    problems.append(f"figure {f}: after {label!r} the frame did not load")
                else:
                    n_moved += 1
    finally:
        page.close()

    problems += [
        *(f"request to another host (blocked): {url}" for url in blocked),
        *(f"JavaScript error: {e}" for e in page_errors),
    ]
    if n_figures < EXPECTED.get(docname, 0):
        problems.append(f"{n_figures} interactive figures, expected {EXPECTED[docname]}")
    if n_figures and not n_moved:
        problems.append("no control could be moved")
    assert not problems, f"{docname}.html in Chromium:\n" + "\n".join(problems)
