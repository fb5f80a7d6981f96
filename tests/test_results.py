"""Every committed record under results/: its schema, its provenance, consistent costs, unique run ids; and
results/SCHEMA.md is the text generated from signin_lite.foundations.schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signin_lite.evidence import records
from signin_lite.foundations import schema

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted((ROOT / "results").glob("**/*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_committed_records():
    assert len(PATHS) > 50


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(ROOT)))
def test_record_matches_its_schema_and_names_its_provenance(path):
    rec = _load(path)
    schema.validate(rec)  # wall >= train time for runs is part of it
    env = rec["env"]
    assert env["git_commit"] and len(env["git_commit"]) == 40, f"{path}: no git commit"
    assert env["device_name"], f"{path}: no hardware"
    assert rec["date"][:4] == "2026"
    if rec["schema"] == schema.RUN:
        assert rec["data"]["source"] in schema.SOURCES
        cost = rec["cost"]
        assert cost["wall_time_s"] is None or cost["wall_time_s"] >= cost["train_time_s"]


def _pilot(path) -> bool:
    return bool(set(path.relative_to(ROOT / "results").parts[:-1]) & set(records.PILOTS))


def test_run_ids_are_unique():
    """Unique among the results, and within the pilots (a pilot reruns seed 0 of its design: the same id)."""
    for pilots in (False, True):
        ids = [(_load(p)["run_id"], _load(p).get("data", {}).get("source")) for p in PATHS
               if _load(p)["schema"] == schema.RUN and _pilot(p) == pilots]
        assert len(ids) == len(set(ids))


def test_schema_document_is_generated_from_the_code():
    assert (ROOT / "results" / "SCHEMA.md").read_text() == schema.markdown(), \
        "regenerate it: python -m signin_lite schema > results/SCHEMA.md"


def test_every_record_loads_through_the_one_loader():
    recs = records.load_records(ROOT / "results")  # the pilots left out: they are not results
    assert len(recs) == sum(_load(p)["schema"] == schema.RUN and not _pilot(p) for p in PATHS)
    assert records.load_records(ROOT / "results" / "cpu_regime" / "pilot")  # read when asked for by name
    assert records.settings(recs)  # groups without an error: no duplicate with different content


def test_a_written_record_is_validated_first(tmp_path):
    rec = _load(next(p for p in PATHS if _load(p)["schema"] == schema.RUN))
    rec["final"]["test_acc"] = 61.2  # percent instead of a fraction
    with pytest.raises(schema.RecordError, match=r"final.test_acc=61.2 is invalid"):
        records.write_record(rec, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_bad_record_on_disk_names_its_file_and_field(tmp_path):
    rec = _load(next(p for p in PATHS if _load(p)["schema"] == schema.RUN))
    del rec["env"]["git_commit"]
    (tmp_path / "bad.json").write_text(json.dumps(rec))
    with pytest.raises(schema.RecordError, match=r"bad.json: env.git_commit is missing"):
        records.load_records(tmp_path)
