"""Chapter 7's figures (views/reference_figures) and the small tables of chapters 5 and 7 (views/reference_tables)
on hand-made records and on the committed ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordkit import make_record, rid

from signin_lite.evidence import arms, paper, records, summary
from signin_lite.views import reference_figures, reference_tables
from signin_lite.experiments import regime_test

ROOT = Path(__file__).resolve().parents[1]
ARMS = ("pai", "pai_signin", "pai_wd2x_masked", "pai_signin_noreset")


def _records() -> list[dict]:
    """Four arms at 90% sparsity over three seeds, and dense."""
    recs = [make_record("dense", s, 0.62 + 0.01 * s, 10.0, mask=None, sparsity=0.0) for s in range(2)]
    for i, m in enumerate(ARMS):
        recs += [make_record(m, s, 0.55 + 0.004 * i + 0.01 * s, 10.0, run_id=rid(m, s, "arm")) for s in range(3)]
    return recs


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return summary.summary_table(_records())


def test_accuracy_panel_puts_arms_side_by_side_and_the_paper_in_its_own_panel(rows):
    fig = reference_figures.accuracy_panel(rows, "t", _records())
    ours = [t for t in fig.data if t.xaxis in (None, "x") and t.showlegend is not False]
    assert len({t.x[0] for t in ours}) == len(ARMS)   # no two arms at one x
    assert all(abs(t.x[0] - 0.9) < 0.05 for t in ours)
    dots = [t for t in fig.data if t.showlegend is False]
    assert sum(len(t.y) for t in dots) == 3 * len(ARMS)   # every seed drawn
    reported = [t for t in fig.data if t.xaxis == "x2"]
    assert [list(t.y) for t in reported] == [[paper.PAPER["test_acc"][s][m] for s in sorted(paper.PAPER["test_acc"])]
                                             for m in ("pai", "pai_signin")]
    assert fig.layout.legend.y < 0 and fig.layout.legend.orientation == "h"
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert len(names) == len(set(names))
    assert fig.layout.yaxis.title.text and fig.layout.yaxis2.title.text and fig.layout.title.text == "t"
    assert len(reference_figures.accuracy_panel(rows, "t", paper=False).data) == len(ARMS)
    with pytest.raises(ValueError, match="sparse"):
        reference_figures.accuracy_panel([r for r in rows if r["method"] == "dense"], "t")


def _gain(method: str, sparsity: float, gain: float, half: float | None) -> dict:
    return {"method": method, "sparsity": sparsity, "gain": gain, "gain_vs": "pai",
            "gain_ci_low": None if half is None else gain - half, "gain_ci_high": None if half is None else gain + half}


def test_gain_panel_keeps_the_papers_marks_from_widening_our_axis():
    small = [_gain("pai_signin", 0.9, 0.1, 0.2), _gain("pai_wd2x", 0.9, 0.0, None)]
    fig = reference_figures.gain_panel(small, "g")
    low, high = fig.layout.yaxis.range
    assert high < paper.gain(0.9)   # the reported +1.58 would widen it
    star = next(t for t in fig.data if "paper" in t.name)
    assert len(star.x) == 0 and any("paper" in a.text for a in fig.layout.annotations)
    xs = [t.x[0] for t in fig.data if len(t.x)]
    assert len(set(xs)) == 2 and fig.data[1].marker.symbol[0] == "circle-open"
    wide = reference_figures.gain_panel([_gain("pai_signin", 0.9, 0.5, 2.0)], "g")
    assert len(next(t for t in wide.data if "paper" in t.name).y) == 1
    assert wide.layout.legend.y < 0
    with pytest.raises(ValueError):
        reference_figures.gain_panel([], "g")


def test_tables_answer_one_question_in_at_most_six_columns(rows):
    acc = reference_tables.accuracy_table(rows)
    assert acc[0]["method"] == "dense" and list(acc[0]) == ["method", "dense (0%)", "90%"]
    assert acc[1]["90%"].endswith("(n=3)") and "±" in acc[1]["90%"]
    gains = reference_tables.gain_table(rows)
    assert [g["comparison"] for g in gains][0] == "PaI + Sign-In − PaI"
    assert all(len(t) <= 6 for t in acc + gains)
    assert all(g["reading"] in ("no clear difference", "a clear gain", "a clear loss",
                                "borderline (not clear after adjusting)") for g in gains)
    assert "Holm p" not in reference_tables.gain_table(rows, holm=False)[0]


def test_headroom_table_gives_the_share_of_the_room():
    room = [{"profile": "cpu", "mask": "erk", "epochs": 12, "sparsity": 0.95, "treatment": "pai_signin",
             "baseline": "pai", "headroom": 6.0, "treatment_gain": 0.6}]
    (row,) = reference_tables.headroom_table(room)
    assert row == {"setting": "erk mask, 12 epochs", "sparsity": "95%", "room: dense − PaI (pp)": "+6.00",
                   "Sign-In − PaI (pp) [95% CI]": "+0.60", "share of the room": "10%"}


def test_the_committed_records_in_small_tables():
    recs, _ = regime_test.hold_back(records.load_records(ROOT / "results"))  # as chapter 7 reads them
    (test,) = [t for t in arms.four_arm_tests(recs) if t.config["profile"] == "cpu"]
    table = reference_tables.arm_table(test)
    assert len(table) == 4 and all(len(r) <= 6 for r in table)
    assert table[0]["reading"].startswith("borderline") and table[0]["without Holm"] == "a clear gain"
    tuning = reference_tables.tuning_table(summary.tuning_table(recs, 0.9, 0, profile="cpu"))
    assert [r["chosen"] for r in tuning] == ["", "yes", ""] and {r["period p (epochs)"] for r in tuning} == {"1"}
    folders = {r["folder"] for r in reference_tables.folder_table(recs, ROOT / "results")}
    assert "results/cpu/runs" in folders and "results/cpu_signin/runs" in folders
