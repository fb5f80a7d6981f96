"""The training loop: SGD with a warm-up + cosine schedule, masks kept exact, Sign-In rescaling, per-epoch
metrics and sign statistics, a checkpoint every epoch (resume gives the same result), and one run record.
Under torchrun the same loop is one rank of a DistributedDataParallel run (see :mod:`signin_lite.training.distributed`).

    from signin_lite.foundations import config
    from signin_lite.training import train
    record = train.train(config.make_config("smoke", sparsity=0.9, signin=True))
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn as nn
from tqdm.auto import tqdm

from signin_lite.core import counting, masks, signin, signs
from signin_lite.evidence import records
from signin_lite.foundations import config, schema
from signin_lite.foundations.config import TrainConfig
from signin_lite.training import compiling, data, distributed, hardware, recipe, reference_runs, stepmatch


class Divergence(RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


def _save_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


@dataclass
class _Loaders:
    """The run's loaders; under DDP each yields only this rank's share."""

    train: data.DeviceLoader
    test: data.DeviceLoader
    val: data.DeviceLoader | None


@dataclass
class _Progress:
    """What a checkpoint restores: epochs done, their metrics, time spent and the weights kept for rewinding."""

    epoch: int = 0
    history: list[dict] = field(default_factory=list)
    train_time: float = 0.0
    earlier_wall: float = 0.0  # wall time of the sessions before a resume
    saved_states: dict[int, dict] = field(default_factory=dict)


@dataclass
class _Run:
    """The moving parts of one run. ``net`` is what trains (DDP around ``model`` under torchrun, else ``model``)."""

    cfg: TrainConfig
    ctx: distributed.Context
    device: torch.device
    autocast: bool
    model: nn.Module
    net: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    loaders: _Loaders
    ckpt_path: Path
    t_start: float
    channels_last: bool = True
    progress: _Progress = field(default_factory=_Progress)
    diagnostics: signin.ResetDiagnostics | None = None  # Sign-In runs: what each reset finds
    final_eval: dict = field(default_factory=dict)       # the evaluation after training, when asked for
    compile: compiling.Decision = compiling.Decision(False, "not decided yet")
    eager_net: nn.Module | None = None  # ``net`` before compiling, when it was compiled

    @property
    def steps_per_epoch(self) -> int:
        return len(self.loaders.train)

    @property
    def match_steps(self) -> int | None:
        """The reset period (steps) of the Sign-In run a step-size-matched run follows
        (:mod:`signin_lite.training.stepmatch`); None when ``step_match_every`` is 0."""
        every = self.cfg.step_match_every
        return max(1, round(every * self.steps_per_epoch)) if every else None

    @property
    def rescale_steps(self) -> int | None:
        """Steps between Sign-In resets; None when ``rescale_every`` is 0 (never: the no-reset ablation)."""
        return max(1, round(self.cfg.rescale_every * self.steps_per_epoch)) if self.cfg.rescale_every else None

    def wall_time(self) -> float:
        return self.progress.earlier_wall + time.perf_counter() - self.t_start


def train(cfg: TrainConfig, *, splits: recipe.Splits | None = None, data_root: str | None = None,
          results_dir: str | os.PathLike | None = config.RUNS_RESULTS, work_dir: str | os.PathLike = "runs",
          device: str | torch.device = "auto", progress: bool = True, resume: bool = True,
          init_state: dict | None = None, mask: masks.Mask | None = None, reference: dict | None = None,
          save_state_at: tuple[int, ...] = (0, 1), callbacks: tuple[Callable[[dict], None], ...] = (),
          extra: dict | None = None, channels_last: bool = True, bf16: bool | None = None,
          reuse: bool | str = False) -> dict:
    """Train one configured run and return its record (also written to ``results_dir`` unless it is None).

    A finished run whose record exists is loaded, not retrained. An interrupted run resumes from its
    checkpoint in ``work_dir/<name>/`` and ends with the same result as an uninterrupted one.
    ``init_state``/``mask`` start from given weights and mask (lottery tickets, transplants);
    ``reference`` (weight name -> tensor) adds per-epoch sign alignment; ``save_state_at`` keeps the
    weights after those epochs (0 = initialization; default 0 and 1) for rewinding; ``callbacks`` get each
    epoch's metrics. ``bf16`` runs forward passes under bf16 autocast (default: on CUDA only; it works on the CPU
    too). ``reuse=True`` (what the chapters pass) returns the committed reference record of the same config instead
    of training (:mod:`signin_lite.training.reference_runs`; never under the smoke profile or with
    SIGNIN_LITE_RETRAIN=1), with its checkpoint where it has one; ``reuse="checkpoint"`` only when it has one.
    Inside an initialized process group (torchrun, see :mod:`signin_lite.training.distributed`) every rank trains
    its shard of each global batch under DDP and only rank 0 writes files.
    """
    ctx = distributed.current()
    record_path = Path(results_dir) / f"{cfg.name()}.json" if results_dir is not None else None
    existing = _existing_record(record_path, resume, ctx)
    if existing is not None:
        return existing
    if reuse:
        found = _reference_record(cfg, reuse, extra, reference is not None, work_dir, ctx)
        if found is not None:
            return found
    device = distributed.device_for(device, ctx)
    run_dir = Path(work_dir) / cfg.name()
    if ctx.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)

    splits = splits or recipe.load_splits(cfg, data_root)
    snip = cfg.mask == "snip" and mask is None and cfg.pruning == "init"
    loaders, snip_batch = _make_loaders(cfg, splits, device, channels_last, ctx, snip)
    model = recipe.build_model(cfg, device, init_state=init_state, mask=mask, snip_batch=snip_batch)
    model = model.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    optimizer = recipe.make_optimizer(model, cfg)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, recipe.lr_lambda(round(cfg.warmup_epochs * len(loaders.train)), cfg.epochs * len(loaders.train)))
    run = _Run(cfg, ctx, device, device.type == "cuda" if bf16 is None else bf16, model,
               distributed.wrap(model, ctx, device), optimizer, scheduler, loaders, run_dir / "checkpoint.pt", t_start,
               channels_last)
    if 0 in save_state_at:
        run.progress.saved_states[0] = _plain_state(model)
    if cfg.step_match_every:
        stepmatch.apply(optimizer, scheduler, model, cfg, run.match_steps)
    if resume:
        _resume(run)
    _choose_compile(run, progress)
    run.diagnostics = signin.ResetDiagnostics(model) if cfg.signin else None
    _train_epochs(run, progress, reference, save_state_at, callbacks)
    return _finish(run, splits, record_path, extra)


def _existing_record(record_path: Path | None, resume: bool, ctx: distributed.Context) -> dict | None:
    """The finished run's record when resuming and it exists (read by rank 0, sent to the others), else None."""
    record = None
    if ctx.is_main and resume and record_path is not None and record_path.exists():
        record = records.load_records(record_path)[0]
    return distributed.broadcast(record, ctx)


def _reference_record(cfg: TrainConfig, reuse: bool | str, extra: dict | None, aligned: bool,
                      work_dir: str | os.PathLike, ctx: distributed.Context) -> dict | None:
    """The reference record of ``cfg`` (:func:`reference_runs.find`), its checkpoint installed in ``work_dir``
    where it has one; rank 0 prints the one-line note. ``aligned``: the caller wants per-epoch sign alignment."""
    if reuse not in (True, "checkpoint"):
        raise ValueError(f"reuse={reuse!r} is unknown; use False, True or 'checkpoint'")
    record = reference_runs.find(cfg, extra=extra, need_checkpoint=reuse == "checkpoint", need_sign_alignment=aligned)
    if record is not None and ctx.is_main:
        reference_runs.install_checkpoint(record, work_dir)
        print(reference_runs.message(record), flush=True)
    return record


def _make_loaders(cfg: TrainConfig, splits: recipe.Splits, device: torch.device, channels_last: bool,
                  ctx: distributed.Context, snip: bool) -> tuple[_Loaders, tuple | None]:
    """The training, test and validation loaders (each rank's shard under DDP), and SNIP's first global batch."""
    train_loader = data.DeviceLoader(*splits.train, cfg.batch_size, train=True, device=device, seed=cfg.seed,
                                     channels_last=channels_last)
    if len(train_loader) == 0:
        raise ValueError(f"batch_size={cfg.batch_size} is larger than the {train_loader.num_examples} training images")
    snip_batch = next(iter(train_loader)) if snip else None  # the whole global batch, the same on every rank
    test = data.DeviceLoader(*splits.test, 500, train=False, device=device, channels_last=channels_last)
    val = (data.DeviceLoader(*splits.val, 500, train=False, device=device, channels_last=channels_last)
           if splits.val is not None else None)
    for loader in (train_loader, test, val):
        if loader is not None and ctx.enabled:
            loader.shard(ctx.rank, ctx.world_size)
    return _Loaders(train_loader, test, val), snip_batch


def _choose_compile(run: _Run, verbose: bool) -> None:
    """Compile ``run.net`` when ``cfg.compile`` says so (:func:`compiling.decide`). Rank 0 prints the one-line note
    when the run compiles (the first steps then wait for the compiler) or, with ``verbose`` (a progress bar: the
    command line), also why it does not; the chapters' quiet runs keep it in the record's ``env.compile_note``."""
    steps = (run.cfg.epochs - run.progress.epoch) * run.steps_per_epoch
    run.compile = compiling.decide(run.cfg.compile, run.device, steps, run.ctx.enabled)
    if run.compile.compiled:
        run.eager_net, run.net = run.net, compiling.compile_model(run.net)
    if run.ctx.is_main and steps > 0 and (run.compile.compiled or (verbose and run.cfg.compile != "off")):
        print(f"{run.cfg.name()}: {run.compile.note}", flush=True)


def _step(run: _Run, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One training step through ``run.net``. Under compile=auto, a first compiled step that fails (no working
    inductor here) is taken again eagerly, and the run goes on eagerly, saying so in its record."""
    try:
        out = recipe.train_step(run.net, run.optimizer, x, y, autocast=run.autocast,
                                label_smoothing=run.cfg.label_smoothing)
    except Exception as e:  # any compiler failure; anything else fails again eagerly
        if run.eager_net is None or run.cfg.compile != "auto":
            raise
        run.net = run.eager_net
        run.compile = compiling.Decision(False, f"auto: compiling failed ({type(e).__name__}: {str(e)[:200]}), "
                                                "trained eagerly")
        if run.ctx.is_main:
            print(f"{run.cfg.name()}: {run.compile.note}", flush=True)
        out = recipe.train_step(run.net, run.optimizer, x, y, autocast=run.autocast,
                                label_smoothing=run.cfg.label_smoothing)
    run.eager_net = None  # the compiled step has worked (or was given up): from now on no fallback
    return out


def _resume(run: _Run) -> None:
    """Continue from the run's checkpoint if there is one (rank 0 reads it and sends it to the other ranks)."""
    ckpt = None
    if run.ctx.is_main and run.ckpt_path.exists():
        where = "cpu" if run.ctx.enabled else run.device
        ckpt = torch.load(run.ckpt_path, map_location=where, weights_only=False)
    ckpt = distributed.broadcast(ckpt, run.ctx)
    if ckpt is None:
        return
    if ckpt["config"] != asdict(run.cfg):
        raise ValueError(f"checkpoint {run.ckpt_path} belongs to another config; move it away to start afresh")
    run.model.load_state_dict(ckpt["model"])
    run.optimizer.load_state_dict(ckpt["optimizer"])
    run.scheduler.load_state_dict(ckpt["scheduler"])
    run.progress = _Progress(ckpt["epoch"], ckpt["history"], ckpt["train_time"], ckpt.get("wall_time", 0.0),
                             ckpt["saved_states"])


def _train_epochs(run: _Run, show_progress: bool, reference: dict | None, save_state_at: tuple[int, ...],
                  callbacks: tuple[Callable[[dict], None], ...]) -> None:
    """Train from the run's current epoch to the last: metrics, a checkpoint and the callbacks after each epoch."""
    cfg, p = run.cfg, run.progress
    bar = tqdm(total=cfg.epochs * run.steps_per_epoch, initial=p.epoch * run.steps_per_epoch,
               disable=not (show_progress and run.ctx.is_main), desc=cfg.name()[:40], unit="step", dynamic_ncols=True)
    for epoch in range(p.epoch, cfg.epochs):
        t0 = time.perf_counter()
        before = signs.snapshot(run.model)
        loss, train_acc = _train_epoch(run, epoch, bar)
        if not math.isfinite(loss):
            bar.close()
            _diverged(run, loss, epoch)
        trained = signs.snapshot(run.model)  # before the epoch-end pruning, which would hide the flips it removes
        if cfg.pruning == "gmp":
            recipe.gmp_step(run.model, cfg, (epoch + 1) / cfg.epochs)
        p.train_time += time.perf_counter() - t0
        masks.check(run.model)
        metrics = _epoch_metrics(run, epoch, loss, train_acc, (before, trained), t0, reference)
        p.history.append(metrics)
        p.epoch = epoch + 1
        if epoch + 1 in save_state_at:
            p.saved_states[epoch + 1] = _plain_state(run.model)
        _save_checkpoint(run)
        bar.set_postfix(loss=f"{loss:.3f}", test=f"{metrics['test_acc']:.3f}")
        for callback in callbacks:
            callback(metrics)
    bar.close()


def _train_epoch(run: _Run, epoch: int, bar: tqdm) -> tuple[float, float]:
    """One pass over the training set with Sign-In's rescaling; the mean loss and accuracy over all ranks."""
    cfg, loader = run.cfg, run.loaders.train
    run.net.train()
    loader.set_epoch(epoch)
    loss_sum = torch.zeros((), device=run.device)
    correct = torch.zeros((), device=run.device)
    for i, (x, y) in enumerate(loader):
        step = epoch * run.steps_per_epoch + i
        loss, out = _step(run, x, y)
        run.scheduler.step()
        loss_sum += loss.detach() * len(y)
        correct += (out.argmax(1) == y).sum()
        if run.diagnostics is not None and run.rescale_steps and (step + 1) % run.rescale_steps == 0:
            run.diagnostics.before_reset(run.model, step + 1)
            signin.rescale(run.model)  # deterministic: every rank computes the same (m, w)
        if run.match_steps:
            stepmatch.apply(run.optimizer, run.scheduler, run.model, cfg, run.match_steps)
        bar.update(1)
    if run.ctx.enabled:
        totals = distributed.all_reduce_sum(torch.stack([loss_sum, correct.to(loss_sum.dtype)]), run.ctx)
        loss_sum, correct = totals[0], totals[1]
    n_seen = run.steps_per_epoch * cfg.batch_size
    return float(loss_sum) / n_seen, float(correct) / n_seen


def _diverged(run: _Run, loss: float, epoch: int) -> None:
    """Raise Divergence naming the epoch, the kept checkpoint and what to try."""
    history, ckpt_path, name = run.progress.history, run.ckpt_path, run.cfg.name()
    kept = (f"the last good checkpoint (epoch {history[-1]['epoch'] if history else 0}) is kept at {ckpt_path}"
            if ckpt_path.exists() else "no checkpoint had been written yet")
    raise Divergence(f"the training loss became {loss} in epoch {epoch + 1} of {name}; {kept}. "
                     f"Lower --lr (now {run.cfg.lr}) or check the data.")


def _epoch_metrics(run: _Run, epoch: int, loss: float, train_acc: float, sign_pair: tuple[dict, dict], t0: float,
                   reference: dict | None) -> dict:
    """The epoch's row of the history: losses, accuracies, learning rate, time, sparsity and sign statistics.

    ``sign_pair`` holds the signs at the epoch's start and after its last step, before any epoch-end pruning:
    the flips are those training made among the weights alive during the epoch (GMP prunes the small weights,
    the very ones that flip, so counting after pruning would drop them).
    """
    model, autocast = run.model, run.autocast
    before, after = sign_pair
    flips = signs.flips(before, after)
    nonzero, total = masks.count_nonzero(model)
    test_acc, test_loss = recipe.evaluate(model, run.loaders.test, autocast)
    val_acc = recipe.evaluate(model, run.loaders.val, autocast)[0] if run.loaders.val else None
    return {"epoch": epoch + 1, "loss": loss, "train_acc": train_acc, "test_acc": test_acc, "test_loss": test_loss,
            "val_acc": val_acc, "lr": run.optimizer.param_groups[0]["lr"], "time_s": time.perf_counter() - t0,
            "sparsity": 1 - nonzero / total, "sign_flips": flips,
            "sign_flip_fraction": signs.flip_fraction(flips, after),
            "sign_alignment": signs.alignment(model, reference) if reference is not None else None,
            "signin": run.diagnostics.epoch_end(model) if run.diagnostics is not None else None,
            **({"step_scale": stepmatch.current(run.optimizer, run.scheduler, model, run.cfg)}
               if run.cfg.step_match_every else {})}


def _save_checkpoint(run: _Run) -> None:
    """Rank 0 writes everything a resume needs, atomically."""
    if not run.ctx.is_main:
        return
    p = run.progress
    _save_atomic({"config": asdict(run.cfg), "model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
                  "scheduler": run.scheduler.state_dict(), "epoch": p.epoch, "history": p.history,
                  "train_time": p.train_time, "wall_time": run.wall_time(), "saved_states": p.saved_states},
                 run.ckpt_path)
    partial = {"schema": schema.PARTIAL, "name": run.cfg.name(), "config": asdict(run.cfg), "status": "partial",
               "env": _env(run), "history": p.history, "date": records.now()}
    records.write_record(partial, run.ckpt_path.parent, "partial")  # survives a kill


def _finish(run: _Run, splits: recipe.Splits, record_path: Path | None, extra: dict | None) -> dict:
    """Merge Sign-In, save the final weights and write the record (rank 0); every rank returns the record."""
    run.final_eval = _final_evaluation(run.model, run.cfg, splits, run.device, run.channels_last, run.autocast)
    if run.cfg.signin:
        signin.merge(run.model, keep_mask=True)
    if run.ctx.is_main:
        torch.save({"config": asdict(run.cfg), "state": _plain_state(run.model), "mask": masks.current(run.model),
                    "saved_states": run.progress.saved_states}, run.ckpt_path.parent / "final.pt")
    record = build_record(run, splits, extra)
    if record_path is not None and run.ctx.is_main:
        records.write_record(record, record_path.parent, record["name"])
    return record


def build_record(run: _Run, splits: recipe.Splits, extra: dict | None = None) -> dict:
    """The run record: config, history, final metrics, counts, cost, environment, data and how it was distributed."""
    cfg, history, ctx = run.cfg, run.progress.history, run.ctx
    peak, peak_kind = recipe.peak_memory(run.device)
    last = history[-1]
    return {
        "schema": schema.RUN, "name": cfg.name(), "run_id": cfg.run_id(), "method": cfg.method,
        "config": asdict(cfg), "history": history,
        "final": _final_metrics(last, len(splits.test[1]), run.final_eval),
        "counts": counting.count(run.model),
        "cost": {"wall_time_s": run.wall_time(), "train_time_s": run.progress.train_time,
                 "epoch_time_s_median": sorted(h["time_s"] for h in history)[len(history) // 2],
                 "peak_memory_bytes": peak, "peak_memory_kind": peak_kind},
        "env": _env(run),
        "distributed": {"world_size": ctx.world_size, "backend": ctx.backend, "global_batch": cfg.batch_size,
                        "per_device_batch": cfg.batch_size // ctx.world_size,
                        "batchnorm": "global-batch statistics (SyncBatchNorm2d)" if ctx.enabled else "local",
                        "evaluation": "sharded over ranks" if ctx.enabled else "one process"},
        "data": {"source": splits.source, "train_size": len(splits.train[1]),
                 "val_size": len(splits.val[1]) if splits.val is not None else 0, "test_size": len(splits.test[1]),
                 "final_test_size": run.final_eval.get("test_size", 0)},
        "date": records.now(), "status": "complete", **(extra or {}),
    }


def _env(run: _Run) -> dict:
    """Where the run ran, and whether its training steps were compiled (and why)."""
    return {**hardware.environment(run.device), "compiled": run.compile.compiled, "compile_note": run.compile.reason}


def _final_metrics(last: dict, test_size: int, final_eval: dict) -> dict:
    """The record's ``final``: the last epoch's metrics, or the final evaluation's test numbers when there is one
    (the last epoch's then kept as ``test_acc_last_epoch``/``test_loss_last_epoch``); ``test_set`` says which."""
    out = {"test_acc": last["test_acc"], "train_acc": last["train_acc"], "val_acc": last["val_acc"],
           "loss": last["loss"], "test_loss": last["test_loss"], "test_size": test_size, "test_set": "per-epoch"}
    if final_eval:
        out.update(final_eval, test_acc_last_epoch=last["test_acc"], test_loss_last_epoch=last["test_loss"])
    return out


def _final_evaluation(model: nn.Module, cfg: TrainConfig, splits: recipe.Splits, device: torch.device,
                      channels_last: bool, autocast: bool) -> dict:
    """The evaluation after training on ``splits.final_test`` when ``cfg.final_test_per_class`` asks for it:
    the record's final test accuracy and loss then come from it (``test_set: "final"``, with its size), and
    the last epoch's (per-epoch test set) values are kept as ``test_acc_last_epoch``/``test_loss_last_epoch``."""
    if cfg.final_test_per_class == 0:
        return {}
    if splits.final_test is None:
        raise ValueError(f"final_test_per_class={cfg.final_test_per_class!r} asks for a final evaluation, but the "
                         "given splits have no final_test; build them with recipe.load_splits(cfg) or set "
                         "recipe.Splits.final_test")
    loader = data.DeviceLoader(*splits.final_test, 500, train=False, device=device, channels_last=channels_last)
    acc, loss = recipe.evaluate(model, loader, autocast)
    return {"test_acc": acc, "test_loss": loss, "test_size": loader.num_examples, "test_set": "final"}


def _plain_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's effective weights as a plain ResNet state_dict (masks applied, Sign-In pairs multiplied out)."""
    out = {}
    for key, value in model.state_dict().items():
        if ".parametrizations." in key:
            continue
        out[key] = value.detach().clone()
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            out[f"{name}.weight"] = module.weight.detach().clone().contiguous()
    return out


def load_final(name_or_dir: str | os.PathLike, work_dir: str | os.PathLike = "runs") -> dict:
    """The saved end state of a finished run: config, plain weights, mask and any saved (rewind) states."""
    path = Path(name_or_dir)
    path = path if path.suffix == ".pt" else (path if path.is_dir() else Path(work_dir) / str(name_or_dir)) / "final.pt"
    if not path.exists():
        raise FileNotFoundError(f"no final state at {path}: the run has not finished (train it first)")
    return torch.load(path, map_location="cpu", weights_only=False)
