"""Chapter 5's "What we found" values (signin_lite.views.findings.gmp), pinned to the committed reference records:
a changed record changes a sentence, and this test says which."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from signin_lite.evidence import records
from signin_lite.views.findings import gmp

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_dense_to_sparse.ipynb"


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return gmp.values(records.load_records(ROOT / "results" / "cpu" / "runs"))


def test_values_are_pinned_to_the_committed_records(values):
    assert values == {
        "ch5_epochs": "12", "ch5_sparsity": "90", "ch5_gmp_seeds": "1 seed", "ch5_pai_seeds": "3 seeds",
        "ch5_gmp_weights": "34", "ch5_pai_weights": "10", "ch5_gpu_epochs": "160",
        "ch5_gmp_vs_pai": "\u22121.15 pp (no interval: n=1)", "ch5_gmp_vs_pai_reading": "too few seeds to tell",
        "ch5_gmpsi_vs_gmp": "+0.50 pp (no interval: n=1)", "ch5_gmpsi_vs_gmp_reading": "too few seeds to tell",
        "ch5_signin_vs_pai": "\u22120.12 pp [\u22121.55, +1.31]", "ch5_signin_vs_pai_reading": "no clear difference",
        "ch5_gmp_flips": "4.1", "ch5_gmp_flips_final": "0.0", "ch5_gmp_final_epochs": "5",
        "ch5_gmp_signin_flips": "4.1", "ch5_gmp_signin_flips_final": "0.0", "ch5_gmp_signin_final_epochs": "5",
        "ch5_pai_flips": "50.4", "ch5_pai_flips_final": "50.4", "ch5_pai_final_epochs": "12",
    }


def test_flips_split_off_the_epochs_on_the_final_mask():
    def rec(method, pruning, sparsities, fractions):
        return {"method": method, "config": {"sparsity": 0.9, "pruning": pruning},
                "history": [{"epoch": i + 1, "sparsity": s, "sign_flip_fraction": f}
                            for i, (s, f) in enumerate(zip(sparsities, fractions, strict=True))]}
    # GMP: a dense epoch, a pruning epoch, then two on the final mask
    g = rec("gmp", "gmp", [0.0, 0.9, 0.9, 0.9], [0.04, 0.02, 0.001, 0.0])
    total, final, n = gmp.flips([g], "gmp", 0.9)
    assert total == pytest.approx(6.1) and final == pytest.approx(0.1) and n == 2
    p = rec("pai", "none", [0.9, 0.9], [0.05, 0.03])
    assert gmp.flips([p], "pai", 0.9) == (pytest.approx(8.0), pytest.approx(8.0), 2)
    assert gmp.flips([p], "gmp", 0.9) == (None, None, 0)
    pruning_only = rec("gmp", "gmp", [0.5, 0.9], [0.04, 0.02])  # the smoke profile: prunes at both epoch ends
    assert gmp.flips([pruning_only], "gmp", 0.9) == (pytest.approx(6.0), None, 0)


def test_weight_fraction_is_the_schedules_mean():
    assert gmp.weight_fraction("cpu", 0.9) == pytest.approx(0.34, abs=0.005)
    assert gmp.weight_fraction("smoke", 0.9) == pytest.approx(0.554, abs=0.005)  # 2 epochs: one dense


def test_without_gmp_records_the_values_say_not_measured():
    pai_only = records.select(records.load_records(ROOT / "results" / "cpu" / "runs"), method=["pai", "pai_signin"])
    got = gmp.values(pai_only)
    assert got["ch5_gmp_vs_pai"] == "not measured" and got["ch5_gmp_seeds"] == "0 seeds"


def test_every_glued_key_of_the_chapter_is_a_value(values):
    text = "".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    used = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert used, "chapter 5 glues nothing"
    assert used <= set(values), sorted(used - set(values))
    assert "gmp.values(" in "".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells)
