"""Command line: ``python -m signin_lite <command> --help``, the commands being train, sweep, regime, lottery, toy,
planted, choose, report, probe, table and schema.

    python -m signin_lite train --profile smoke --mask erk --sparsity 0.9 --signin
    python -m signin_lite sweep --profile cpu --methods pai pai_signin --sparsities 0.8 0.9 --seeds 0 1 2
    python -m signin_lite sweep ... --list          # index, name and command of every run (for job arrays)
    python -m signin_lite sweep ... --index 3       # only run 3, e.g. --index $SLURM_ARRAY_TASK_ID
    torchrun --standalone --nproc-per-node 2 -m signin_lite train --profile smoke --device cpu   # one run, DDP
    python -m signin_lite lottery --profile cpu --sparsity 0.9 --rounds 3
    python -m signin_lite toy
    python -m signin_lite planted --profile cpu --out results/planted
    python -m signin_lite report --lang ja --inputs examples/poc_inputs.toml --out poc_report_ja.html
    python -m signin_lite probe --model torchvision:resnet18 --input-shape 3 64 64 --batch-size 8 --sparsity 0.9
    python -m signin_lite report --lang ja --probe runs/probe/probe_resnet18_s0.9_<id>.json --out poc_report_ja.html
    python -m signin_lite table results/cpu/runs
    python -m signin_lite regime --profile gpu --epochs 160 --beta 0.1 --beta-output 1 --rescale-every 1

Ad-hoc runs write their records to runs/results/ and their checkpoints to runs/ (git-ignored); the committed
reference records live under results/ (results/README.md) and are written there only when a flag says so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from signin_lite.decision import poc_inputs, probe, report, report_text
from signin_lite.evidence import records, summary
from signin_lite.experiments import planted, toy
from signin_lite.foundations import config, schema
from signin_lite.training import distributed, lottery, regime, sweep, train
from signin_lite.training.data import DataError
from signin_lite.training.train import Divergence

TABLE_FIRST = ["method", "mask", "sparsity"]
TABLE_LAST = ["seed", "test_acc", "val_acc", "train_acc", "wall_time_s", "profile", "data"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=None,
                        help="CIFAR-10 folder or zip (default: $SIGNIN_LITE_DATA, else the official download)")
    parser.add_argument("--results", default=config.RUNS_RESULTS,
                        help=f"folder for run records (default: {config.RUNS_RESULTS}, git-ignored; the reference "
                             "records go to results/<profile>/runs, see results/README.md)")
    parser.add_argument("--work-dir", default="runs", help="folder for checkpoints and final weights (default: runs)")
    parser.add_argument("--device", default="auto", help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, ...")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--fresh", action="store_true",
                        help="ignore an existing record and checkpoint (they are overwritten only when the new run "
                             "finishes)")


def _add_poc_commands(sub) -> None:
    """The decision-maker's commands: the one-page report and the probe of your own model."""
    p = sub.add_parser("report", help="write the one-page PoC report (HTML, one A4 page) and its appendix",
                       description="The one-page PoC decision report, from the run records and a worksheet inputs "
                                   "file (JSON or TOML; see examples/poc_inputs.toml). Writes OUT and "
                                   "OUT_appendix.html (assumptions, sources); print OUT to PDF on A4.")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="language of the report (default: ja)")
    p.add_argument("--inputs", default=None, help="worksheet inputs, .json or .toml (default: the example inputs, "
                                                  "examples/poc_inputs.toml)")
    p.add_argument("--out", required=True, help="the HTML file to write, e.g. poc_report_ja.html")
    p.add_argument("--results", default=None, help="folder of run records (default: results/cpu/runs)")
    p.add_argument("--deploy", default=None, help="folder of file size / latency records (default: results/deploy)")
    p.add_argument("--probe", default=None,
                   help="your own `probe` record (a JSON file, e.g. runs/probe/probe_mymodel_s0.9_<id>.json): only "
                        "then does the report say 'your model'. Default: the inputs file's `probe` field, else the "
                        "project's reference record (results/probe, torchvision ResNet-18), shown as the reference")

    p = sub.add_parser("probe", help="measure train-step time, peak memory and file size on your own model",
                       description="Build a model and measure, interleaved, the median training-step time and peak "
                                   "memory of dense, masked and masked + Sign-In training on synthetic inputs, and "
                                   "the merged model's file size. Writes one signin_lite.probe/1 record.")
    p.add_argument("--model", required=True, help="torchvision:NAME (e.g. torchvision:resnet18) or "
                                                  "package.module:function (called with no arguments)")
    p.add_argument("--input-shape", type=int, nargs="+", required=True,
                   help="one input without the batch, e.g. 3 64 64 (images) or 128 (a sequence of 128 token ids)")
    p.add_argument("--input-dtype", choices=["float", "long"], default="float",
                   help="float: standard normal inputs (default); long: integer token ids in [0, VOCAB) for models "
                        "that start with an embedding")
    p.add_argument("--vocab", type=int, default=None, help="vocabulary size for --input-dtype long")
    p.add_argument("--mask-embeddings", action="store_true",
                   help="mask nn.Embedding weights too (default: embeddings stay dense and are listed as such)")
    p.add_argument("--batch-size", type=int, default=8, help="synthetic batch size (default: 8)")
    p.add_argument("--sparsity", type=float, default=0.9, help="fraction of weights masked, in [0, 1) (default: 0.9)")
    p.add_argument("--steps", type=int, default=5, help="timed steps per variant, interleaved (default: 5)")
    p.add_argument("--num-classes", type=int, default=None, help="output size for the synthetic targets "
                                                                 "(default: read from the model's output)")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (default: cpu)")
    p.add_argument("--out", default="runs/probe",
                   help="folder for the record (default: runs/probe, git-ignored; the project's reference record "
                        "lives in results/probe)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m signin_lite", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_training_commands(sub)
    _add_experiment_commands(sub)
    _add_poc_commands(sub)
    _add_record_commands(sub)
    return parser


def _add_training_commands(sub: argparse._SubParsersAction) -> None:
    """train, sweep and lottery: runs of the trainer."""
    p = sub.add_parser("train", help="train one configured run and write its record",
                       description="Train one run: profile presets, overridden by the flags you give.")
    config.add_arguments(p)
    _common(p)

    p = sub.add_parser("regime", help="print a config's weight-decay drift D and Sign-In's initial multipliers, "
                                      "beside the paper's assumed schedule (no training, no data)",
                       description="D = 2 lambda sum(lr_t) / (1 - momentum) over the run and over each reset period "
                                   "(m^2 - w^2 shrinks by exp(-D) between resets), and per layer the median "
                                   "multiplier sqrt(beta^2 + 4 theta^2) and beta / median 2|theta| at initialization "
                                   "(signin_lite.training.regime). Takes the flags of train.")
    config.add_arguments(p)
    p.add_argument("--layers", action="store_true", help="also one row per layer of the config")

    p = sub.add_parser("sweep", help="train a grid of runs (resumable; finished runs are skipped)",
                       description="Train every (seed, sparsity, method) combination, seed-major. "
                                   "Other flags set the base config of every run.")
    p.add_argument("--methods", nargs="+", default=["dense", "pai", "pai_signin"], choices=sweep.METHODS,
                   help="methods to run (pai_wd2x: doubled weight decay on every parameter; pai_wd2x_masked: doubled "
                        "on exactly the weights Sign-In reparameterizes, the matching control; pai_signin_noreset: "
                        "Sign-In without resets)")
    p.add_argument("--sparsities", nargs="+", type=float, default=[0.8, 0.9, 0.95], help="sparsities to run")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds to run")
    p.add_argument("--jobs", type=int, default=1, help="runs at once, each its own process (use >1 on a GPU with room)")
    p.add_argument("--dry-run", action="store_true", help="list the runs' names and exit")
    p.add_argument("--list", action="store_true",
                   help="print one line per run: its index, name and the exact command that runs it, then exit")
    p.add_argument("--index", type=int, default=None,
                   help="run only run INDEX (0-based, as --list numbers them), in this process: one task of a "
                        "SLURM job array (--index $SLURM_ARRAY_TASK_ID) or any scheduler's queue; works under torchrun")
    config.add_arguments(p, exclude=("sparsity", "seed"))
    _common(p)
    _add_lottery_command(sub)


def _add_experiment_commands(sub: argparse._SubParsersAction) -> None:
    """toy and planted: the small experiments that need no data set."""
    p = sub.add_parser("toy", help="the single-neuron sign-dynamics experiments (seconds on a CPU)",
                       description="Phase diagrams of the toy model f(x) = a ReLU(w x) for plain GD and Sign-In.")
    p.add_argument("--out", default="runs/toy",
                   help="folder for the toy record (default: runs/toy, git-ignored; the committed reference is "
                        "results/toy, written only with --out results/toy --force)")
    p.add_argument("--force", action="store_true", help="overwrite an existing toy_phase_diagram.json in --out")
    p.add_argument("--beta-a", type=float, default=4.0, help="Sign-In beta of the output weight a")
    p.add_argument("--beta-w", type=float, default=0.1, help="Sign-In beta of the hidden weight w")
    p.add_argument("--steps", type=int, default=4000, help="gradient steps")
    p.add_argument("--grid", type=int, default=25, help="starting points per axis")

    p = sub.add_parser("planted", help="the planted-ticket experiment: can training find a teacher's signs? (minutes)",
                       description="Students get a sparse teacher's mask with random signs and train by PaI, Sign-In "
                                   "(uniform beta; beta_out > beta_in; no resets) and the matching weight-decay "
                                   "control; the reference gets the teacher's signs. Prints intervals; writes one "
                                   "record with --out.")
    config.add_arguments(p, planted.PlantedConfig)  # one flag per field, as for train
    p.add_argument("--out", default=None, help="folder to write the record to, e.g. results/planted (default: none)")


def _add_lottery_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lottery", help="lottery tickets (IMP with weight rewinding, LRR) and the sign-transplant runs",
                       description="Iterative magnitude pruning to --sparsity in --rounds rounds, with weight "
                                   "rewinding (imp) and/or learning-rate rewinding (lrr); then the sign experiment on "
                                   "the LRR ticket: its signs with fresh magnitudes, its magnitudes with random signs, "
                                   "its mask with a fresh initialization.")
    p.add_argument("--rewind", nargs="+", default=["lr", "weight"], choices=["lr", "weight"], help="which rewinding")
    p.add_argument("--rounds", type=int, default=3, help="pruning rounds (each a full training run)")
    p.add_argument("--rewind-epoch", type=int, default=1,
                   help="imp: rewind to the dense run's weights after this epoch")
    p.add_argument("--no-transplant", action="store_true", help="skip the sign-transplant runs")
    config.add_arguments(p, exclude=("mask", "signin", "pruning", "tag"))
    _common(p)


def _add_record_commands(sub: argparse._SubParsersAction) -> None:
    """choose, table and schema: reading run records."""
    p = sub.add_parser("choose", help="print Sign-In's beta and period with the best validation accuracy",
                       description="Choose Sign-In's (beta, rescale period) from tuning runs by final validation "
                                   "accuracy (never test accuracy). Prints 'BETA P'; the candidates go to stderr.")
    p.add_argument("--results", default=config.RUNS_RESULTS,
                   help=f"folder of run records (default: {config.RUNS_RESULTS})")
    p.add_argument("--sparsity", type=float, required=True, help="sparsity of the tuning runs")
    p.add_argument("--seed", type=int, default=0, help="seed of the tuning runs")
    p.add_argument("--epochs", type=int, default=None,
                   help="epoch budget of the tuning runs (default: the budget most Sign-In runs there use)")

    p = sub.add_parser("table", help="print the records of a folder: one row per setting (mean ± std over seeds, "
                                      "gains with paired intervals), or one row per run with --runs",
                       description="Default: one row per setting (signin_lite.evidence.summary). With --runs: one "
                                   "row per record, sorted by method, mask, sparsity, then every config field that "
                                   "differs between the records (beta, rescale period, epochs, ...), then seed; those "
                                   "fields are shown as columns.")
    p.add_argument("folder", nargs="+", help="folders or record files")
    p.add_argument("--runs", action="store_true", help="one row per run instead of one per setting")

    sub.add_parser("schema",
                   help="print results/SCHEMA.md, the record schemas, generated from signin_lite.foundations.schema")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ValueError as e:  # bad input: a config value, a method name, a mask shape, ...
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (DataError, Divergence, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _config(args: argparse.Namespace) -> config.TrainConfig:
    return config.make_config(getattr(args, "profile", None), **config.overrides_from_args(args))


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "train":
        return _train(args)
    if args.command == "sweep":
        return _sweep(args)
    if args.command == "regime":
        return _regime(args)
    if args.command == "toy":
        target = Path(args.out) / "toy_phase_diagram.json"
        if target.exists() and not args.force:
            raise ValueError(f"{target} exists; pass --force to overwrite it, or --out another folder")
        path = toy.write_phase_record(args.out, beta_a=args.beta_a, beta_w=args.beta_w, steps=args.steps,
                                      grid=args.grid)
        print(f"wrote {path}")
        return 0
    if args.command == "lottery":
        return _lottery(args)
    if args.command == "report":
        return _report(args)
    if args.command == "probe":
        rec, path = probe.run(args.model, args.input_shape, batch_size=args.batch_size, sparsity=args.sparsity,
                              steps=args.steps, num_classes=args.num_classes, device=args.device, out=args.out,
                              input_dtype=args.input_dtype, vocab=args.vocab, mask_embeddings=args.mask_embeddings)
        print(probe.describe(rec))
        print(f"wrote {path}")
        return 0
    if args.command == "planted":
        return _planted(args)
    if args.command == "choose":
        beta, period, rows = summary.choose_signin(records.load_records(args.results), args.sparsity, args.seed,
                                                   args.epochs)
        for r in rows:
            c = r["config"]
            print(f"beta={c['beta']:g} p={c['rescale_every']:g} val_acc={r['final']['val_acc']:.4f}", file=sys.stderr)
        print(f"{beta:g} {period:g}")
        return 0
    if args.command == "schema":
        print(schema.markdown(), end="")
        return 0
    recs = records.load_records(args.folder)
    if args.runs:
        rows, columns = table_rows(recs)
        print(records.format_table(rows, columns))
    else:
        print(summary.format_summary(summary.summary_table(recs)))
    return 0


def _regime(args: argparse.Namespace) -> int:
    """Print the config's regime beside the paper's assumed schedule (and per layer with ``--layers``)."""
    ours = regime.regime(_config(args))
    print(regime.format_regimes([ours, regime.regime(regime.PAPER_ASSUMED, regime.PAPER_LABEL)]))
    if args.layers:
        print(records.format_table(regime.layer_rows(ours)))
    return 0


def _sort_key(value: object) -> tuple:
    """Numbers before text, numbers by value (0.8 < 0.9 < 0.95 < 0.98), None last."""
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value))
    return (1, str(value))


def table_rows(recs: list[dict]) -> tuple[list[dict], list[str]]:
    """Rows of `records.table` plus every config field that differs between the records (the fields that tell
    settings apart), sorted numerically; and the columns to print."""
    keys = list(dict.fromkeys(k for r in recs for k in r["config"]))
    varying = [k for k in keys if k not in (*TABLE_FIRST, *TABLE_LAST)
               and len({repr(r["config"].get(k)) for r in recs}) > 1]
    rows = [{**row, **{k: r["config"].get(k) for k in varying}}
            for row, r in zip(records.table(recs), recs, strict=True)]
    order = [*TABLE_FIRST, *varying, "seed"]
    rows.sort(key=lambda row: tuple(_sort_key(row.get(k)) for k in order))
    return rows, [*TABLE_FIRST, *varying, *TABLE_LAST]


def _run_kwargs(args: argparse.Namespace) -> dict:
    return dict(data_root=args.data, results_dir=args.results, work_dir=args.work_dir, device=args.device,
                progress=not args.no_progress, resume=not args.fresh)


def _train(args: argparse.Namespace) -> int:
    return _train_one(_config(args), args)


def _train_one(cfg: config.TrainConfig, args: argparse.Namespace) -> int:
    """Train ``cfg`` in this process; under torchrun, as one rank of a DDP run (only rank 0 prints)."""
    ctx = distributed.init(args.device)
    try:
        if ctx.is_main:
            where = f" on {ctx.world_size} processes ({ctx.backend})" if ctx.enabled else ""
            print(f"{cfg.name()}{where}: {cfg}", flush=True)
        record = train.train(cfg, **_run_kwargs(args))
    finally:
        distributed.shutdown()
    if ctx.is_main:
        f = record["final"]
        print(f"{record['name']}: test_acc={f['test_acc']:.4f} train_acc={f['train_acc']:.4f} "
              f"sparsity={record['history'][-1]['sparsity']:.4f} wall={record['cost']['wall_time_s']:.1f}s")
    return 0


def _lottery(args: argparse.Namespace) -> int:
    _refuse_torchrun("lottery")
    cfg = _config(args)
    kwargs = _run_kwargs(args)
    ticket = None
    for rewind in args.rewind:
        runs = lottery.iterative_pruning(cfg, cfg.sparsity, args.rounds, rewind, args.rewind_epoch, **kwargs)
        for r in runs:
            print(f"{r['name']}: test_acc={r['final']['test_acc']:.4f}", flush=True)
        if rewind == "lr" or ticket is None:
            ticket = runs[-1]["name"]
    if not args.no_transplant:
        for r in lottery.sign_experiment(cfg, ticket, **kwargs):
            print(f"{r['name']}: test_acc={r['final']['test_acc']:.4f}", flush=True)
    return 0


def _report(args: argparse.Namespace) -> int:
    """The report; under --lang ja its errors are in Japanese too."""
    try:
        inputs = poc_inputs.load_inputs(args.inputs)
        reader = poc_inputs.reader_probe(inputs, args.probe)
        ws = poc_inputs.report_worksheet(inputs, args.results, args.deploy, probe=reader)
        page, appendix = report.write_report(ws, inputs, args.lang, args.out, probe=reader)
    except (ValueError, FileNotFoundError) as e:
        print(report_text.error_text(e, args.lang), file=sys.stderr)
        return 2
    rec = report.recommend(ws, inputs.sparsity)
    print(f"recommendation: {rec.verdict} ({rec.label(args.lang)})\nwrote {page}\nwrote {appendix}")
    return 0


def _refuse_torchrun(what: str) -> None:
    """Raise ValueError when started by torchrun with more than one process, for commands that cannot share a run."""
    if os.environ.get("WORLD_SIZE", "1") not in ("", "0", "1"):
        raise ValueError(f"{what} cannot run under torchrun (WORLD_SIZE={os.environ['WORLD_SIZE']}); "
                         "start it as one process, or use torchrun with `train` or `sweep --index I`")


def _planted(args: argparse.Namespace) -> int:
    overrides = config.overrides_from_args(args, planted.PlantedConfig)
    cfg = planted.make_config(getattr(args, "profile", "smoke"), **overrides)
    print(f"{cfg.name()}: {len(cfg.arms)} arms x {cfg.seeds} seeds, {cfg.steps} steps", flush=True)
    record = planted.run(cfg, progress=True)
    for metric in ("sign_recovery", "test_loss"):
        print(f"\n{metric}: mean over seeds [Student-t 95% interval]\n"
              + planted.format_rows(planted.arm_table(record, metric)))
        print("paired by seed:\n" + planted.format_rows(planted.comparisons(record, metric)))
    if args.out:
        print(f"wrote {planted.write(record, args.out)}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    if args.index is None and not args.list:
        _refuse_torchrun("sweep without --index")
    base = config.overrides_from_args(args)
    profile = getattr(args, "profile", None) or config.default_profile()
    configs = sweep.grid(profile, args.methods, args.sparsities, args.seeds, **base)
    extra = ["--results", args.results, "--work-dir", args.work_dir, "--device", args.device]
    extra += (["--data", args.data] if args.data else []) + (["--fresh"] if args.fresh else [])
    if args.list:
        print(sweep.listing(configs, extra), flush=True)
        return 0
    if args.index is not None:
        return _train_one(sweep.pick(configs, args.index), args)
    print(f"{len(configs)} runs:\n{sweep.describe(configs)}", flush=True)
    if args.dry_run:
        return 0
    # Each run in its own process, so that its record's peak memory is its own (a CPU's is the process's maximum).
    extra += ["--no-progress"] if args.no_progress or args.jobs > 1 else []
    log_dir = f"{args.work_dir}/logs" if args.jobs > 1 else None
    codes = sweep.run_parallel(configs, args.jobs, extra, log_dir=log_dir)
    return 0 if all(c == 0 for c in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
