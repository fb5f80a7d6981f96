"""Sphinx extension: a page that would load a script or stylesheet from the network is a warning.

The book is read offline (copied to laptops, opened from disk), so every asset must ship in
``_build/html``.  With ``jupyter-book build -W`` this turns an online dependency into a failed
build instead of a page that silently breaks later.  Known causes come with their fix.

Registered in ``_config.yml``::

    sphinx:
      local_extensions:
        offline_check: book/_ext
"""

from __future__ import annotations

from sphinx.util import logging

logger = logging.getLogger(__name__)

REMOTE = ("http://", "https://", "//")
HINTS = {
    "mathjax": "the page has math and no local MathJax was found: pip install sphinx-mathjax-offline "
               "(book/_ext/mathjax_offline.py then serves it from _static)",
    "require": "a notebook displayed ipywidgets while the book executed it: tag that cell "
               "'skip-execution' and show a signin_lite.views.plotting.slider_figure instead",
    "html-manager": "a notebook displayed ipywidgets while the book executed it: tag that cell "
                    "'skip-execution' and show a signin_lite.views.plotting.slider_figure instead",
    "plotly": "use signin_lite.views.plotting.show(fig); book/_ext/plotly_offline.py serves plotly.js locally",
    "thebe": "switch off launch_buttons.thebe in _config.yml",
}


def _hint(url: str) -> str:
    return next((hint for key, hint in HINTS.items() if key in url), "ship the file in _static instead")


def _check(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    assets = list(context.get("script_files") or []) + list(context.get("css_files") or [])
    for asset in assets:
        url = str(getattr(asset, "filename", asset) or "")
        if url.startswith(REMOTE):
            logger.warning("%s: loads %s from the network, so it breaks offline. Fix: %s",
                           pagename, url, _hint(url), type="offline_check", subtype="remote_asset")


def setup(app):
    app.connect("html-page-context", _check, priority=900)  # after the extensions that add assets
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
