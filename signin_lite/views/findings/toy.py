"""Chapter 3's findings: what the toy's committed phase-diagram record says about the theory's predicted borders.

The record (``results/toy/toy_phase_diagram.json``, :func:`signin_lite.experiments.toy.phase_record`) trains every
start (a0, w0) of a grid under plain GD, Sign-In with beta_a > beta_w, and Sign-In with equal betas. The theory of
the chapter predicts, without fitting, which starts recover: w0 > 0 and (a0 > 0 or |a0| < critical_a0(w0)).
:func:`agreement` counts, per panel, the recovered starts and those that disagree with the prediction off its
border; :func:`values` words them for the chapter's "What we found"::

    rec = toy_findings.load("../results/toy/toy_phase_diagram.json")
    findings.glue_all(toy_findings.values(rec))
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from signin_lite.evidence import records
from signin_lite.experiments import toy

__all__ = ["PANELS", "agreement", "diagrams", "load", "panel_betas", "values"]

PANELS = {"gd": "plain GD", "signin": "Sign-In, βa > βw", "signin_equal_beta": "Sign-In, βa = βw"}
REFERENCE = "results/toy/toy_phase_diagram.json"


def load(path: str = REFERENCE) -> dict:
    """The toy's reference record (schema ``signin_lite.toy/1``)."""
    return records.load_records(path, schema="signin_lite.toy/1")[0]


def panel_betas(record: Mapping) -> dict[str, tuple[float | None, float | None]]:
    """Per panel title, (beta_a, beta_w) of its setting; (None, None) for plain GD."""
    return {PANELS[k]: (d["settings"].get("beta_a"), d["settings"].get("beta_w"))
            for k, d in record["diagrams"].items()}


def diagrams(record: Mapping) -> dict[str, list]:
    """Per panel title, the recovered grid [i_a][i_w] (what :func:`signin_lite.views.toy_figures.phase_figure`
    draws)."""
    return {PANELS[k]: d["recovered"] for k, d in record["diagrams"].items()}


def agreement(record: Mapping) -> list[dict]:
    """Per panel (each has grid² starts): starts recovered, starts in the quadrant a0 < 0 < w0 and how many of them
    recovered, recovered starts with w0 <= 0, and the starts off the predicted border whose outcome disagrees with
    the prediction (starts exactly on the border are left out: the border is where the outcome flips)."""
    c, betas = record["config"], panel_betas(record)
    a, w = torch.meshgrid(torch.tensor(c["a0_values"]), torch.tensor(c["w0_values"]), indexing="ij")
    quadrant = (a < 0) & (w > 0)
    rows = []
    for key, d in record["diagrams"].items():
        got = torch.tensor(d["recovered"]).bool()
        crit = toy.critical_a0(w, *betas[PANELS[key]])
        predicted = (w > 0) & ((a > 0) | (a.abs() < crit))
        border = quadrant & ((a.abs() - crit).abs() < 1e-9)
        rows.append({"panel": PANELS[key], "recovered": int(got.sum()),
                     "starts with a0 < 0 < w0": int(quadrant.sum()), "of them recovered": int((got & quadrant).sum()),
                     "recovered with w0 ≤ 0": int((got & (w <= 0)).sum()),
                     "disagreeing off the border": int(((predicted != got) & ~border).sum())})
    return rows


def values(record: Mapping) -> dict[str, str]:
    """Every number chapter 3's "What we found" uses, keyed ``ch3_*``: the grid, the settings, the recovered
    starts in the quadrant a0 < 0 < w0 per panel, and the disagreements with the prediction over all panels."""
    c = record["config"]
    rows = {r["panel"]: r for r in agreement(record)}
    gd, signin, equal = (rows[PANELS[k]] for k in ("gd", "signin", "signin_equal_beta"))
    return {
        "ch3_grid": f"{c['grid']}×{c['grid']}",
        "ch3_steps": f"{c['steps']:,}",
        "ch3_beta_a": f"{c['beta_a']:g}",
        "ch3_beta_w": f"{c['beta_w']:g}",
        "ch3_quadrant_starts": str(gd["starts with a0 < 0 < w0"]),
        "ch3_gd_quadrant": str(gd["of them recovered"]),
        "ch3_signin_quadrant": str(signin["of them recovered"]),
        "ch3_equal_quadrant": str(equal["of them recovered"]),
        "ch3_disagree": str(sum(r["disagreeing off the border"] for r in rows.values())),
        "ch3_all_starts": f"{len(rows) * c['grid'] ** 2:,}",
        "ch3_lower_recovered": str(sum(r["recovered with w0 ≤ 0"] for r in rows.values())),
    }
