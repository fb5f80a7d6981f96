import json
import math

import pytest

from signin_lite import cli
from signin_lite.foundations import config
from signin_lite.evidence import records
from signin_lite.training import sweep
from signin_lite.evidence import summary


@pytest.mark.parametrize("field,value,needle", [
    ("sparsity", 1.5, "sparsity=1.5"), ("sparsity", 1.0, "[0, 1)"), ("sparsity", -0.1, "sparsity=-0.1"),
    ("sparsity", float("nan"), "sparsity=nan"), ("beta", 0.0, "beta=0.0"), ("beta", -1.0, "positive"),
    ("epochs", -3, "epochs=-3"), ("epochs", 0, "positive"), ("mask", "lottery", "'lottery'"),
    ("pruning", "later", "'later'"), ("rescale_every", -1, "rescale_every=-1"), ("lr", float("inf"), "lr=inf"),
    ("rescale_every", float("nan"), "0 = never"), ("weight_decay_masked_factor", -2.0, "matching control"),
    ("weight_decay_masked_factor", float("inf"), "weight_decay_masked_factor=inf"),
    ("nesterov", "yes", "True or False"), ("dense_first_last", 1, "dense_first_last=1"),
    ("final_test_per_class", -5, "final_test_per_class=-5"), ("final_test_per_class", 2.5, "None (all 1000"),
    ("mask", "uniform", "'uniform'"),
])
def test_bad_config_values_name_the_value_and_what_is_allowed(field, value, needle):
    with pytest.raises(ValueError) as err:
        config.make_config("smoke", **{field: value})
    assert needle in str(err.value) and field in str(err.value)


def test_unknown_keys_and_profiles_are_refused():
    with pytest.raises(ValueError, match="unknown config keys \\['sparsty'\\]"):
        config.make_config("smoke", sparsty=0.5)
    with pytest.raises(ValueError, match="'huge'"):
        config.make_config("huge")


def test_profile_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SIGNIN_LITE_PROFILE", "cpu")
    assert config.make_config().profile == "cpu" and config.make_config().depth == 20
    monkeypatch.setenv("SIGNIN_LITE_PROFILE", "nope")
    with pytest.raises(ValueError, match="SIGNIN_LITE_PROFILE='nope'"):
        config.make_config()


def test_run_id_depends_on_every_field_and_method_names():
    a = config.make_config("smoke", sparsity=0.9)
    assert a.run_id() == config.make_config("smoke", sparsity=0.9).run_id()
    assert a.run_id() != config.make_config("smoke", sparsity=0.8).run_id()
    assert config.make_config("smoke", mask="none", sparsity=0).method == "dense"
    assert config.make_config("smoke", signin=True).method == "pai_signin"
    assert config.make_config("smoke", pruning="gmp", tag="x").method == "gmp_x"
    assert ("sparsity" not in str(config.make_config("smoke"))
            and "sparsity=0.5" in str(config.make_config("smoke", sparsity=0.5)))


def test_sweep_grid_is_seed_major_and_deduplicates_dense():
    grid = sweep.grid("smoke", ["dense", "pai", "pai_signin", "pai_wd2x"], [0.8, 0.9], [0, 1])
    assert len(grid) == 2 * (1 + 3 * 2)
    assert [c.seed for c in grid[:7]] == [0] * 7
    wd = [c for c in grid if c.method == "pai_wd2x"][0]
    assert math.isclose(wd.weight_decay, 2 * config.make_config("smoke").weight_decay)
    pai = [c for c in grid if c.method == "pai"][0]
    assert pai.beta == 1.0 and pai.rescale_every == 1.0  # Sign-In settings never split plain runs
    with pytest.raises(ValueError, match="'magic'"):
        sweep.grid("smoke", ["magic"], [0.9], [0])


def test_cli_args_round_trip_through_the_parser():
    cfg = config.make_config("cpu", sparsity=0.95, signin=True, beta_output=4.0, train_per_class=None, tag="x")
    args = cli.build_parser().parse_args(["train", *sweep.cli_args(cfg)])
    assert config.make_config(args.profile, **config.overrides_from_args(args)) == cfg


def test_cli_rejects_bad_input_with_exit_code_2(capsys):
    assert cli.main(["train", "--sparsity", "1.5"]) == 2
    assert "sparsity=1.5" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["train", "--mask", "unknown"])


@pytest.mark.parametrize("command", ["train", "sweep", "lottery", "toy", "choose", "table"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0 and "usage" in capsys.readouterr().out


def test_sweep_dry_run_lists_runs(capsys):
    assert cli.main(["sweep", "--profile", "smoke", "--methods", "pai", "--sparsities", "0.5", "--seeds", "0", "1",
                     "--dry-run"]) == 0
    assert "2 runs" in capsys.readouterr().out


def test_choose_picks_best_validation_accuracy_not_test():
    def rec(beta, p, val, test):
        cfg = {"signin": True, "sparsity": 0.9, "seed": 0, "pruning": "init", "beta": beta, "rescale_every": p}
        return {"config": cfg, "final": {"val_acc": val, "test_acc": test}}
    rows = [rec(1, 1, 0.50, 0.90), rec(4, 1, 0.55, 0.10), rec(0.25, 1, 0.55, 0.20)]
    assert summary.choose_signin(rows, 0.9)[:2] == (0.25, 1)  # tie on validation -> smaller beta; test ignored
    with pytest.raises(ValueError, match="validation"):
        summary.choose_signin([rec(1, 1, None, 0.5)], 0.9)


def test_choose_ignores_a_longer_convergence_check_run():
    def rec(beta, val, epochs):
        cfg = {"signin": True, "sparsity": 0.9, "seed": 0, "pruning": "init", "beta": beta, "rescale_every": 1,
               "epochs": epochs}
        return {"config": cfg, "final": {"val_acc": val, "test_acc": 0.5}}
    rows = [rec(1, 0.50, 12), rec(4, 0.55, 12), rec(0.25, 0.40, 12), rec(0.25, 0.90, 24)]
    beta, _, cands = summary.choose_signin(rows, 0.9)
    assert beta == 4 and len(cands) == 3           # the 24-epoch run is not a candidate
    assert summary.choose_signin(rows, 0.9, epochs=24)[0] == 0.25


def test_write_json_atomic_keeps_the_old_file_on_failure(tmp_path):
    path = records.write_json_atomic({"a": 1}, tmp_path / "r.json")
    with pytest.raises(TypeError):
        records.write_json_atomic({"a": object()}, path)
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_load_records_errors_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        records.load_records(tmp_path / "nowhere")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        records.load_records(tmp_path)


def test_rescale_every_zero_means_never_and_dense_first_last_needs_a_mask():
    assert config.make_config("smoke", signin=True, rescale_every=0).rescale_every == 0
    with pytest.raises(ValueError, match="dense_first_last=True needs a sparse run"):
        config.make_config("smoke", mask="none", sparsity=0.0, dense_first_last=True)


def test_new_fields_at_their_defaults_keep_the_old_run_ids():
    cfg = config.make_config("smoke", sparsity=0.9)
    old = {k: v for k, v in json.loads(json.dumps(cfg.__dict__)).items() if k not in config.LATER_FIELDS}
    assert config.TrainConfig(**old).run_id() == cfg.run_id()
    for field, value in (("nesterov", False), ("weight_decay_masked_factor", 2.0), ("final_test_per_class", None),
                         ("dense_first_last", True), ("compile", "on")):
        assert config.make_config("smoke", sparsity=0.9, **{field: value}).run_id() != cfg.run_id(), field


def test_new_methods_name_themselves_and_differ_from_their_neighbours():
    base = config.make_config("smoke")
    grid = {c.method: c for c in sweep.grid("smoke", ["pai", "pai_signin", "pai_wd2x", "pai_wd2x_masked",
                                                      "pai_signin_noreset"], [0.9], [0])}
    assert set(grid) == {"pai", "pai_signin", "pai_wd2x", "pai_wd2x_masked", "pai_signin_noreset"}
    control = grid["pai_wd2x_masked"]
    assert not control.signin and control.weight_decay == base.weight_decay
    assert control.weight_decay_masked_factor == 2.0
    noreset = grid["pai_signin_noreset"]
    assert noreset.signin and noreset.rescale_every == 0 and noreset.beta == grid["pai_signin"].beta
    assert len({c.run_id() for c in grid.values()}) == 5


def test_new_flags_round_trip_through_the_cli():
    cfg = config.make_config("cpu", signin=True, rescale_every=0.0, nesterov=False, dense_first_last=True,
                             final_test_per_class=None, weight_decay_masked_factor=2.0, mask="balanced")
    args = cli.build_parser().parse_args(["train", *sweep.cli_args(cfg)])
    assert config.make_config("cpu", **config.overrides_from_args(args)) == cfg


def test_cli_names_bad_values_of_the_new_flags(capsys):
    for flag, value in (("--rescale-every", "-1"), ("--final-test-per-class", "-3"),
                        ("--weight-decay-masked-factor", "-2")):
        assert cli.main(["train", "--profile", "smoke", flag, value]) == 2
        assert f"={value}" in capsys.readouterr().err
    for bad in (["--mask", "uniform"], ["--nesterov", "no"]):
        with pytest.raises(SystemExit):
            cli.main(["train", "--profile", "smoke", *bad])
