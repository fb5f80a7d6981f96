"""Where the command line writes (git-ignored runs/ by default, never the committed results/ unless asked) and how
`table` orders and labels records."""

from __future__ import annotations

from pathlib import Path

import pytest

from signin_lite import cli

ROOT = Path(__file__).resolve().parents[1]


def _record(method: str, sparsity: float, seed: int, **config) -> dict:
    return {"name": f"{method}_{sparsity}_{seed}_{len(config)}", "run_id": "x", "method": method,
            "config": {"mask": "erk", "sparsity": sparsity, "seed": seed, "beta": 1.0, "rescale_every": 1.0,
                       "epochs": 12, "profile": "cpu", **config},
            "final": {"test_acc": 0.5}, "cost": {}, "counts": {}, "env": {}, "data": {}, "date": "2026-11-29"}


def test_table_sorts_numerically_and_shows_the_fields_that_tell_settings_apart():
    recs = [_record("pai", s, 0) for s in (0.8, 0.95, 0.98, 0.9)]
    recs += [_record("pai_signin", 0.9, 0, beta=4.0), _record("pai_signin", 0.9, 0, beta=0.25),
             _record("pai", 0.9, 1, epochs=24), _record("pai", 0.9, 0, epochs=24)]
    rows, columns = cli.table_rows(recs)
    assert [(r["method"], r["sparsity"], r["beta"], r["epochs"], r["seed"]) for r in rows] == [
        ("pai", 0.8, 1.0, 12, 0), ("pai", 0.9, 1.0, 12, 0), ("pai", 0.9, 1.0, 24, 0), ("pai", 0.9, 1.0, 24, 1),
        ("pai", 0.95, 1.0, 12, 0), ("pai", 0.98, 1.0, 12, 0), ("pai_signin", 0.9, 0.25, 12, 0),
        ("pai_signin", 0.9, 4.0, 12, 0)]
    assert {"beta", "epochs"} <= set(columns) and "rescale_every" not in columns  # equal everywhere: not shown
    assert columns.index("beta") < columns.index("seed") < columns.index("test_acc")


def test_ad_hoc_runs_default_to_the_ignored_runs_folder():
    parser = cli.build_parser()
    for argv in (["train"], ["sweep"], ["lottery"], ["choose", "--sparsity", "0.9"]):
        assert parser.parse_args(argv).results.startswith("runs/"), argv
    assert parser.parse_args(["toy"]).out.startswith("runs/")
    assert "/runs/" in (ROOT / ".gitignore").read_text().split(), "runs/ must be git-ignored"


def test_toy_refuses_to_overwrite_a_record_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "toy_phase_diagram.json"
    target.write_text("{}")
    assert cli.main(["toy", "--out", str(tmp_path), "--steps", "5", "--grid", "2"]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "--force" in err
    assert target.read_text() == "{}"  # untouched
    assert cli.main(["toy", "--out", str(tmp_path), "--steps", "5", "--grid", "2", "--force"]) == 0
    assert target.read_text() != "{}"
