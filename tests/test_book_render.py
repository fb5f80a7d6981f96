"""Plotly figures render in the built book and in standalone pages with the network OFF.

Each test opens pages in headless Chromium that cannot resolve any host or reach any proxy,
lets the page's JavaScript run, dumps the DOM and checks that every ``plotly-graph-div`` drew
an SVG (``main-svg``).  Needs /usr/bin/chromium (Debian: ``apt-get install -y chromium``);
skipped without it.

* test_tiny_book_*: builds a two-page Jupyter Book in tmp_path with the project's plotly
  settings and local extension, one notebook calling ``signin_lite.views.plotting.show`` (~20 s).
* test_full_book_*: checks every page of ``_build/html`` (or ``$SIGNIN_LITE_BOOK_HTML``).
  ``scripts/run_tests.sh`` builds the book first (``jupyter-book build --all -W -n --keep-going .``);
  without a build they skip, except with ``CI`` set, where they fail.
* test_standalone_*: ``standalone_html`` pages, opened alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
import yaml

from signin_lite.views.plotting import figure_html, label, slider_figure, standalone_html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import mathjax_offline  # noqa: E402  (the book's local Sphinx extension)

LOCAL_MATHJAX = mathjax_offline.find_mathjax()
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
needs_jupyter_book = pytest.mark.skipif(
    shutil.which("jupyter-book") is None, reason="jupyter-book not installed")


# ----------------------------------------------------------------------------- helpers
def dump_dom(page: Path, tmp_path: Path) -> str:
    """The DOM of `page` after its scripts ran, in a Chromium with no network at all."""
    profile = tmp_path / f"chromium-profile-{page.stem}"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--dump-dom", page.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "</html>" in proc.stdout, f"no DOM dumped for {page}: {proc.stderr[-3000:]}"
    return proc.stdout


class _PlotlyDivs(HTMLParser):
    """For every <div class="plotly-graph-div">: its id, attributes, and whether an SVG with
    class main-svg was drawn inside it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.open: list[tuple[int, dict]] = []  # (depth, info) of plotly divs being read
        self.divs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "svg" and "main-svg" in classes:
            for _, info in self.open:
                info["drawn"] = True
        if tag in self.VOID:
            return
        self.depth += 1
        if tag == "div" and "plotly-graph-div" in classes:
            info = {"id": attrs.get("id"), "attrs": attrs, "drawn": False}
            self.divs.append(info)
            self.open.append((self.depth, info))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.open and self.open[-1][0] >= self.depth:
            self.open.pop()
        self.depth -= 1


def plotly_divs(html: str) -> list[dict]:
    parser = _PlotlyDivs()
    parser.feed(html)
    parser.close()
    return parser.divs


def assert_all_drawn(page: Path, tmp_path: Path, expected: int | None = None) -> tuple[list[dict], str]:
    """Open `page` offline; every plotly div must have drawn. Returns (divs, dumped DOM)."""
    source_divs = plotly_divs(page.read_text(encoding="utf-8"))
    dom = dump_dom(page, tmp_path)
    divs = plotly_divs(dom)
    assert len(divs) == len(source_divs), f"{page}: {len(source_divs)} plotly divs in the file, {len(divs)} in the DOM"
    if expected is not None:
        assert len(divs) == expected, f"{page}: expected {expected} plotly divs, found {len(divs)}"
    blank = [d["id"] for d in divs if not d["drawn"]]
    assert not blank, f"{page}: plotly figures not drawn (no main-svg) with the network off: {blank}"
    return divs, dom


# ----------------------------------------------------------------------------- the tiny book
NOTEBOOK_CELLS = [
    ("markdown", "# Plots\n\nFigures shown with `signin_lite.views.plotting.show`."),
    ("code", "import plotly.graph_objects as go\n"
             "from signin_lite.views.plotting import label, show, slider_figure"),
    ("code", "fig = go.Figure(go.Scatter(x=[0.8, 0.9, 0.95], y=[0.88, 0.86, 0.83], name='pai'))\n"
             "label(fig, 'profile smoke · test hardware · 2026-11-27')\n"
             "show(fig)\n"
             "show(fig)  # the same figure twice on one page"),
    ("code", "steps = {s: go.Bar(x=['pai', 'pai_signin'], y=[1 - s, 1.1 - s]) for s in (0.8, 0.9, 0.95)}\n"
             "show(slider_figure(steps, name='sparsity'))"),
    ("code", "import ipywidgets  # skip-execution\n"
             "ipywidgets.interact(lambda s: s, s=(0.8, 0.95, 0.05))  # live only, not in the book"),
]


def _tiny_config(book: Path) -> dict:
    """The project's _config.yml, minus what a two-page book does not have (bibliography)."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cfg["title"] = "tiny"
    cfg.pop("bibtex_bibfiles", None)
    cfg["execute"]["timeout"] = 120
    sphinx = cfg.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in sphinx["local_extensions"].items()}
    sphinx["config"] = {k: v for k, v in (sphinx.get("config") or {}).items() if not k.startswith("bibtex")}
    return cfg


def build_book(book: Path, cells: list[tuple[str, str]]) -> subprocess.CompletedProcess:
    """Write a two-page book (index.md + plots.ipynb with `cells`) and build it like the project."""
    (book / "_config.yml").write_text(yaml.safe_dump(_tiny_config(book), allow_unicode=True), encoding="utf-8")
    toc = "format: jb-book\nroot: index\nchapters:\n  - file: plots\n"
    if LOCAL_MATHJAX:  # without a local MathJax a page with math fails the build, by design
        toc += "  - file: math\n"
        (book / "math.md").write_text("# Math\n\nConserved: $m^2 - w^2 = \\beta$.\n\n"
                                      "$$m = \\sqrt{(\\beta + \\sqrt{\\beta^2 + 4\\theta^2})/2}$$\n",
                                      encoding="utf-8")
    (book / "_toc.yml").write_text(toc, encoding="utf-8")
    (book / "index.md").write_text("# Tiny book\n\nA page without figures.\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    for cell in nb.cells:  # a code cell whose source says "# skip-execution" gets that tag
        if cell.cell_type == "code" and "# skip-execution" in cell.source:
            cell.metadata["tags"] = ["skip-execution"]
    nbformat.write(nb, book / "plots.ipynb")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [shutil.which("jupyter-book"), "build", "-W", "-n", "--keep-going", str(book)],
        capture_output=True, text=True, timeout=600, env=env,
    )


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory) -> Path:
    if shutil.which("jupyter-book") is None:
        pytest.skip("jupyter-book not installed")
    book = tmp_path_factory.mktemp("tiny_book")
    proc = build_book(book, NOTEBOOK_CELLS)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    return book / "_build" / "html"


@needs_jupyter_book
def test_tiny_book_ships_plotlyjs_only_where_needed(tiny_book: Path):
    assert (tiny_book / "_static" / "plotly.min.js").stat().st_size > 1_000_000
    plots = (tiny_book / "plots.html").read_text(encoding="utf-8")
    index = (tiny_book / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="_static/plotly\.min\.js(\?v=[0-9a-f]+)?"', plots)
    assert "plotly.min.js" not in index
    assert plots.index("plotly.min.js") < plots.index("Plotly.newPlot")  # loaded in <head>, before use
    for page in (plots, index):
        assert not re.search(r'<script[^>]+src="(https?:)?//', page), "a script is loaded from the network"
    assert "application/vnd.plotly.v1+json" not in plots  # myst-nb rendered the html output


@needs_chromium
@needs_jupyter_book
def test_tiny_book_figures_draw_offline(tiny_book: Path, tmp_path: Path):
    divs, dom = assert_all_drawn(tiny_book / "plots.html", tmp_path, expected=3)
    assert divs[0]["id"] != divs[1]["id"]
    assert divs[0]["attrs"].get("data-provenance", "").startswith("profile smoke")
    assert "slider-container" in dom  # the slider drew too
    assert "profile smoke · test hardware" in dom  # the provenance caption is in the SVG


@needs_chromium
@needs_jupyter_book
@pytest.mark.skipif(LOCAL_MATHJAX is None, reason="no local MathJax (pip install sphinx-mathjax-offline)")
def test_tiny_book_math_renders_offline(tiny_book: Path, tmp_path: Path):
    page = tiny_book / "math.html"
    text = page.read_text(encoding="utf-8")
    assert re.search(r'<script defer="defer" src="_static/mathjax/tex(-mml)?-chtml\.js', text), \
        "MathJax is not served from _static"
    dom = dump_dom(page, tmp_path)
    assert dom.count("<mjx-container") >= 2, "MathJax did not typeset the page offline"


@needs_jupyter_book
def test_build_fails_on_blank_figures_and_online_widgets(tmp_path: Path):
    """Safety nets of the -W build: a plain fig.show() (plotly json only, blank in the book) and
    an executed ipywidget (loads require.js from a CDN) must fail it.  (The tiny book shows that
    a widget cell tagged skip-execution does not.)"""
    proc = build_book(tmp_path, [
        ("markdown", "# Plots"),
        ("code", "import plotly.graph_objects as go\ngo.Figure(go.Scatter(y=[1, 2])).show()"),
        ("code", "import ipywidgets\nipywidgets.IntSlider()"),
    ])
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "No mime type available in priority list" in log, log[-3000:]
    assert re.search(r"plots: loads https://\S*require", log), log[-3000:]
    assert "tag that cell 'skip-execution'" in log


# ----------------------------------------------------------------------------- standalone pages
@needs_chromium
def test_standalone_html_draws_offline(tmp_path: Path):
    fig = label(go.Figure(go.Scatter(y=[1, 3, 2])), "standalone test")
    slider = slider_figure({k: go.Scatter(y=[k, 2 * k]) for k in (1, 2)}, name="k")
    page = tmp_path / "report.html"
    page.write_text(standalone_html([fig, "<p>text</p>", slider], "PoC report / PoC 報告書"), encoding="utf-8")
    assert_all_drawn(page, tmp_path, expected=2)


@needs_chromium
def test_checker_detects_a_page_without_plotlyjs(tmp_path: Path):
    """Negative control: without plotly.js the figure must count as not drawn."""
    page = tmp_path / "no_plotly.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    + figure_html(go.Figure(go.Scatter(y=[1, 2]))) + "</body></html>", encoding="utf-8")
    with pytest.raises(AssertionError, match="not drawn"):
        assert_all_drawn(page, tmp_path)
    assert "plotly.js is not loaded" in dump_dom(page, tmp_path)


# ----------------------------------------------------------------------------- the full book
# The built book to check: _build/html of the repository, or $SIGNIN_LITE_BOOK_HTML.
FULL_BUILD = Path(os.environ.get("SIGNIN_LITE_BOOK_HTML") or ROOT / "_build" / "html")


def full_book_pages() -> list[Path]:
    """The built book's pages. Skips without a build; with CI set (.ci/run, where scripts/run_tests.sh builds the
    book before the tests) a missing build is a failure, so these tests never skip in CI."""
    pages = sorted(p for p in FULL_BUILD.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts) \
        if (FULL_BUILD / "index.html").exists() else []
    if not pages:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the built book, but {FULL_BUILD} has none: scripts/run_tests.sh builds it "
                        "first (jupyter-book build --all -W -n --keep-going .)")
        pytest.skip(f"the full book is not built ({FULL_BUILD} missing; bash scripts/build_book.sh)")
    return pages


def test_full_book_loads_nothing_from_the_network():
    offenders = {}
    for page in full_book_pages():
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', text)
        remote = [u for u in remote if not u.startswith(("http://www.w3.org", "https://www.w3.org"))]
        # stylesheets/scripts only; plain <a href> links to papers are fine
        remote = [u for u in remote if re.search(r"\.(js|css)(\?|$)", u)]
        if remote:
            offenders[str(page.relative_to(FULL_BUILD))] = remote
    assert not offenders, f"pages that load scripts or styles from the network: {offenders}"


@needs_chromium
def test_full_book_figures_draw_offline(tmp_path: Path):
    with_figures = [p for p in full_book_pages() if "plotly-graph-div" in p.read_text(encoding="utf-8")]
    if not with_figures:
        pytest.skip("the built book has no plotly figures yet")
    for page in with_figures:
        assert "_static/plotly.min.js" in page.read_text(encoding="utf-8"), f"{page}: plotly.js not loaded"
        divs, _ = assert_all_drawn(page, tmp_path)
        if page.stem == "07_reference_results":
            unlabelled = [d["id"] for d in divs if not d["attrs"].get("data-provenance")]
            assert not unlabelled, (f"{page}: reference figures without a provenance caption "
                                    f"(signin_lite.views.plotting.label): {unlabelled}")


if __name__ == "__main__":  # pragma: no cover - manual run: python tests/test_book_render.py
    sys.exit(pytest.main([__file__, "-v"]))
