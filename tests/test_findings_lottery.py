"""Chapter 2's "What we found" values (signin_lite.views.findings.lottery) from the committed CPU reference records:
pinned, so that a changed record is noticed, complete for the notebook's prose, and checked against the records they
explain (the training budgets behind the tickets' lead over the dense run)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.evidence import records
from signin_lite.views.findings import lottery

ROOT = Path(__file__).resolve().parents[1]
LOTTERY, RUNS = ROOT / "results" / "cpu" / "lottery", ROOT / "results" / "cpu" / "runs"
NOTEBOOK = ROOT / "notebooks" / "02_lottery_tickets.ipynb"
GLUE = re.compile(r"\{glue:text\}`([^`:]+)")
NO_INTERVAL = "too few seeds to tell"

PINNED = {
    "ch2_sparsity": "90%", "ch2_dense": "61.30", "ch2_lrr": "69.05", "ch2_imp": "67.95", "ch2_pai": "58.05",
    "ch2_pai_n": "3", "ch2_pai_std": "0.61", "ch2_signs": "67.85", "ch2_magnitudes": "55.05", "ch2_mask": "57.35",
    "ch2_train": "5000", "ch2_signs_closed": "90", "ch2_magnitudes_closed": "\u221220",
    "ch2_lrr_vs_dense": "+7.75 pp (no interval: n=1)", "ch2_imp_vs_dense": "+6.65 pp (no interval: n=1)",
    "ch2_lrr_vs_pai": "+11.00 pp (no interval: n=1)", "ch2_lrr_vs_mask": "+11.70 pp (no interval: n=1)",
    "ch2_dense_epochs": "12", "ch2_round_epochs": "12", "ch2_rounds": "3", "ch2_total_epochs": "48",
    "ch2_total_ratio": "4", "ch2_rewind_epoch": "1", "ch2_imp_weight_epochs": "13",
    "ch2_dense_train": "66.9", "ch2_lrr_train": "85.3",
    "ch2_dense_long_epochs": "24", "ch2_dense_long": "67.35", "ch2_dense_long_gain": "+6.05 pp (no interval: n=1)",
    "ch2_lrr_vs_pai_points": "11.00", "ch2_lrr_vs_dense_points": "7.75", "ch2_imp_vs_dense_points": "6.65",
    "ch2_dense_long_points": "6.05",
}


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return lottery.values(LOTTERY, RUNS)


def test_values_are_pinned(values):
    assert {k: values[k] for k in PINNED} == PINNED
    readings = {k: v for k, v in values.items() if k.endswith("_reading")}
    assert len(readings) == 6 and set(readings.values()) == {NO_INTERVAL}  # one seed per ticket


def test_every_glued_key_of_the_notebook_is_returned(values):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    used = {k for c in nb.cells if c.cell_type == "markdown" for k in GLUE.findall(c.source)}
    assert used, "chapter 2 glues nothing"
    assert used <= set(values), sorted(used - set(values))
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"
             and (c.source.startswith("## What we found") or "Why are the tickets" in c.source)]
    assert len(prose) == 2
    assert not any(re.search(r"\d+\.\d", GLUE.sub("", p)) for p in prose), "a typed number in the prose"


def test_the_explanation_of_the_tickets_lead_matches_the_records():
    """What the chapter says about why the tickets end above dense: every round trains the full schedule again,
    IMP rewinds to the dense run's early weights, and the dense run gains from a longer schedule."""
    found = records.load_records(LOTTERY)
    dense_name = {r["lottery"]["dense_run"] for r in found if "lottery" in r}
    assert len(dense_name) == 1
    dense = next(r for r in records.load_records(RUNS) if r["name"] in dense_name)
    rounds = [r for r in found if "lottery" in r]
    assert {r["config"]["epochs"] for r in rounds} == {dense["config"]["epochs"]}
    assert {r["lottery"]["rewind"] for r in rounds if r["method"] == "imp"} == {"weight"}
    assert {r["lottery"]["rewind"] for r in rounds if r["method"] == "lrr"} == {"lr"}
    assert dense["final"]["train_acc"] < min(r["final"]["train_acc"] for r in rounds)


def test_tables_and_lines_come_from_the_reference_only():
    at = lottery.at_sparsity(LOTTERY, RUNS)
    rows = lottery.accuracy_rows(at)
    assert [r["method"] for r in rows][:3] == ["dense", "LRR ticket", "IMP ticket"] and len(rows) == 7
    assert all(len(r) <= 6 for r in rows)
    lines = lottery.sign_lines(LOTTERY, RUNS)
    assert lines[0] == "LRR ticket minus the mask-only start: +11.70 pp (no interval: n=1)"
    assert "closes 90% of that gap" in lines[1]
    assert lines[2] == "ticket mask + magnitudes: 55.05%, falls 2.30 points below the mask alone"  # not "closes -20%"


def test_missing_records_say_so(tmp_path):
    assert lottery.at_sparsity(tmp_path, RUNS) == []
    with pytest.raises(ValueError, match="no lottery records"):
        lottery.values(tmp_path, RUNS)
