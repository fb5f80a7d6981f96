"""Plotly figures that work in three places: JupyterLab, the built book (offline) and a standalone file.

In a notebook::

    import plotly.graph_objects as go
    from signin_lite.views.plotting import label, show

    fig = go.Figure(go.Scatter(x=[0.8, 0.9, 0.95], y=[0.88, 0.86, 0.83], name="PaI"))
    label(fig, record=run_record)      # provenance caption: profile, hardware, date
    show(fig)                          # not fig.show()

How it works. `show` emits one output with three mime types:

* ``application/vnd.plotly.v1+json``: JupyterLab and VS Code draw it with their plotly renderer
  (the ``plotly`` pip package ships the JupyterLab extension);
* ``text/html``: a ``<div class="plotly-graph-div">`` and a script calling ``Plotly.newPlot``.
  myst-nb (Jupyter Book) picks ``text/html`` for HTML builders and skips the plotly mime type.
  The book's local Sphinx extension ``book/_ext/plotly_offline.py`` copies ``plotly.min.js``
  from the installed plotly package into ``_build/html/_static`` and adds it to the ``<head>``
  of every page that contains a plotly div, so nothing is fetched from a CDN;
* ``text/plain``: a one-line description for terminals and text diffs.

A plain ``fig.show()`` does NOT work in the book: it emits only the plotly mime type, which
myst-nb cannot render, and the ``-W`` build fails on the warning.  ``fig.show(renderer="signin_lite")``
is the same as ``show(fig)``.

`slider_figure` turns precomputed results into one figure with a plotly slider, so the static
book keeps a working control; `standalone_html` writes a self-contained page with plotly.js
inlined (the PoC report export), which renders offline when opened on its own.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

from signin_lite.evidence import records

__all__ = [
    "LEGEND_BELOW",
    "PLOTLY_MIME",
    "epoch_ticks",
    "figure_html",
    "label",
    "mimebundle",
    "plotlyjs_path",
    "provenance_of",
    "show",
    "showing",
    "slider_figure",
    "standalone_html",
]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DIV_CLASS = "plotly-graph-div"  # the class plotly itself uses; the Sphinx extension looks for it
# JupyterLab draws the plotly JSON in a container without a height of its own: with "responsive" there,
# plotly.js sizes the plot to 100% of that container, i.e. 0 px, at the first relayout (a slider step, a window
# resize; plotly.py issue 4421). So the JSON part gets a fixed height and no "responsive"; only the HTML part,
# whose div carries its own height in px, follows the page's width.
CONFIG = {"displaylogo": False}
HTML_CONFIG = {**CONFIG, "responsive": True}
DEFAULT_HEIGHT = 450  # px, plotly.js's own default layout height
SLIDER_ROOM = 90      # px below a plotly slider's top padding: current value, rail, tick labels
CAPTION_WIDTH = 110   # characters per caption line before it wraps (10 px font, about 600 px)
CAPTION_LINE = 14     # px per caption line
LEGEND_WIDTH = 600    # px a horizontal legend under the plot may fill (a book page's plot area)
LEGEND_ROW = 22       # px per row of such a legend
# A legend under the plot, never over the data: its top a quarter of the plot's height below the x axis, under
# the axis title; `label` puts the caption below it
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.25, "yanchor": "top"}

_div_counter = itertools.count()


# --------------------------------------------------------------------------- plotly.js itself
def plotlyjs_path() -> Path:
    """Path of the ``plotly.min.js`` shipped inside the installed plotly package."""
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found at {path}; reinstall the plotly package")
    return path


@lru_cache(maxsize=1)
def _plotlyjs() -> str:
    # Inlined inside <script>; a literal "</script" would end the element early.
    return plotlyjs_path().read_text(encoding="utf-8").replace("</script", "<\\/script")


# --------------------------------------------------------------------------- one figure
def _as_figure(fig: go.Figure | Mapping[str, Any]) -> go.Figure:
    if isinstance(fig, go.Figure):
        return fig
    if isinstance(fig, Mapping):
        return go.Figure(fig)
    raise TypeError(f"expected a plotly Figure or a figure dict, got {type(fig).__name__}")


def _figure_json(fig: go.Figure) -> str:
    text = pio.to_json(fig, validate=False, remove_uids=True)
    # Safe inside a <script> element: "<" only occurs inside JSON strings, where \u003c is the same.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _height_px(fig: go.Figure) -> int:
    return int(fig.layout.height) if fig.layout.height else DEFAULT_HEIGHT


def _title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title else None
    return str(title) if title else "untitled"


def figure_html(fig: go.Figure | Mapping[str, Any], *, div_id: str | None = None) -> str:
    """HTML fragment that draws `fig` with the page's global ``Plotly`` (no plotly.js included).

    The div id is a hash of the figure plus a per-process counter, so re-executing a notebook
    gives the same output and two displays of one figure on a page do not collide.  If
    ``Plotly`` is missing (e.g. JupyterLab chose ``text/html``), the div says so instead of
    staying blank.
    """
    fig = _as_figure(fig)
    payload = _figure_json(fig)
    if div_id is None:
        digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]
        div_id = f"signin-lite-plot-{digest}-{next(_div_counter)}"
    prov = provenance_of(fig)
    prov_attr = f' data-provenance="{html.escape(prov)}"' if prov else ""
    return (
        f'<div id="{div_id}" class="{DIV_CLASS}"{prov_attr} '
        f'style="height:{_height_px(fig)}px; width:100%;"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f'  var el = document.getElementById("{div_id}");\n'
        "  if (!el) { return; }\n"
        "  if (!window.Plotly) {\n"
        '    el.textContent = "plotly.js is not loaded on this page (open the notebook in JupyterLab '
        'or read the built book)";\n'
        "    return;\n"
        "  }\n"
        f"  var fig = {payload};\n"
        f"  var config = {json.dumps(HTML_CONFIG)};\n"
        "  Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {\n"
        "    if (fig.frames) { return Plotly.addFrames(el, fig.frames); }\n"
        "  });\n"
        "})();\n"
        "</script>"
    )


def mimebundle(fig: go.Figure | Mapping[str, Any]) -> dict[str, Any]:
    """The output bundle `show` displays: plotly json + offline-ready html + plain text.

    The plotly JSON (what JupyterLab draws) has an explicit layout height and no ``responsive``
    config, so it keeps its size after a slider step or a window resize; the HTML part (what the
    book draws) stays responsive inside a div of fixed height.
    """
    fig = _as_figure(fig)
    fig_dict = json.loads(pio.to_json(fig, validate=False, remove_uids=True))
    fig_dict.setdefault("layout", {})["height"] = _height_px(fig)
    fig_dict["config"] = dict(CONFIG)
    return {
        PLOTLY_MIME: fig_dict,
        "text/html": figure_html(fig),
        "text/plain": f"<plotly figure: {_title(fig)}>",
    }


def show(fig: go.Figure | Mapping[str, Any]) -> None:
    """Display `fig` so that it works in JupyterLab and in the executed, built book offline."""
    from IPython.display import display  # deferred: IPython only inside a notebook

    display(mimebundle(fig), raw=True)


def epoch_ticks(fig: go.Figure, last_epoch: float, **selector: Any) -> go.Figure:
    """Ticks at whole epochs on the x axes (``selector``: as for ``update_xaxes``) of a short run, where plotly would
    also label 1.5; a run of more than 12 epochs keeps plotly's own ticks."""
    if last_epoch <= 12:
        fig.update_xaxes(tick0=0, dtick=1, **selector)
    return fig


def showing(build: Callable[..., go.Figure | Sequence[go.Figure]]) -> Callable[..., None]:
    """``build`` made into a function that shows what it returns (a figure or several): a widget callback without a
    lambda in the notebook. It keeps ``build``'s signature, from which ``ipywidgets.interact`` makes its controls::

        widgets.interact(showing(figures.mask_density), model=widgets.fixed(net), sparsity=slider, ...)
    """

    @wraps(build)
    def build_and_show(*args: Any, **kwargs: Any) -> None:
        built = build(*args, **kwargs)
        for fig in built if isinstance(built, (list, tuple)) else [built]:
            show(fig)

    return build_and_show


class _SigninLiteRenderer(MimetypeRenderer):
    """``fig.show(renderer="signin_lite")`` == ``show(fig)``."""

    def to_mimebundle(self, fig_dict):  # noqa: D102 - plotly's renderer protocol
        return mimebundle(fig_dict)


pio.renderers["signin_lite"] = _SigninLiteRenderer()




def label(
    fig: go.Figure,
    text: str | None = None,
    *,
    record: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
) -> go.Figure:
    """Put a small grey provenance caption under the plot area and return `fig`.

    Give `text`, or `record` (one run record or a list), or both (the text comes first).
    The caption is also stored as ``fig.layout.meta["provenance"]`` so checks can find it,
    and `figure_html` copies it into the div's ``data-provenance`` attribute.
    """
    pieces = [p for p in (text, records.provenance(record) if record is not None else None) if p]
    if not pieces:
        raise ValueError("label() needs text or a run record")
    caption = " · ".join(pieces)
    lines = textwrap.wrap(caption, CAPTION_WIDTH, break_long_words=False, break_on_hyphens=False) or [caption]

    margin_b = fig.layout.margin.b if fig.layout.margin.b is not None else 80  # plotly's default
    offset = max(margin_b, _slider_room(fig), _legend_room(fig))  # below the axis title, sliders and legend
    fig.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in lines),
        xref="paper", yref="paper", x=0, y=0,
        xanchor="left", yanchor="top", yshift=-offset,
        showarrow=False, align="left",
        font={"size": 10, "color": "#666666"},
        name="provenance",
    )
    new_b = offset + CAPTION_LINE * len(lines) + 16
    # the plot area keeps its size: the figure grows by the margin the caption adds
    fig.update_layout(margin={"b": new_b}, height=_height_px(fig) + new_b - margin_b)
    meta = fig.layout.meta
    meta = dict(meta) if isinstance(meta, Mapping) else ({} if meta is None else {"meta": meta})
    meta["provenance"] = caption
    fig.update_layout(meta=meta)
    return fig


def _slider_room(fig: go.Figure) -> int:
    """Pixels below the plot area that the figure's plotly sliders take (0 without sliders)."""
    return max((int(sl.pad.t or 0) + SLIDER_ROOM for sl in fig.layout.sliders or ()), default=0)


def _legend_room(fig: go.Figure) -> int:
    """Pixels below the plot area that a horizontal legend placed under it takes (an estimate; 0 otherwise)."""
    legend = fig.layout.legend
    y = -0.1 if legend.y is None else legend.y  # plotly puts a horizontal legend at y = -0.1 by default
    if legend.orientation != "h" or y >= 0:
        return 0
    widths = [40 + 7 * len(t.name) for t in fig.data if t.name and t.showlegend is not False]
    # plotly keeps a legend that fits in one row; otherwise it lays the entries out in columns of the widest one
    columns = len(widths) if sum(widths) <= LEGEND_WIDTH else max(1, LEGEND_WIDTH // max(widths))
    rows = max(1, math.ceil(len(widths) / max(columns, 1)))
    margin = fig.layout.margin
    plot_height = _height_px(fig) - (100 if margin.t is None else margin.t) - (80 if margin.b is None else margin.b)
    return int(-y * plot_height) + rows * LEGEND_ROW + 10


def provenance_of(fig: go.Figure | Mapping[str, Any]) -> str | None:
    """The caption `label` attached to `fig`, or None."""
    meta = _as_figure(fig).layout.meta
    return meta.get("provenance") if isinstance(meta, Mapping) else None


# --------------------------------------------------------------------------- sliders
def slider_figure(
    steps: Mapping[Any, go.Figure | Any | Sequence[Any]],
    *,
    name: str = "",
    active: Any = None,
    titles: Mapping[Any, str] | None = None,
    layout: Mapping[str, Any] | None = None,
) -> go.Figure:
    """One figure whose slider switches between precomputed results.

    `steps` maps each slider value (e.g. sparsity 0.8, 0.9, 0.95) to what to draw for it:
    a trace, a list of traces, or a Figure (its traces are used).  `active` is the value shown
    first (default: the first key).  `titles` optionally gives a figure title per value.
    The slider is plain plotly.js, so it keeps working in the static, offline book.
    """
    if not steps:
        raise ValueError("slider_figure() needs at least one step")
    keys = list(steps)
    if active is None:
        active = keys[0]
    if active not in steps:
        raise ValueError(f"active={active!r} is not a step; steps are {keys!r}")

    fig = go.Figure(layout=layout)
    owner: list[int] = []  # step index of each trace
    for i, key in enumerate(keys):
        item = steps[key]
        traces = list(item.data) if isinstance(item, go.Figure) else (
            list(item) if isinstance(item, (list, tuple)) else [item])
        for trace in traces:
            fig.add_trace(trace)
            owner.append(i)

    active_i = keys.index(active)
    for trace, i in zip(fig.data, owner, strict=True):
        trace.visible = i == active_i

    slider_steps = []
    for i, key in enumerate(keys):
        args: list[dict[str, Any]] = [{"visible": [o == i for o in owner]}]
        if titles is not None and key in titles:
            args.append({"title.text": titles[key]})
        slider_steps.append({"method": "update", "label": str(key), "args": args})
    if titles is not None and active in titles:
        fig.update_layout(title_text=titles[active])
    fig.update_layout(sliders=[{
        "active": active_i,
        "currentvalue": {"prefix": f"{name}: " if name else ""},
        "pad": {"t": 50},
        "steps": slider_steps,
    }])
    return fig


# --------------------------------------------------------------------------- standalone pages
_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP",
       "Yu Gothic", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
.signin-lite-figure { margin: 1.5em 0; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
"""


def standalone_html(
    figs_or_html: go.Figure | str | Iterable[go.Figure | Mapping[str, Any] | str],
    title: str,
    *,
    lang: str = "en",
) -> str:
    """A complete HTML page with plotly.js inlined: opens and renders with no network.

    `figs_or_html` is one figure, one HTML fragment, or a list mixing both; strings are
    inserted as they are (escape your own text).  Roughly 4.8 MB, mostly plotly.js.
    """
    if isinstance(figs_or_html, (go.Figure, str, Mapping)):
        items: list[Any] = [figs_or_html]
    else:
        items = list(figs_or_html)
    body = []
    for item in items:
        if isinstance(item, str):
            body.append(item)
        else:
            body.append(f'<div class="signin-lite-figure">\n{figure_html(item)}\n</div>')
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n"
        f'<script type="text/javascript">\n{_plotlyjs()}\n</script>\n'
        "</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
