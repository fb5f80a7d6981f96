"""The reference-sweep scripts: --help, the GPU sweep's planned scope, and a CPU rehearsal of it in the smoke profile."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SIGNIN_LITE_DATA") or ROOT.parent / "shared" / "data" / "cifar10-jpeg.zip")
SCRIPTS = ["scripts/cpu_reference.sh", "scripts/gpu_reference.sh", "scripts/lab.sh"]


def _bash(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", script, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_have_help(script):
    out = _bash(script, "--help")
    assert out.returncode == 0 and "bash scripts/" in out.stdout


def test_gpu_script_plans_dense_and_three_sparsities_with_and_without_signin():
    out = _bash("scripts/gpu_reference.sh", DRY_RUN="1")
    assert out.returncode == 0, out.stderr
    names = [line for line in out.stdout.splitlines() if "_seed0_" in line]
    assert len(names) == 7 and "7 runs" in out.stdout
    assert sum(n.startswith("dense_") for n in names) == 1
    for s in ("0.8", "0.9", "0.95"):
        assert any(n.startswith(f"pai_random-s{s}_") for n in names)
        assert any(n.startswith(f"pai_signin_random-s{s}_") for n in names)


@pytest.mark.skipif(not DATA.exists(), reason=f"offline CIFAR-10 copy not at {DATA}")
def test_gpu_script_rehearsal_on_cpu_writes_labelled_records(tmp_path):
    out = _bash("scripts/gpu_reference.sh", PROFILE="smoke", EPOCHS="1", JOBS="2", SPARSITIES="0.9",
                RESULTS=str(tmp_path / "records"), WORK=str(tmp_path / "work"), SIGNIN_LITE_DATA=str(DATA),
                OMP_NUM_THREADS="1")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    recs = [json.loads(p.read_text()) for p in sorted((tmp_path / "records").glob("*.json"))]
    assert sorted(r["method"] for r in recs) == ["dense", "pai", "pai_signin"]
    for r in recs:
        assert r["status"] == "complete" and r["config"]["epochs"] == 1 and r["config"]["profile"] == "smoke"
        assert r["data"]["source"] == "offline-jpeg" and len(r["history"]) == 1
    assert "sweep wall time" in out.stdout and "pai_signin" in out.stdout  # the closing table
