"""Sphinx extension: serve MathJax from the book itself instead of a CDN.

Sphinx loads MathJax 3 from cdn.jsdelivr.net on every page with math; read offline, such a
page shows raw LaTeX.  This extension looks for a local copy of MathJax 3 (its ``es5`` build)
and, if it finds one, copies it to ``<outdir>/_static/mathjax/`` when an HTML builder starts and
points ``mathjax_path`` at it.  Looked for, in this order:

1. the folder named by ``$SIGNIN_LITE_MATHJAX``;
2. the pip package ``sphinx-mathjax-offline`` (MathJax 3.2.2; only its files are used);
3. Debian's ``node-mathjax-full`` package (``/usr/share/nodejs/mathjax-full/es5``).

If none is found, the CDN stays; ``offline_check.py`` then warns (so ``-W`` fails) on every
page that actually loads it, i.e. has math, and names the fix.  A book without math builds as
before.  A ``mathjax_path`` set by hand (not the CDN default) is left alone.

Registered in ``_config.yml``::

    sphinx:
      local_extensions:
        mathjax_offline: book/_ext
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

ENV_VAR = "SIGNIN_LITE_MATHJAX"
SCRIPTS = ("tex-mml-chtml.js", "tex-chtml.js")  # the first one present is used
DEBIAN_DIR = Path("/usr/share/nodejs/mathjax-full/es5")
TARGET = "mathjax"  # under _static


def find_mathjax() -> tuple[Path, str] | None:
    """(folder, script name) of a local MathJax 3 es5 build, or None."""
    candidates = []
    if os.environ.get(ENV_VAR):
        candidates.append(Path(os.environ[ENV_VAR]).expanduser())
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(Path(p) / "static" / "mathjax" for p in spec.submodule_search_locations)
    candidates.append(DEBIAN_DIR)
    for folder in candidates:
        for script in SCRIPTS:
            if (folder / script).is_file():
                return folder, script
    return None


def _use_local(app, config) -> None:
    app.mathjax_offline = None
    if not str(config.mathjax_path).startswith(("http://", "https://", "//")):
        return  # set by hand to something local
    found = find_mathjax()
    if found is None:
        return
    app.mathjax_offline = found
    config.mathjax_path = f"{TARGET}/{found[1]}"


def _copy(app) -> None:
    if app.builder.format != "html" or not app.mathjax_offline:
        return
    src, script = app.mathjax_offline
    dest = Path(app.outdir) / "_static" / TARGET
    if (dest / script).is_file() and (dest / script).stat().st_size == (src / script).stat().st_size:
        return  # already copied by an earlier build
    shutil.copytree(src, dest, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _use_local, priority=900)
    app.connect("builder-inited", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
