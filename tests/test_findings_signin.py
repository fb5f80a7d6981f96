"""Chapter 4's "What we found" values: pinned to the committed records (a changed record is noticed here), and every
``{glue:text}`` key the chapter uses is one that :func:`signin_lite.views.findings.signin.values` returns."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.views.findings import signin

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_signin_cifar10.ipynb"
GLUE = re.compile(r"\{glue:text\}`([^`]+)`")


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return signin.values()


def test_the_four_arm_test_reads_as_declared(values):
    # results/cpu_signin/runs: issue 11's CPU test, six paired seeds
    assert values["ch4_n_seeds"] == "6" and values["ch4_beta"] == "1"
    assert values["ch4_h1"] == "+0.50 pp [+0.00, +0.99]"
    assert values["ch4_h1_reading"].startswith("borderline") and values["ch4_h1_reading_unadjusted"] == "a clear gain"
    assert values["ch4_h2"] == "+0.27 pp [\u22120.63, +1.17]" and values["ch4_h2_reading"] == "no clear difference"
    assert values["ch4_h3"] == "+1.00 pp [+0.44, +1.55]" and values["ch4_h3_reading"] == "a clear gain"
    assert values["ch4_h3_declared"].startswith("not supported as declared")
    assert "resets near no-ops" in values["ch4_h3_declared"] and "step size" in values["ch4_h3_declared"]


def test_the_drift_explains_h3(values):
    assert values["ch4_reset_low"] == "0.95" and values["ch4_noreset_low"] == "0.64"
    assert values["ch4_mult_noreset"] == "0.69" and values["ch4_step_smaller"] == "32%"
    assert (values["ch4_mult_signin_low"], values["ch4_mult_signin_high"]) == ("1.01", "1.02")


def test_the_reference_flips_and_the_second_test(values):
    assert (values["ch4_flips_pai"], values["ch4_flips_signin"]) == ("13,355", "14,024")
    assert (values["ch4_flips_more_low"], values["ch4_flips_more_high"], values["ch4_flips_seeds"]) == ("5%", "7%", "3")
    assert values["ch4_ref_aligned"] == "0 of 43"
    assert re.fullmatch(r"\d+ of 60 runs", values["ch4_regime_runs"])  # grows while issue 21's sweep runs
    assert (values["ch4_regime_beta"], values["ch4_regime_beta_output"]) == ("0.1", "1")
    assert values["ch4_paper_gain"] == "+1.58 pp"


def test_the_second_test_is_counted_from_its_folder(tmp_path):
    assert signin.values(regime=tmp_path / "absent")["ch4_regime_runs"] == "0 of 60 runs"


def test_every_glued_key_of_the_chapter_is_a_value(values):
    used = {key for cell in nbformat.read(NOTEBOOK, as_version=4).cells if cell.cell_type == "markdown"
            for key in GLUE.findall(cell.source)}
    assert used, "chapter 4 glues no value"
    assert not used - set(values), f"glued but not returned by values(): {sorted(used - set(values))}"
    assert all(key.startswith("ch4_") for key in values)


def test_what_we_found_sits_before_the_exercises_and_glues_its_judgements():
    cells = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown"]
    found = next(i for i, s in enumerate(cells) if "## What we found" in s)
    assert cells[found + 1].lstrip().startswith("## Exercises")
    text = cells[found]
    for typed in ("borderline", "no clear difference", "a clear gain", "+0.50", "13,355"):
        assert typed not in text, f"{typed!r} typed into 'What we found' instead of glued"
    assert {"ch4_h1_reading", "ch4_h2_reading", "ch4_h3_declared", "ch4_rg_status"} <= set(GLUE.findall(text))
