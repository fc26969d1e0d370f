"""The built book (static checks of _build/html): complete, offline, no solutions leaked.

These tests read the HTML that ``make book`` (or ``make test``) builds; they do not build
it. The browser checks (equations typeset, widgets rendered, no console error) are in
test_browser.py.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# where `make book` builds; BOOK_BUILD points the tests at another build folder
BUILD = Path(os.environ.get("BOOK_BUILD", ROOT / "_build"))
HTML = BUILD / "html"
# the table of contents of that build (BOOK_TOC: a build made with `jupyter-book --toc`)
TOC = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
# nbgrader's markers for solution code and hidden tests in the instructor notebooks
SECRETS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")
# a folder under html_static_path named _static makes Jupyter Book add a <script> tag for
# each .js below it (MathJax alone has dozens): far more than a page ever needs
MAX_SCRIPTS_PER_PAGE = 40


def toc_docnames(node=None) -> list[str]:
    """Every document of the table of contents (``root`` first), without suffix."""
    if node is None:
        node = yaml.safe_load(TOC.read_text(encoding="utf-8"))
        return [node["root"], *toc_docnames({k: v for k, v in node.items() if k != "root"})]
    found = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(str(node["file"]))
        for value in node.values():
            if isinstance(value, (dict, list)):
                found += toc_docnames(value)
    elif isinstance(node, list):
        for item in node:
            found += toc_docnames(item)
    return found


DOCNAMES = toc_docnames()
EXERCISES = [d for d in DOCNAMES if re.fullmatch(r"chapters/[^/]+/[^/]*exercise[^/]*", d)]


@pytest.fixture(scope="module")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first")
    return HTML


def built_pages(html_dir: Path) -> list[Path]:
    skip = {"_static", "_sources", "_images", "reports"}
    return sorted(
        p for p in html_dir.rglob("*.html") if not skip & set(p.relative_to(html_dir).parts)
    )


class _Resources(HTMLParser):
    """Collects what a page makes the browser fetch: scripts, styles, fonts, media."""

    FETCHING_RELS = frozenset(
        ("stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
         "icon", "manifest")
    )  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (what, url)
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.urls.append(("<script src>", a["src"]))
        elif tag == "link" and self.FETCHING_RELS & set((a.get("rel") or "").lower().split()):
            self.urls.append((f"<link rel={a.get('rel')}>", a.get("href") or ""))
        elif tag in {"img", "iframe", "embed", "source", "audio", "video", "track"}:
            for key in ("src", "srcset", "data"):
                if a.get(key):
                    self.urls.append((f"<{tag} {key}>", a[key]))
        elif tag == "style":
            self._in_style = True
        if a.get("style"):
            self.urls += [("style attribute", u) for u in css_urls(a["style"])]

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [("<style>", u) for u in css_urls(data)]


def css_urls(css: str) -> list[str]:
    urls = re.findall(r"""url\(\s*['"]?([^'")\s]+)""", css)
    urls += re.findall(r"""@import\s+['"]([^'"]+)""", css)
    return urls


def is_external(url: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def test_every_toc_page_was_built(html_dir):
    missing = [d for d in DOCNAMES if not (html_dir / f"{d}.html").is_file()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


def test_build_left_no_reports(html_dir):
    """Jupyter Book writes a report (traceback) for every page that failed to execute."""
    reports = html_dir / "reports"
    found = sorted(p.name for p in reports.rglob("*") if p.is_file()) if reports.exists() else []
    assert not found, f"the build left execution reports in {reports}: {found}"


def test_pages_load_nothing_external(html_dir):
    """No script, stylesheet, font or image from another host: the book works offline."""
    offenders = []
    for page in built_pages(html_dir):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(html_dir)
        offenders += [f"{rel}: {what} {url}" for what, url in parser.urls if is_external(url)]
        if parser.scripts > MAX_SCRIPTS_PER_PAGE:
            offenders.append(f"{rel}: {parser.scripts} <script> tags (is there a _static/ folder?)")
    assert not offenders, "external resources in built pages:\n" + "\n".join(offenders)


def test_stylesheets_load_nothing_external(html_dir):
    """Fonts and imports in the shipped CSS (the theme's, MathJax's, ...) are local too."""
    offenders = []
    for css in sorted((html_dir / "_static").rglob("*.css")):
        rel = css.relative_to(html_dir)
        offenders += [f"{rel}: {u}" for u in css_urls(css.read_text("utf-8")) if is_external(u)]
    assert not offenders, "external URLs in stylesheets:\n" + "\n".join(offenders)


def test_math_and_widget_scripts_are_served_locally(html_dir):
    for page in built_pages(html_dir):
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(html_dir)
        if 'class="math' in text:
            assert "_static/vendor/mathjax/tex-chtml.js" in text, f"{rel}: no local MathJax"
        if "application/vnd.jupyter.widget-state+json" in text:
            for script in ("vendor/requirejs/require.js", "vendor/html-manager/embed-amd.js"):
                assert f"_static/{script}" in text, f"{rel}: widget state but no local {script}"
    for asset in ("mathjax/tex-chtml.js", "requirejs/require.js", "html-manager/embed-amd.js"):
        assert (html_dir / "_static" / "vendor" / asset).is_file(), (
            f"_static/vendor/{asset} missing: run `python tools/fetch_assets.py`, then rebuild"
        )


def test_no_solution_or_hidden_test_anywhere(html_dir):
    """Solutions and hidden tests live in solutions/ only: nothing built may contain them."""
    leaks = []
    for path in sorted(html_dir.rglob("*")):
        if path.is_file() and "_static" not in path.relative_to(html_dir).parts:
            data = path.read_bytes()
            leaks += [f"{path.relative_to(html_dir)}: {s}" for s in SECRETS if s.encode() in data]
    assert not leaks, "instructor-only content in the built book:\n" + "\n".join(leaks)


@pytest.mark.parametrize("docname", EXERCISES)
def test_exercise_page_offers_the_student_notebook(html_dir, docname):
    page = (html_dir / f"{docname}.html").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in page, f"{docname}: the page shows {secret!r}"
    # the theme's download button links the page's source, the student notebook
    href = f"_sources/{docname}.ipynb"
    assert re.search(rf'href="(?:\.\./)*{re.escape(href)}"', page), (
        f"{docname}: no download link to {href} (html_theme_options.use_download_button?)"
    )
    notebook = json.loads((html_dir / href).read_text(encoding="utf-8"))
    assert notebook.get("nbformat") == 4, f"{href} is not an nbformat-4 notebook"
    source = json.dumps(notebook)
    for secret in SECRETS:
        assert secret not in source, f"{href} contains {secret!r}"
    # excluded from execution (its answer cells raise NotImplementedError): no outputs
    outputs = [c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code"]
    assert not any(outputs), f"{href} has outputs: the student version must be blank"
    assert 'class="cell_output' not in page, f"{docname} was executed at build time"


def test_exercises_are_in_the_toc():
    assert EXERCISES, "no chapters/*/*exercise*.ipynb page in _toc.yml"


def test_bibliography_lists_every_reference(html_dir):
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text("utf-8"), re.M)
    page = (html_dir / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    cited = page.count('<div class="citation"')
    assert cited == len(keys), (
        f"bibliography page lists {cited} entries, references.bib {len(keys)}"
    )
