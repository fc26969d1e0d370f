"""Sphinx extension: every MyST notebook page of the book downloads as a ``.ipynb``.

A chapter's source is a MyST Markdown notebook (``.md`` with a jupytext header and a
kernelspec), which Jupyter opens as a notebook only with jupytext installed. At build time
this converts each such page with jupytext into ``_sources/<page>.ipynb`` of the built book
(code and text, no outputs: it runs top to bottom in the student kit's environment) and adds
it to the page's download button (sphinx-book-theme's ``ipynb_source``, read by its header
buttons, which run after this at priority 501). Pages that are ``.ipynb`` already (the graded
labs) and plain Markdown pages are left alone.

Loaded from ``_config.yml`` (``sphinx.local_extensions``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["notebook_of", "setup"]


def notebook_of(source: Path) -> str | None:
    """The ``.ipynb`` text of a MyST Markdown notebook, or None for any other page."""
    if source.suffix != ".md":
        return None
    text = source.read_text(encoding="utf-8")
    header = text.split("\n---", 1)[0] if text.startswith("---") else ""
    if "kernelspec:" not in header:
        return None
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    # a plain notebook: no pairing with the .md, which the reader does not have
    nb.metadata.pop("jupytext", None)
    return jupytext.writes(nb, fmt="ipynb")


def _add_download(app, pagename, templatename, context, doctree):
    if doctree is None or app.builder.format != "html":
        return
    text = notebook_of(Path(app.env.doc2path(pagename)))
    if text is None:
        return
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _add_download, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
