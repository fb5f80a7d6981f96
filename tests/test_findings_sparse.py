"""Chapter 1's "What we found" values (signin_lite.views.findings.sparse) from the committed CPU reference records:
pinned, so that a changed record or a changed reading is noticed, and complete for the notebook's prose."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.views.findings import sparse

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "results" / "cpu" / "runs"
NOTEBOOK = ROOT / "notebooks" / "01_sparse_networks.ipynb"
GLUE = re.compile(r"\{glue:text\}`([^`:]+)")

PINNED = {
    "ch1_depth": "20", "ch1_train": "5000", "ch1_epochs": "12", "ch1_seeds": "3", "ch1_dense": "60.75",
    "ch1_n_sparsities": "4", "ch1_clear_from": "95%", "ch1_level": "95%",
    "ch1_pai_80": "59.08", "ch1_gap_80": "\u22121.67 pp [\u22123.66, +0.33]", "ch1_reading_80": "no clear difference",
    "ch1_pai_90": "58.05", "ch1_gap_90": "\u22122.70 pp [\u22124.91, \u22120.49]",
    "ch1_reading_90": "borderline (not clear after adjusting)",
    "ch1_pai_95": "54.75", "ch1_gap_95": "\u22126.00 pp [\u22127.08, \u22124.92]", "ch1_reading_95": "a clear loss",
    "ch1_pai_98": "49.53", "ch1_gap_98": "\u221211.22 pp [\u221212.99, \u22129.44]", "ch1_reading_98": "a clear loss",
    "ch1_sparsity_low": "80%", "ch1_sparsity_high": "98%", "ch1_sparsity": "90%",
    "ch1_params_kept": "10.5", "ch1_flops_kept": "18.6",
}


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return sparse.values(RUNS)


def test_values_are_pinned(values):
    assert {k: values[k] for k in PINNED} == PINNED
    assert values["ch1_gap_low"] == values["ch1_gap_80"] and values["ch1_reading_high"] == values["ch1_reading_98"]
    assert values["ch1_gap_point"] == values["ch1_gap_90"]  # the default point: the chapter's 90%
    assert all(isinstance(v, str) and v for v in values.values())


def test_every_glued_key_of_the_notebook_is_returned(values):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    used = {k for c in nb.cells if c.cell_type == "markdown" for k in GLUE.findall(c.source)}
    assert used, "chapter 1 glues nothing"
    assert used <= set(values), sorted(used - set(values))
    found = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## What we found"))
    assert "ch1_reading_low" in found and "ch1_clear_from" in found
    assert not re.search(r"\d", GLUE.sub("", found)), "a typed number in the prose"


def test_losses_are_one_family_paired_by_seed():
    diffs = sparse.comparisons(sparse.reference(RUNS))
    assert sorted(diffs) == [0.8, 0.9, 0.95, 0.98]
    assert all(d.kind == "paired t" and d.n_treatment == 3 and d.p_adjusted >= d.p for d in diffs.values())
    assert [d.reading() for d in diffs.values()] == ["no clear difference", "borderline", "loss", "loss"]


def test_summary_rows_fit_a_small_table():
    rows = sparse.summary_rows(sparse.reference(RUNS))
    assert [(r["method"], r["sparsity"]) for r in rows] == [("dense", "0%"), ("PaI", "80%"), ("PaI", "90%"),
                                                            ("PaI", "95%"), ("PaI", "98%")]
    assert all(len(r) <= 6 for r in rows) and rows[2]["test acc (%)"] == "58.05 ± 0.61"
    assert rows[0]["FLOPs (effective)"] == "81,102,080"  # thousands separators, as in the live tables


def test_missing_records_say_so(tmp_path):
    with pytest.raises(ValueError, match="no dense or PaI"):
        sparse.values(tmp_path)
