"""The reference-sweep scripts: --help, the GPU sweep's planned scope, and a CPU rehearsal of it in the smoke
profile."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SIGNIN_LITE_DATA") or ROOT.parent / "shared" / "data" / "cifar10-jpeg.zip")
# every command in scripts/ (setup_env.sh and offline_data.sh are sourced by them, not run)
SCRIPTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh")
                 if p.name not in ("setup_env.sh", "offline_data.sh"))


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


GPU_ARMS = ("pai", "pai_signin", "pai_wd2x_masked", "pai_wd2x_masked_step", "pai_signin_noreset_step")
# what the device's Python lacks (it has torch, torchvision, numpy, scipy, tqdm and pillow): the rehearsal blocks them
NOT_ON_THE_DEVICE = ("plotly", "ipywidgets", "IPython", "jupyter_core", "nbformat", "nbclient", "myst_nb", "pandas",
                     "papermill", "matplotlib", "yaml")


def test_gpu_script_plans_the_five_arms_of_the_regime_test():
    out = _bash("scripts/gpu_reference.sh", DRY_RUN="1")
    assert out.returncode == 0, out.stderr
    names = [line for line in out.stdout.splitlines() if "_seed" in line]
    assert len(names) == 30 and "30 runs" in out.stdout  # 5 arms x at most 6 seeds
    for arm in GPU_ARMS:
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


def _blocked(folder: Path) -> str:
    """A folder of stand-ins that fail to import, one per package the device lacks (first on PYTHONPATH)."""
    for name in NOT_ON_THE_DEVICE:
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(f"raise ImportError('{name} is not on the device (rehearsal)')\n")
    return f"{folder}{os.pathsep}{ROOT}"


def test_blocked_packages_really_fail_to_import(tmp_path):
    env = {**os.environ, "PYTHONPATH": _blocked(tmp_path / "blocked")}
    out = subprocess.run([sys.executable, "-c", "import plotly"], env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "not on the device" in out.stderr


@pytest.mark.skipif(not DATA.exists(), reason=f"offline CIFAR-10 copy not at {DATA}")
def test_gpu_script_rehearsal_on_cpu_packs_everything_into_one_archive(tmp_path):
    """The device returns at most 8 files from $OUT: the run leaves exactly one archive there, holding the plan, the
    calibration, every record, every run's history and the console log; it runs without the packages the device
    lacks, and unpack_gpu.py writes the archive into a results folder."""
    out_dir, stage = tmp_path / "out", tmp_path / "stage"
    out = _bash("scripts/gpu_reference.sh", PROFILE="smoke", BUDGET_S="1500", MARGIN_S="10", MAX_EPOCHS="2",
                MIN_EPOCHS="1", MAX_SEEDS="1", MIN_SEEDS="1", TEST_PER_CLASS="10", FINAL_TEST_PER_CLASS="20",
                OUT=str(out_dir), STAGE=str(stage), WORK=str(tmp_path / "work"), SIGNIN_LITE_DATA=str(DATA),
                OMP_NUM_THREADS="1", PYTHONPATH=_blocked(tmp_path / "blocked"))
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert [p.name for p in out_dir.iterdir()] == ["gpu_signin.tar.gz"]
    assert "D run" in out.stdout and "paper's assumed schedule" in out.stdout  # the plan's regime numbers
    dest = tmp_path / "results"
    unpacked = subprocess.run([sys.executable, "scripts/unpack_gpu.py", str(out_dir / "gpu_signin.tar.gz"),
                               "--dest", str(dest)], cwd=ROOT, capture_output=True, text=True)
    assert unpacked.returncode == 0 and "10 run records checked" in unpacked.stdout, unpacked.stdout + unpacked.stderr
    assert "5 calibration files left out" in unpacked.stdout and not (dest / "calibration").exists()
    plan = json.loads((dest / "plan.json").read_text())
    assert plan["seeds"] == 1 and plan["epochs"] == 2 and plan["measured"]["concurrency"] == 5
    recs = [json.loads(p.read_text()) for p in sorted((dest / "runs").glob("*.json"))]
    assert sorted(r["method"] for r in recs) == sorted(GPU_ARMS)
    for r in recs:
        assert r["status"] == "complete" and r["config"]["epochs"] == plan["epochs"] and len(r["history"]) == 2
        assert r["config"]["mask"] == "random" and r["config"]["weight_decay"] == 5e-4
        uses_beta = r["method"] in ("pai_signin", "pai_wd2x_masked_step", "pai_signin_noreset_step")
        assert not uses_beta or (r["config"]["beta"] == 0.1 and r["config"]["beta_output"] == 1)
        assert r["final"]["test_set"] == "final" and r["final"]["test_size"] == 200
    partial = {p.stem: json.loads(p.read_text()) for p in (dest / "partial").glob("*.json")}
    assert {r["name"] for r in recs} <= set(partial)
    assert all(len(partial[r["name"]]["history"]) == 2 for r in recs)
    assert "plan: 1 seeds" in (dest / "console.log").read_text() and "sweep wall time" in out.stdout


def test_unpack_refuses_a_differing_file_and_writes_nothing(tmp_path):
    import tarfile
    src = tmp_path / "src"
    (src / "runs").mkdir(parents=True)
    (src / "plan.json").write_text('{"seeds": 1}')
    (src / "console.log").write_text("new")
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src, arcname=".")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "console.log").write_text("old")
    run = [sys.executable, "scripts/unpack_gpu.py", str(archive), "--dest", str(dest)]
    out = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and "console.log" in out.stderr and "--force" in out.stderr
    assert not (dest / "plan.json").exists() and (dest / "console.log").read_text() == "old"
    out = subprocess.run([*run, "--force"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and (dest / "console.log").read_text() == "new"
    missing = subprocess.run([sys.executable, "scripts/unpack_gpu.py", str(tmp_path / "none.tar.gz")], cwd=ROOT,
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no archive at" in missing.stderr


@pytest.mark.parametrize("script", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.py")))
def test_python_scripts_have_help(script):
    out = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("usage:"), out.stderr[-500:]
