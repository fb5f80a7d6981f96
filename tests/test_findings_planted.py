"""Chapter 3½'s "What we found": the values glued from the planted ticket's committed reference record (Holm
readings, the unadjusted ones beside), pinned so that a changed record is noticed; every {glue:text} key the chapter
uses is returned by values(); the small table answers one question in at most six columns."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.experiments import planted
from signin_lite.views.findings import planted as planted_findings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "035_planted_ticket.ipynb"


@pytest.fixture(scope="module")
def ref() -> dict:
    return planted.reference(str(ROOT / "results" / "planted"), profile="cpu")


def glue_keys(path: Path) -> set[str]:
    cells = nbformat.read(path, as_version=4).cells
    return {k for c in cells if c.cell_type == "markdown" for k in re.findall(r"\{glue:text\}`([^`]+)`", c.source)}


def test_values_are_pinned_to_the_reference_record(ref):
    v = planted_findings.values(ref)
    assert {k: v[k] for k in ("ch35_seeds", "ch35_wd", "ch35_wd_usual", "ch35_wd_ratio", "ch35_family",
                              "ch35_start_signs", "ch35_pai_signs", "ch35_transplant_signs", "ch35_transplant_lost",
                              "ch35_pai_loss", "ch35_transplant_loss", "ch35_loss_ratio")} == {
        "ch35_seeds": "30", "ch35_wd": "0.005", "ch35_wd_usual": "0.0005", "ch35_wd_ratio": "10",
        "ch35_family": "17", "ch35_start_signs": "50.1", "ch35_pai_signs": "52.4", "ch35_transplant_signs": "94.3",
        "ch35_transplant_lost": "5.7", "ch35_pai_loss": "0.171", "ch35_transplant_loss": "0.065",
        "ch35_loss_ratio": "2.6"}
    assert v["ch35_pai_gain"] == "+2.3 pp [+1.5, +3.1]" and v["ch35_pai_gain_reading"] == "a clear gain"
    assert v["ch35_transplant_loss_diff"] == "\u22120.106 [\u22120.121, \u22120.090]"
    assert v["ch35_transplant_loss_diff_reading"] == "a clear gain"  # a lower loss is the gain
    assert v["ch35_signin_signs_diff"] == "+0.1 pp [\u22120.3, +0.6]"
    assert v["ch35_signin_signs_diff_reading"] == v["ch35_betaout_signs_diff_reading"] == "no clear difference"
    assert v["ch35_signin_loss_diff_reading"] == "a clear loss"
    assert v["ch35_signin_ctrl_loss_reading"] == "no clear difference"
    assert v["ch35_betaout_ctrl_loss_reading"] == "a clear gain"
    # the one reading Holm changes: beta_out - PaI on the test loss
    assert v["ch35_betaout_loss_diff_raw"] == "a clear gain"
    assert v["ch35_betaout_loss_diff_reading"].startswith("borderline")


def test_every_glued_key_of_the_chapter_is_a_value(ref):
    used = glue_keys(NOTEBOOK)
    assert used, "the chapter glues no values"
    usual = planted.reference(str(ROOT / "results" / "planted"), profile="usual")
    given = set(planted_findings.values(ref)) | set(planted_findings.values_usual(usual))
    assert used <= given, sorted(used - given)
    sections = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown"]
    found = next(i for i, s in enumerate(sections) if "## What we found" in s)
    assert sections[found + 1].lstrip().startswith("## Exercises")


def test_the_chapter_keeps_the_issue_21_wording(ref):
    text = " ".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    assert "fit the teacher well with other signs" not in text
    assert "ch35_pai_gain" in text and "ch35_wd" in text and "ch35_loss_ratio" in text
    assert "{ref}`chapter 3, section 4 <toy-signin-beta>`" in text and "(planted-arms)=" in text
    assert "{ref}`glossary-beta`" in text and "(glossary-beta)=" in (ROOT / "book" / "glossary.md").read_text()


def test_the_small_table_answers_one_question(ref):
    rows = planted_findings.versus_pai_rows(ref)
    assert [r["arm − PaI"] for r in rows] == [planted.LABELS[a] for a in planted_findings.VERSUS_PAI]
    assert all(len(r) <= 6 for r in rows)
    beta_out = rows[2]
    assert beta_out["loss: reading (a gain is a lower loss)"] == (
        "borderline (not clear after adjusting); unadjusted: a clear gain")
    detail = planted_findings.comparison_rows(ref)
    assert len(detail) == len(planted.adjusted(ref)) == 17 and all(len(r) <= 6 for r in detail)
    arms = planted_findings.arm_rows(ref)
    assert [r["arm"] for r in arms] == [planted.LABELS[a] for a in ref["config"]["arms"]]


def test_same_seeds_and_difference_rows_on_a_rerun(ref):
    rerun = {**ref, "config": {**ref["config"], "arms": ["pai"]},
             "runs": [{**r, "test_loss": r["test_loss"] + 0.5} for r in ref["runs"] if r["arm"] == "pai"][:2]}
    [row] = planted_findings.same_seeds(rerun, ref)
    assert row["seeds compared"] == 2 and row["largest difference in test loss"] == "0.5"
    assert row["largest difference in teacher's signs (pp)"] == "0.00"
    rows = planted_findings.difference_rows({"record": ref}, "transplant", "pai")
    assert [r["metric"] for r in rows] == ["teacher's signs (pp)", "test loss"]
    assert rows[0]["reading (alone)"] == "a clear gain" and rows[1]["reading (alone)"] == "a clear gain"


def test_the_usual_decay_record_is_read_beside_the_first():
    """Issue 21's sharpened record: at the usual decay the transplant keeps more of its signs, no student finds
    them, Sign-In's lower loss is not told apart from the matching control's, and beta_out adds nothing to its
    larger output step."""
    usual = planted.reference(str(ROOT / "results" / "planted"), profile="usual")
    v = planted_findings.values_usual(usual)
    assert (v["ch35u_wd"], v["ch35u_family"], v["ch35u_transplant_signs"], v["ch35u_loss_ratio"]) == \
        ("0.0005", "21", "98.4", "6.5")
    assert v["ch35u_signin_signs_diff_reading"] == v["ch35u_betaout_signs_diff_reading"] == "no clear difference"
    assert v["ch35u_signin_loss_diff_reading"] == "a clear gain"
    assert v["ch35u_signin_ctrl_loss_reading"] == v["ch35u_betaout_step_loss_reading"] == "no clear difference"

