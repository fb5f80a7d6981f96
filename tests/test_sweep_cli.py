"""Sweeps for cluster schedulers: ``sweep --list`` (index, name, command) and ``sweep --index I`` (one run)."""
import json
import shlex

import pytest

from signin_lite import cli
from signin_lite.foundations import config
from signin_lite.training import sweep

GRID = ["--profile", "smoke", "--methods", "dense", "pai", "pai_signin", "--sparsities", "0.8", "0.9",
        "--seeds", "0", "1"]


def _listing(capsys, *extra: str) -> list[list[str]]:
    assert cli.main(["sweep", *GRID, *extra, "--list"]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_list_covers_the_sweep_exactly_once_with_runnable_commands(capsys):
    rows = _listing(capsys, "--results", "res dir", "--work-dir", "work")
    configs = sweep.grid("smoke", ["dense", "pai", "pai_signin"], [0.8, 0.9], [0, 1])
    assert len(configs) == 2 * (1 + 2 * 2)
    assert [int(i) for i, _, _ in rows] == list(range(len(configs)))         # every index once, in order
    assert [name for _, name, _ in rows] == [c.name() for c in configs]
    assert len({name for _, name, _ in rows}) == len(rows)                  # every run once
    for (_, name, command), cfg in zip(rows, configs, strict=True):
        argv = shlex.split(command)
        assert argv[:4] == ["python", "-m", "signin_lite", "train"]
        args = cli.build_parser().parse_args(argv[3:])                       # the exact command reproduces the run
        assert config.make_config(args.profile, **config.overrides_from_args(args)).name() == name == cfg.name()
        assert args.results == "res dir" and args.work_dir == "work"        # records land in the one layout


@pytest.mark.parametrize("index", [12, -1, 100])
def test_index_out_of_range_is_a_clear_error(index, capsys):
    assert cli.main(["sweep", *GRID, "--index", str(index)]) == 2
    err = capsys.readouterr().err
    assert f"--index {index} is out of range" in err and "10 runs" in err and "0 to 9" in err and "--list" in err


def test_index_trains_only_that_run_in_this_process(monkeypatch, capsys):
    from signin_lite.training import train
    seen = []

    def fake_train(cfg, **kwargs):
        seen.append((cfg, kwargs))
        return {"name": cfg.name(), "final": {"test_acc": 0.5, "train_acc": 0.5}, "history": [{"sparsity": 0.9}],
                "cost": {"wall_time_s": 1.0}}
    monkeypatch.setattr(train, "train", fake_train)
    rows = _listing(capsys)
    assert cli.main(["sweep", *GRID, "--index", "7", "--results", "r", "--device", "cpu"]) == 0
    ((cfg, kwargs),) = seen
    assert cfg.name() == rows[7][1] and kwargs["results_dir"] == "r" and kwargs["device"] == "cpu"


def test_index_runs_write_into_one_folder_and_finished_runs_are_skipped(tmp_path, image_folder, monkeypatch, capsys):
    monkeypatch.setenv("SIGNIN_LITE_DATA", str(image_folder))
    monkeypatch.setenv("SIGNIN_LITE_CACHE", str(tmp_path / "cache"))
    grid = ["--profile", "smoke", "--methods", "pai", "--sparsities", "0.9", "--seeds", "0", "1", "--epochs", "1",
            "--results", str(tmp_path / "results"), "--work-dir", str(tmp_path / "runs"), "--no-progress"]
    for index in (1, 0):                                          # two tasks of a job array, in any order
        assert cli.main(["sweep", *grid, "--index", str(index)]) == 0
    records = sorted((tmp_path / "results").glob("*.json"))
    assert [json.loads(p.read_text())["config"]["seed"] for p in records] == [0, 1]
    before = records[0].read_text()
    assert cli.main(["sweep", *grid, "--index", "0"]) == 0
    assert records[0].read_text() == before                      # finished: loaded, not retrained
