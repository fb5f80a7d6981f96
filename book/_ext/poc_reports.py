"""Copy the one-page PoC reports that chapter 6 writes (book/reports/*.html, git-ignored) to the site root.

Chapter 6 runs while the book is read, so the files exist by the time the build finishes; the chapter links
them as ``../poc_report_ja.html`` etc. A book without that folder (or before chapter 6 ran) copies nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPORTS = Path("book") / "reports"


def _copy(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.srcdir) / REPORTS
    for page in sorted(folder.glob("*.html")) if folder.is_dir() else []:
        shutil.copy2(page, Path(app.outdir) / page.name)


def setup(app):
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
