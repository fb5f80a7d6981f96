"""Chapter 3's "What we found": the values glued from the toy's committed reference record, pinned so that a changed
record is noticed, and every {glue:text} key the chapter uses is one that values() returns."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.views.findings import toy as toy_findings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_toy_sign_dynamics.ipynb"


@pytest.fixture(scope="module")
def record() -> dict:
    return toy_findings.load(str(ROOT / toy_findings.REFERENCE))


def glue_keys(path: Path) -> set[str]:
    """Every ``{glue:text}`key``` in the notebook's Markdown."""
    cells = nbformat.read(path, as_version=4).cells
    return {k for c in cells if c.cell_type == "markdown" for k in re.findall(r"\{glue:text\}`([^`]+)`", c.source)}


def test_values_are_pinned_to_the_reference_record(record):
    assert toy_findings.values(record) == {
        "ch3_grid": "25×25", "ch3_steps": "4,000", "ch3_beta_a": "4", "ch3_beta_w": "0.1",
        "ch3_quadrant_starts": "144", "ch3_gd_quadrant": "66", "ch3_signin_quadrant": "127",
        "ch3_equal_quadrant": "66", "ch3_disagree": "0", "ch3_all_starts": "1,875", "ch3_lower_recovered": "0"}


def test_every_glued_key_of_the_chapter_is_a_value(record):
    used = glue_keys(NOTEBOOK)
    assert used, "the chapter glues no values"
    assert used <= set(toy_findings.values(record)), sorted(used - set(toy_findings.values(record)))
    sections = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown"]
    found = next(i for i, s in enumerate(sections) if "## What we found" in s)
    assert sections[found + 1].lstrip().startswith("## Exercises")


def test_agreement_counts_what_the_theory_predicts(record):
    rows = {r["panel"]: r for r in toy_findings.agreement(record)}
    assert list(rows) == list(toy_findings.PANELS.values())
    assert all(len(r) <= 6 for r in rows.values())  # a small table
    gd, signin = rows["plain GD"], rows["Sign-In, βa > βw"]
    # plain GD recovers exactly the starts above the diagonal in the quadrant: 12 rows of w0 > 0, 12 columns a0 < 0
    assert gd["starts with a0 < 0 < w0"] == 144 and gd["of them recovered"] == 12 * 11 // 2
    assert signin["of them recovered"] > gd["of them recovered"]


def test_agreement_finds_a_start_that_contradicts_the_prediction(record):
    changed = {**record, "diagrams": {k: {**d, "recovered": [row[:] for row in d["recovered"]]}
                                      for k, d in record["diagrams"].items()}}
    changed["diagrams"]["gd"]["recovered"][0][0] = 1  # a0 = w0 = -1.5 recovered: the theory says never
    rows = {r["panel"]: r for r in toy_findings.agreement(changed)}
    assert rows["plain GD"]["disagreeing off the border"] == 1 and rows["plain GD"]["recovered with w0 ≤ 0"] == 1
    assert toy_findings.values(changed)["ch3_disagree"] == "1"
