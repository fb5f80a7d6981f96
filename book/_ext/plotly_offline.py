"""Sphinx extension: ship plotly.js with the book so plotly figures render with no network.

`signin_lite.views.plotting.show` writes a ``text/html`` output (a ``<div class="plotly-graph-div">``
and a ``Plotly.newPlot`` call) that needs a global ``Plotly``.  This extension

1. copies ``plotly.min.js`` from the installed plotly package to ``<outdir>/_static/``
   when an HTML builder starts (so the 4.8 MB file is never committed and always matches
   the plotly version that produced the figures), and
2. adds ``<script src="_static/plotly.min.js">`` to the ``<head>`` of every page whose body
   contains a plotly div, and only those pages, and
3. tells myst-nb that the ``application/vnd.plotly.v1+json`` part of such an output is
   handled.  myst-nb 1.4 renders *every* mime type of an output while parsing and only later
   picks one per builder, so without this it warns "skipping unknown output mime type"
   for each figure even though it then shows the ``text/html`` part, and ``-W`` fails.
   The plugin renders the plotly json as an empty comment that is never picked for HTML
   (it is not in the priority list): an output that has ONLY plotly json, as a plain
   ``fig.show()`` makes, still fails the build with "No mime type available in priority
   list", which is the safety net we want.  myst-nb finds such plugins through the
   ``myst_nb.mime_renderers`` entry point; the extension adds one in-process instead, so the
   book needs no installed package for it.

Registered in ``_config.yml``::

    sphinx:
      local_extensions:
        plotly_offline: book/_ext
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError

PLOTLY_JS = "plotly.min.js"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
MARKER = "plotly-graph-div"


def plotlyjs_source() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall the plotly package")
    return path


def _copy_plotlyjs(app) -> None:
    if app.builder.format != "html":
        return
    src = plotlyjs_source()
    dest = Path(app.outdir) / "_static" / PLOTLY_JS
    if dest.is_file() and dest.stat().st_size == src.stat().st_size and dest.read_bytes() == src.read_bytes():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _add_script(app, pagename, templatename, context, doctree) -> None:
    # Called once per page; a script added here goes to this page only (Sphinx >= 3.5).
    if MARKER in context.get("body", ""):
        app.add_js_file(PLOTLY_JS)


class PlotlyJsonHandled:
    """myst-nb mime render plugin (see myst_nb.core.render.MimeRenderPlugin)."""

    mime_priority_overrides = ()  # leave the plotly mime type out of every priority list

    @staticmethod
    def handle_mime(renderer, data, inline):
        if inline or data.mime_type != PLOTLY_MIME:
            return None  # not ours: myst-nb's own renderers decide
        from docutils import nodes

        return [nodes.comment("", "plotly json: the HTML book shows the text/html part of this output")]


def _register_mime_plugin() -> None:
    try:
        from myst_nb.core import render as nb_render

        original = nb_render.load_mime_renders
    except (ImportError, AttributeError) as exc:  # myst-nb changed its internals
        raise ExtensionError(
            "plotly_offline: myst_nb.core.render.load_mime_renders not found; register "
            "PlotlyJsonHandled through the 'myst_nb.mime_renderers' entry point instead"
        ) from exc
    if getattr(original, "plotly_offline", False):
        return

    @functools.lru_cache(maxsize=None)
    def load_mime_renders():
        return [*original(), PlotlyJsonHandled]

    load_mime_renders.plotly_offline = True
    nb_render.load_mime_renders = load_mime_renders


def setup(app):
    _register_mime_plugin()
    app.connect("builder-inited", _copy_plotlyjs)
    app.connect("html-page-context", _add_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
