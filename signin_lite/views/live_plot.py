"""Live training in JupyterLab (chapter 4's controls): a plotly ``FigureWidget`` that a run extends epoch by epoch.

The widget cell needs no lambda: :func:`train_into` is the ``interact_manual`` callback, and ``widgets.fixed``
hands it the figure and the notebook's settings::

    fig = live_plot.run_widget(f"Live run ({PROFILE} profile)")
    display(fig)
    widgets.interact_manual(live_plot.train_into, fig=widgets.fixed(fig), profile=widgets.fixed(PROFILE),
                            seed=widgets.fixed(SEED), work_dir=widgets.fixed(f"{LIVE}/widget"),
                            use_signin=widgets.Checkbox(...), sparsity=widgets.FloatSlider(...), ...)

Every press trains afresh and saves nothing (``results_dir=None``, ``resume=False``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import plotly.graph_objects as go

from signin_lite.foundations import config
from signin_lite.training import train
from signin_lite.views.signin_figures import LIVE_TRACES, live_run_figure

__all__ = ["run_widget", "extend", "train_into"]


def run_widget(title: str) -> go.FigureWidget:
    """:func:`signin_lite.views.signin_figures.live_run_figure` as a widget that can grow while it is shown."""
    return go.FigureWidget(live_run_figure(title))


def extend(fig: go.Figure, metrics: Mapping) -> None:
    """Append one epoch's metrics (``train.train``'s callback argument) to the lines of ``fig``, in percent."""
    for trace, (key, _) in zip(fig.data, LIVE_TRACES, strict=True):
        trace.update(x=(*trace.x, metrics["epoch"]), y=(*trace.y, 100 * metrics[key]))


def train_into(use_signin: bool, sparsity: float, p: float, beta: float, epochs: int, lr: float, *,
               fig: go.Figure, profile: str, seed: int, work_dir: str) -> dict:
    """Train one run of ``profile`` on an ERK mask, drawing each epoch into ``fig`` (emptied first); return its
    final metrics. ``p``: the rescaling period in epochs."""
    for trace in fig.data:
        trace.update(x=[], y=[])
    fig.update_xaxes(range=[0.5, epochs + 0.5], tick0=1, dtick=max(1, round(epochs / 10)))  # whole epochs
    cfg = config.make_config(profile, mask="erk", sparsity=sparsity, signin=use_signin, rescale_every=p, beta=beta,
                             epochs=epochs, lr=lr, seed=seed)
    record = train.train(cfg, results_dir=None, work_dir=work_dir, resume=False, progress=False,
                         callbacks=(partial(extend, fig),))
    return record["final"]
