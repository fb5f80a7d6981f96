"""Chapter 7's values (signin_lite.views.findings.reference), pinned to the committed records under results/: the
book-level summary (the four-arm test, the headroom, the tuning) changes only when a record does."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.evidence import records
from signin_lite.views.findings import reference
from signin_lite.experiments import regime_test

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_reference_results.ipynb"
M = "\u2212"


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    kept, _ = regime_test.hold_back(records.load_records(ROOT / "results"))  # as chapter 7 reads them
    return reference.values(kept)


def test_the_four_arm_test_is_borderline_and_matched_by_the_control(values):
    assert {k: values[k] for k in ("ch7_arm_n", "ch7_arm_sparsity", "ch7_arm_mask", "ch7_arm_epochs",
                                   "ch7_arm_train", "ch7_arm_test")} == {
        "ch7_arm_n": "6", "ch7_arm_sparsity": "90", "ch7_arm_mask": "random", "ch7_arm_epochs": "20",
        "ch7_arm_train": "5,000", "ch7_arm_test": "10,000"}
    assert values["ch7_h1"] == "+0.50 pp [+0.00, +0.99]" and values["ch7_h1_p"] == "0.099"
    assert values["ch7_h1_reading"] == "borderline (not clear after adjusting)"
    assert values["ch7_h1_reading_plan"] == "a clear gain"
    assert values["ch7_h2"] == f"+0.27 pp [{M}0.63, +1.17]" and values["ch7_h2_reading"] == "no clear difference"
    assert values["ch7_ctrl"] == f"+0.22 pp [{M}0.47, +0.92]" and values["ch7_ctrl_reading"] == "no clear difference"


def test_h3_is_confounded_with_a_smaller_step(values):
    assert values["ch7_h3"] == "+1.00 pp [+0.44, +1.55]" and values["ch7_h3_reading"] == "a clear gain"
    assert values["ch7_h3_verdict"] == ("not supported as declared: accuracy gap, resets near no-ops, "
                                        "confounded with step size")
    assert values["ch7_h3_step"] == "68" and values["ch7_h3_imbalance"] == "0.95"


def test_the_headroom_and_the_papers_regime(values):
    assert [values[f"ch7_room_{s}"] for s in (80, 90, 95, 98)] == ["1.7", "2.7", "6.0", "11.2"]
    assert values["ch7_room_gain_95"] == f"+0.08 pp [{M}2.78, +2.95]"
    assert values["ch7_room_gain_98"] == f"+0.12 pp [{M}5.64, +5.87]"
    assert {values[f"ch7_room_reading_{s}"] for s in (80, 90, 95, 98)} == {"no clear difference"}
    assert (values["ch7_paper_gain"], values["ch7_paper_epochs"], values["ch7_paper_train"]) == \
        ("+1.58", "160", "50,000")


def test_tuning_varied_beta_only(values):
    assert values["ch7_tune_betas"] == "0.25, 1, 4" and values["ch7_tune_beta"] == "1"
    assert values["ch7_tune_p_note"] == "p was not varied: every candidate used p = 1"
    assert (values["ch7_convergence_seeds"], values["ch7_convergence_n"]) == ("0, 1, 2", "3")


def test_without_records_only_the_papers_values_remain():
    assert set(reference.values([])) == {"ch7_paper_epochs", "ch7_paper_train", "ch7_paper_mask",
                                         "ch7_convergence_seeds", "ch7_convergence_n"}


def test_every_glued_key_of_the_chapter_is_a_value(values):
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    text = "".join(c.source for c in cells if c.cell_type == "markdown")
    used = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert used, "chapter 7 glues nothing"
    from signin_lite.decision import second_test  # the second test's progress, as the executive summaries say it

    given = set(values) | set(second_test.values("en"))
    assert used <= given, sorted(used - given)
    assert "reference.values(" in "".join(c.source for c in cells)
