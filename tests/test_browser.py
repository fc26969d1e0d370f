"""Every built page in a real headless Chromium, offline, at phone and desktop width.

The pages are served from _build/html by a loopback HTTP server; every request to
anything else is blocked (and fails the page). Each page is loaded at 400 px (a phone)
and at 1400 px (a desktop) wide. On each: equations are typeset by MathJax, every image
loads, embedded widgets render, the console shows no error, nothing is wider than the
window except inside its own scroll box (a table, a code cell, an output), and every
display equation is fully visible: as wide as its box at most, not under its number.
A full-page screenshot goes to _build/screenshots/<page>-<width>px.png (BOOK_BUILD
changes the _build folder, as in test_book.py).

Needs Debian's Chromium at /usr/bin/chromium (tools/setup_system.sh installs it);
playwright drives it, and never downloads a browser of its own.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from test_book import BUILD, DOCNAMES, HTML

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = BUILD / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGES = [*DOCNAMES, "genindex", "search"]
WIDTHS = [400, 1400]  # a phone (the narrowest in common use is 360-414 px) and a desktop
TIMEOUT_MS = 20_000

# Resolves once MathJax has typeset the page (at once when the page has no MathJax).
MATHJAX_DONE = """() => !window.MathJax || !window.MathJax.startup
    || window.MathJax.startup.promise.then(() => true)"""

# The widget views a page embeds, and how many of them the widget manager has rendered.
WIDGETS = """() => {
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    const rendered = [...views].filter(v => {
        const area = v.previousElementSibling;
        return area && area.classList.contains('widget-subarea')
            && area.querySelector('.jupyter-widgets, [class*="widget-"]');
    });
    return {
        state: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-state+json"]').length,
        views: views.length,
        rendered: rendered.length,
    };
}"""

MATH = r"""() => {
    const untypeset = [...document.querySelectorAll('.math')]
        .filter(m => !m.querySelector('mjx-container'))
        .map(m => m.textContent.trim().slice(0, 80));
    const errors = [...document.querySelectorAll('mjx-merror')]
        .map(e => e.textContent.slice(0, 80));
    const raw = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(skip) || !parent.getClientRects().length) continue;
        const text = node.textContent;
        for (const delim of ['$$', '\\(', '\\)', '\\[', '\\]', '\\begin{']) {
            const at = text.indexOf(delim);
            if (at >= 0) raw.push(text.slice(Math.max(0, at - 30), at + 50).trim());
        }
    }
    return {
        math: document.querySelectorAll('.math').length,
        containers: document.querySelectorAll('mjx-container').length,
        untypeset, errors, raw,
    };
}"""

# What does not fit the window: the outermost elements that stick out of it and are not
# inside a scroll box that itself fits (hidden elements, MathJax's assistive MathML and
# clipped screen-reader text do not count), and each display equation that is wider than
# its box (it would scroll, or be cut off) or lies under its equation number.
FITS = r"""() => {
    const vw = document.documentElement.clientWidth;
    const describe = el => {
        const id = el.id ? '#' + el.id : '';
        const cls = el.classList.length ? '.' + [...el.classList].slice(0, 3).join('.') : '';
        const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
        return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
    };
    const hiddenFromView = el => {
        for (let a = el; a && a !== document.body; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.visibility === 'hidden' || s.display === 'none' || s.clip !== 'auto'
                || a.tagName === 'MJX-ASSISTIVE-MML') return true;
        }
        return false;
    };
    // an ancestor that scrolls sideways and itself fits in the viewport
    const scroller = el => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const x = getComputedStyle(a).overflowX;
            if (x === 'auto' || x === 'scroll') {
                const r = a.getBoundingClientRect();
                return r.left >= -1 && r.right <= vw + 1 ? a : null;
            }
        }
        return null;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left >= -1 && r.right <= vw + 1) continue;
        if (scroller(el) || hiddenFromView(el)) continue;
        wide.push(el);
    }
    const outermost = wide.filter(el => !wide.some(o => o !== el && o.contains(el)));
    const equations = [];
    for (const c of document.querySelectorAll('mjx-container[display="true"]')) {
        if (hiddenFromView(c) || !c.getClientRects().length) continue;
        const math = c.querySelector('mjx-math').getBoundingClientRect();
        const box = c.getBoundingClientRect();
        const eqno = c.parentElement.querySelector(':scope > .eqno');
        const no = eqno ? eqno.getBoundingClientRect() : null;
        const problems = [];
        const wider = math.left < box.left - 1 || math.right > box.right + 1
            || c.scrollWidth > c.clientWidth + 1;
        if (wider) problems.push(
            `${Math.round(math.width)} px wide in a ${Math.round(box.width)} px box`);
        if (math.left < -1 || math.right > vw + 1) problems.push('outside the window');
        if (no && no.width && no.left < math.right - 1 && no.right > math.left + 1
            && no.top < math.bottom - 1 && no.bottom > math.top + 1)
            problems.push('under its number');
        const name = (c.parentElement.id || describe(c.parentElement)).slice(0, 70);
        if (problems.length) equations.push(`${name}: ${problems.join(', ')}`);
    }
    return {
        viewport: vw,
        page: document.documentElement.scrollWidth,
        overflow: outermost.map(el => {
            const r = el.getBoundingClientRect();
            return `${describe(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`;
        }),
        equations,
    };
}"""

BROKEN_IMAGES = """() => [...document.images]
    .filter(i => !(i.complete && i.naturalWidth > 0))
    .map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 120))"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's Chromium with `sudo bash"
            " tools/setup_system.sh` (or apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh profile
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


def offline_page(browser, server: str, blocked: list[str]):
    """A new page of ``browser`` that may load only from ``server``; other URLs go to
    ``blocked`` and are aborted (the published book must work without the internet)."""

    def route(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page = browser.new_page()
    page.route("**/*", route)
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("docname", PAGES)
def test_page_renders_offline(server, browser, docname, width):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    blocked, console_errors, page_errors, http_errors, stuck = [], [], [], [], []

    def wait_until(condition: str, what: str) -> None:
        try:
            page.wait_for_function(condition)
        except PlaywrightTimeout:
            stuck.append(f"{what} (waited {TIMEOUT_MS / 1000:g} s)")

    page = offline_page(browser, server, blocked)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and http_errors.append(f"{r.status} {r.url}"))
        page.set_default_timeout(TIMEOUT_MS)

        page.goto(server + f"{docname}.html", wait_until="load")
        page.evaluate(MATHJAX_DONE)
        widgets = page.evaluate(WIDGETS)
        if widgets["views"]:
            wait_until(f"() => ({WIDGETS})().rendered >= {widgets['views']}", "widget views")
            widgets = page.evaluate(WIDGETS)
            page.evaluate(MATHJAX_DONE)  # widget labels are typeset too
        wait_until("() => [...document.images].every(i => i.complete)", "images")
        math = page.evaluate(MATH)
        broken = page.evaluate(BROKEN_IMAGES)
        fits = page.evaluate(FITS)

        shot = SCREENSHOTS / f"{docname}-{width}px.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()

    problems = [
        *(f"request to another host (blocked): {url}" for url in blocked),
        *(f"JavaScript error: {e}" for e in page_errors),
        *(f"failed request: {r}" for r in http_errors),
        *(f"console error: {m}" for m in console_errors),
        *(f"never finished: {w}" for w in stuck),
        *(f"math left untypeset: {m}" for m in math["untypeset"]),
        *(f"TeX error: {m}" for m in math["errors"]),
        *(f"raw TeX in the visible text: {m}" for m in math["raw"]),
        *(f"image did not load: {i}" for i in broken),
        *(f"wider than the {width} px window: {e}" for e in fits["overflow"]),
        *(f"display equation not fully visible at {width} px: {e}" for e in fits["equations"]),
    ]
    if fits["page"] > fits["viewport"]:
        problems.append(
            f"the page scrolls sideways at {width} px: {fits['page']} px wide"
            f" in a {fits['viewport']} px window"
        )
    if widgets["state"] and not (widgets["views"] and widgets["rendered"] == widgets["views"]):
        problems.append(
            f"widget state embedded, but {widgets['rendered']} of {widgets['views']} views rendered"
        )
    assert not problems, f"{docname}.html in Chromium at {width} px:\n" + "\n".join(problems)
