"""Every built page in a real headless Chromium, offline.

The pages are served from _build/html by a loopback HTTP server; every request to
anything else is blocked (and fails the page). On each page: equations are typeset by
MathJax, every image loads, embedded widgets render, and the console shows no error.
A full-page screenshot of each page goes to _build/screenshots/<page>.png (BOOK_BUILD
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


@pytest.mark.parametrize("docname", PAGES)
def test_page_renders_offline(server, browser, docname):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    blocked, console_errors, page_errors, http_errors, stuck = [], [], [], [], []

    def route(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def wait_until(condition: str, what: str) -> None:
        try:
            page.wait_for_function(condition)
        except PlaywrightTimeout:
            stuck.append(f"{what} (waited {TIMEOUT_MS / 1000:g} s)")

    page = browser.new_page()
    try:
        page.route("**/*", route)
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

        shot = SCREENSHOTS / f"{docname}.png"
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
    ]
    if widgets["state"] and not (widgets["views"] and widgets["rendered"] == widgets["views"]):
        problems.append(
            f"widget state embedded, but {widgets['rendered']} of {widgets['views']} views rendered"
        )
    assert not problems, f"{docname}.html in Chromium:\n" + "\n".join(problems)
