"""The reference-sweep scripts: --help, the GPU sweep's planned scope, and a CPU rehearsal of it in the smoke
profile."""
import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SIGNIN_LITE_DATA") or ROOT.parent / "shared" / "data" / "cifar10-jpeg.zip")
SCRIPTS = ["scripts/cpu_reference.sh", "scripts/gpu_reference.sh", "scripts/lab.sh", "scripts/cpu_signin_test.sh"]


def _bash(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", script, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_have_help(script):
    out = _bash(script, "--help")
    assert out.returncode == 0 and "bash scripts/" in out.stdout


def test_cpu_signin_test_plans_four_arms_six_seeds_and_the_full_test_set():
    out = _bash("scripts/cpu_signin_test.sh", DRY_RUN="1", STEPS="1")
    assert out.returncode == 0, out.stderr
    names = [line for line in out.stdout.splitlines() if "_seed" in line]
    assert len(names) == 24 and "24 runs" in out.stdout
    for arm in ("pai", "pai_signin", "pai_wd2x_masked", "pai_signin_noreset"):
        assert sum(n.startswith(f"{arm}_random-s0.9_") for n in names) == 6, arm
    args = ["--profile", "cpu", "--epochs", "40", "--mask", "random", "--sparsity", "0.9", "--train-per-class", "500",
            "--val-per-class", "0", "--test-per-class", "100", "--final-test-per-class", "all", "--weight-decay",
            "5e-4", "--beta", "1", "--rescale-every", "1", "--signin", "--seed", "0"]
    from signin_lite import cli
    from signin_lite.foundations import config
    cfg = config.make_config("cpu", **config.overrides_from_args(cli.build_parser().parse_args(["train", *args])))
    assert cfg.name() in names and cfg.final_test_per_class is None  # the plan's own setting, by name
    assert "estimate:" in out.stdout  # from the committed cpu records


def _plan_module():
    spec = importlib.util.spec_from_file_location("gpu_plan", ROOT / "scripts" / "gpu_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_script_plans_the_four_arms_of_issue_11():
    out = _bash("scripts/gpu_reference.sh", DRY_RUN="1")
    assert out.returncode == 0, out.stderr
    names = [line for line in out.stdout.splitlines() if "_seed" in line]
    assert len(names) == 24 and "24 runs" in out.stdout  # 4 arms x at most 6 seeds
    for arm in ("pai", "pai_signin", "pai_wd2x_masked", "pai_signin_noreset"):
        assert sum(n.startswith(f"{arm}_random-s0.9_") for n in names) == 6, arm


def test_gpu_plan_prefers_the_full_schedule_then_seeds():
    plan = _plan_module().plan
    roomy = plan(epoch_s=1.0, overhead_s=20, concurrency=4, seconds_left=500)  # 6 seeds: 80 epochs; 3 seeds: 160
    assert roomy["epochs"] == 160 and roomy["seeds"] == 3 and roomy["jobs"] == 12 and not roomy["shortened"]
    assert roomy["expected_s"] <= 500
    tight = plan(epoch_s=2.0, overhead_s=20, concurrency=4, seconds_left=500)  # 160 epochs do not fit 3 seeds
    assert tight["seeds"] == 3 and tight["shortened"] and tight["epochs"] == (500 - 20) // 6
    assert tight["expected_s"] <= 500
    few = plan(epoch_s=20.0, overhead_s=20, concurrency=4, seconds_left=500)
    assert few["seeds"] == 2 and few["epochs"] == 12 and few["rule"] == "shortened schedule, fewer seeds"
    with pytest.raises(ValueError, match="nothing fits"):
        plan(epoch_s=60.0, overhead_s=20, concurrency=4, seconds_left=500)


def test_gpu_plan_reads_the_calibration_records(tmp_path):
    for i, t in enumerate((3.0, 4.0)):
        rec = {"schema": "signin_lite.run/1", "history": [{"time_s": t}], "cost": {"wall_time_s": t + 10 + i}}
        (tmp_path / f"r{i}.json").write_text(json.dumps(rec))
    module = _plan_module()
    assert module.measure(str(tmp_path)) == {"epoch_s": 4.0, "overhead_s": 11.0, "concurrency": 2}
    assert module.main(["--calibration", str(tmp_path / "none"), "--seconds-left", "100"]) == 3


@pytest.mark.skipif(not DATA.exists(), reason=f"offline CIFAR-10 copy not at {DATA}")
def test_gpu_script_rehearsal_on_cpu_writes_plan_records_and_histories(tmp_path):
    out_dir = tmp_path / "out"
    out = _bash("scripts/gpu_reference.sh", PROFILE="smoke", BUDGET_S="1500", MARGIN_S="10", MAX_EPOCHS="2",
                MIN_EPOCHS="1", MAX_SEEDS="1", MIN_SEEDS="1", TEST_PER_CLASS="10", FINAL_TEST_PER_CLASS="20",
                OUT=str(out_dir), WORK=str(tmp_path / "work"), SIGNIN_LITE_DATA=str(DATA), OMP_NUM_THREADS="1")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    plan = json.loads((out_dir / "plan.json").read_text())
    assert plan["seeds"] == 1 and plan["epochs"] == 2 and plan["measured"]["concurrency"] == 4
    recs = [json.loads(p.read_text()) for p in sorted((out_dir / "runs").glob("*.json"))]
    assert sorted(r["method"] for r in recs) == ["pai", "pai_signin", "pai_signin_noreset", "pai_wd2x_masked"]
    for r in recs:
        assert r["status"] == "complete" and r["config"]["epochs"] == plan["epochs"] and len(r["history"]) == 2
        assert r["config"]["mask"] == "random" and r["config"]["weight_decay"] == 5e-4
        assert r["final"]["test_set"] == "final" and r["final"]["test_size"] == 200
    partial = {p.stem: json.loads(p.read_text()) for p in (out_dir / "partial").glob("*.json")}
    assert {r["name"] for r in recs} <= set(partial)
    assert all(len(partial[r["name"]]["history"]) == 2 for r in recs)
    assert "plan: 1 seeds" in out.stdout and "sweep wall time" in out.stdout
