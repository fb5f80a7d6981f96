"""The planted-ticket experiment: given a teacher's mask, does training find the teacher's signs?

A teacher is a small ReLU network without biases (``d_in -> hidden -> ... -> d_out``) whose hidden layers are
sparse with a known mask (every unit keeps the same number of inputs) and whose output layer is dense; its weights
have random signs and magnitudes bounded away from zero. Inputs are Gaussian, targets are the teacher's outputs.
Every student gets the teacher's mask and the same random magnitudes, and is trained by full-batch SGD:

- ``pai``: random signs, plain training (pruning at initialization with the right mask);
- ``signin``: the same start, trained with Sign-In (one beta for every layer, reset every ``rescale_every`` steps);
- ``signin_beta_out``: Sign-In with a larger beta on the output layer than on the hidden layers;
- ``pai_wd2x_masked``: plain training with twice the weight decay on the masked weights (Sign-In's m and w each
  carry the decay, so this is its matching control);
- ``signin_noreset``: Sign-In with uniform beta that never resets m^2 - w^2 (the paper's ablation);
- ``signin_step_out``: Sign-In with uniform beta whose output layer takes the step size ``signin_beta_out`` gives it
  (its gradients times mean sqrt(beta_out^2 + 4 theta^2) / mean sqrt(beta^2 + 4 theta^2) at the start, per seed):
  what a larger output beta does beyond a larger output step;
- ``transplant``: the teacher's signs with the random magnitudes, plain training (the reference: right signs).

Each run reports the final training and test loss (mean squared error divided by the targets' variance) and the
fraction of kept weights whose sign matches the teacher's. Arms share seeds: one seed fixes the teacher, the mask,
the data, the magnitudes and the random signs, so differences between arms are paired by seed. The seeds of one
arm train together as stacked tensors (they never interact), which makes 30 seeds cost about as much as a few.

    python -m signin_lite planted --profile cpu --out results/planted
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass

import torch
import torch.nn as nn

from signin_lite.foundations import config, schema
from signin_lite.core import masks, signin
from signin_lite.evidence import records, stats
from signin_lite.training import hardware

STUDENT_ARMS = ("pai", "signin", "signin_beta_out", "pai_wd2x_masked", "signin_noreset", "transplant",
                "signin_step_out")
LABELS = {"pai": "PaI (random signs)", "signin": "Sign-In, uniform β", "signin_beta_out": "Sign-In, β_out > β_in",
          "pai_wd2x_masked": "PaI, 2× decay on masked weights", "signin_noreset": "Sign-In, no resets",
          "transplant": "teacher's signs (transplant)", "signin_step_out": "Sign-In, uniform β, β_out's output step"}


PROFILES: dict[str, dict] = {
    "smoke": dict(steps=200, seeds=3, n_train=128, n_test=256),
    "cpu": dict(steps=2000, seeds=30),
    "usual": dict(steps=2000, seeds=30, weight_decay=5e-4),  # the cpu setting at the usual decay (issue 21)
}


@dataclass(frozen=True)
class PlantedConfig:
    """Everything that decides the experiment's result; its hash names the record. Built like the training config
    (:func:`signin_lite.foundations.config.from_profile`), with flags generated from these fields."""

    profile: str = config.option("smoke", "preset: smoke (3 seeds, seconds), cpu (30 seeds, the reference setting) "
                                 "or usual (cpu at the usual weight decay 5e-4)", choices=tuple(PROFILES),
                                 default_text="smoke")
    d_in: int = config.option(16, "teacher and student inputs")
    hidden: tuple[int, ...] = config.option((32, 32), "width of each hidden layer")
    d_out: int = config.option(4, "outputs")
    fan_in: tuple[int, ...] = config.option((4, 8), "kept inputs per unit of each hidden layer (the mask); the "
                                                    "output layer is dense")
    n_train: int = config.option(512, "training inputs (Gaussian)")
    n_test: int = config.option(2048, "test inputs (Gaussian)")
    steps: int = config.option(300, "full-batch SGD steps")
    lr: float = config.option(0.02, "learning rate")
    momentum: float = config.option(0.9, "SGD momentum")
    weight_decay: float = config.option(5e-3, "weight decay (on m and w under Sign-In); with lr/(1 - momentum) = "
                                              "0.2, m^2 - w^2 shrinks by about exp(-0.2) per 100 steps")
    beta: float = config.option(1.0, "Sign-In's beta in every layer (the uniform arm)")
    beta_in: float = config.option(1.0, "Sign-In's beta in the hidden layers of the beta_out > beta_in arm")
    beta_out: float = config.option(4.0, "Sign-In's beta in the output layer of the beta_out > beta_in arm")
    rescale_every: int = config.option(100, "steps between Sign-In resets (0: never)")
    seeds: int = config.option(3, "seeds 0 .. N-1; one seed fixes the teacher, mask, data and start")
    arms: tuple[str, ...] = config.option(STUDENT_ARMS, "arms to run: " + ", ".join(STUDENT_ARMS),
                                          metavar="ARM")  # checked by validate, which names the known ones
    curve_points: int = config.option(20, "test-loss values kept per run, evenly spaced over training")

    def __post_init__(self) -> None:
        validate(self)

    def run_id(self) -> str:
        blob = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def name(self) -> str:
        return f"planted_{self.profile}_seeds{self.seeds}_{self.run_id()}"




def validate(cfg: PlantedConfig) -> None:
    """Raise ValueError naming the first invalid field, its value and what is allowed."""
    def bad(name: str, allowed: str) -> ValueError:
        return ValueError(f"{name}={getattr(cfg, name)!r} is invalid: {allowed}")

    if cfg.profile not in PROFILES:
        raise bad("profile", f"choose one of {sorted(PROFILES)}")
    for name in ("d_in", "d_out", "n_train", "n_test", "steps", "seeds", "curve_points"):
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise bad(name, "it must be a positive whole number")
    if not cfg.hidden or any(isinstance(h, bool) or not isinstance(h, int) or h <= 0 for h in cfg.hidden):
        raise bad("hidden", "give one positive width per hidden layer, e.g. (32, 32)")
    fans_in = (cfg.d_in, *cfg.hidden[:-1])
    if len(cfg.fan_in) != len(cfg.hidden) or any(not 0 < k <= n for k, n in zip(cfg.fan_in, fans_in, strict=True)):
        raise bad("fan_in", f"give one kept-input count per hidden layer, each in 1..its input width {fans_in}")
    for name in ("lr", "beta", "beta_in", "beta_out"):
        v = getattr(cfg, name)
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise bad(name, "it must be a positive number")
    if not (math.isfinite(cfg.weight_decay) and cfg.weight_decay >= 0):
        raise bad("weight_decay", "it must be zero or positive")
    if not 0 <= cfg.momentum < 1:
        raise bad("momentum", "it must be in [0, 1)")
    if isinstance(cfg.rescale_every, bool) or not isinstance(cfg.rescale_every, int) or cfg.rescale_every < 0:
        raise bad("rescale_every", "it must be a whole number of steps, 0 for never")
    unknown = [a for a in cfg.arms if a not in STUDENT_ARMS]
    if unknown or not cfg.arms:
        raise bad("arms", f"choose from {list(STUDENT_ARMS)}")


def make_config(profile: str = "smoke", **overrides) -> PlantedConfig:
    """A PlantedConfig from a profile's presets plus overrides; unknown keys are refused."""
    tuples = {k: tuple(v) for k, v in overrides.items() if k in ("hidden", "fan_in", "arms") and v is not None}
    return config.from_profile(PlantedConfig, PROFILES, profile, {**overrides, **tuples}, "planted-ticket")


# --------------------------------------------------------------------------- teacher, data, students


def _layers(cfg: PlantedConfig) -> list[tuple[int, int]]:
    widths = (cfg.d_in, *cfg.hidden, cfg.d_out)
    return list(zip(widths[1:], widths[:-1], strict=True))  # (out, in) per layer


def _net(cfg: PlantedConfig) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i, (n_out, n_in) in enumerate(_layers(cfg)):
        mods += [nn.Linear(n_in, n_out, bias=False)] + ([nn.ReLU()] if i < len(cfg.hidden) else [])
    return nn.Sequential(*mods)


def weight_names(cfg: PlantedConfig) -> list[str]:
    """The weight names of the teacher and the students, input layer first."""
    return [f"{2 * i}.weight" for i in range(len(cfg.hidden) + 1)]


def teacher(cfg: PlantedConfig, seed: int) -> tuple[dict[str, torch.Tensor], masks.Mask]:
    """The teacher's weights and mask: ``fan_in[l]`` random inputs per hidden unit, a dense output layer, random
    signs, magnitudes uniform in [0.5, 1.5] times the He scale sqrt(2 / kept inputs)."""
    g = torch.Generator().manual_seed(10_000 + seed)
    weights, mask = {}, {}
    for i, ((n_out, n_in), name) in enumerate(zip(_layers(cfg), weight_names(cfg), strict=True)):
        k = cfg.fan_in[i] if i < len(cfg.hidden) else n_in
        keep = torch.zeros(n_out, n_in, dtype=torch.bool)
        for row in range(n_out):
            keep[row, torch.randperm(n_in, generator=g)[:k]] = True
        sign = torch.where(torch.rand(n_out, n_in, generator=g) < 0.5, -1.0, 1.0)
        size = (0.5 + torch.rand(n_out, n_in, generator=g)) * math.sqrt(2 / k)
        weights[name], mask[name] = torch.where(keep, sign * size, 0.0), keep
    return weights, mask


def student_start(cfg: PlantedConfig, seed: int, teacher_weights: dict[str, torch.Tensor], mask: masks.Mask,
                  teacher_signs: bool) -> dict[str, torch.Tensor]:
    """Random magnitudes |N(0, 2 / kept inputs)| on the mask, with random signs or the teacher's."""
    g = torch.Generator().manual_seed(20_000 + seed)
    out = {}
    for name in weight_names(cfg):
        keep = mask[name]
        k = int(keep[0].sum())
        size = torch.randn(keep.shape, generator=g).abs() * math.sqrt(2 / k)
        sign = torch.where(torch.rand(keep.shape, generator=g) < 0.5, -1.0, 1.0)
        if teacher_signs:
            sign = torch.sign(teacher_weights[name])
        out[name] = torch.where(keep, sign * size, 0.0)
    return out


def data(cfg: PlantedConfig, seed: int, net: nn.Module) -> tuple[torch.Tensor, ...]:
    """Gaussian inputs (training and test) and the teacher's outputs."""
    g = torch.Generator().manual_seed(30_000 + seed)
    x, tx = torch.randn(cfg.n_train, cfg.d_in, generator=g), torch.randn(cfg.n_test, cfg.d_in, generator=g)
    with torch.no_grad():
        return x, net(x), tx, net(tx)


# --------------------------------------------------------------------------- training, all seeds of one arm at once


def _stack(items: list[dict[str, torch.Tensor]], name: str) -> torch.Tensor:
    return torch.stack([item[name] for item in items])


def layer_betas(cfg: PlantedConfig, arm: str) -> list[float] | None:
    """Sign-In's beta per layer for an arm (None for the plain arms)."""
    n = len(cfg.hidden) + 1
    if arm in ("signin", "signin_noreset", "signin_step_out"):
        return [cfg.beta] * n
    if arm == "signin_beta_out":
        return [cfg.beta_in] * (n - 1) + [cfg.beta_out]
    return None


class _Students:
    """The students of one arm for several seeds, as stacked tensors [seed, out, in]: plain weights, or Sign-In's
    (m, w) pairs made and reset by :func:`signin_lite.core.signin.balanced_factors` (the library's formula)."""

    def __init__(self, start: list[torch.Tensor], mask: list[torch.Tensor], betas: list[float] | None) -> None:
        self.mask, self.betas = mask, betas
        if betas is None:
            self.params = [[t.clone().requires_grad_()] for t in start]
        else:
            self.params = [[f.requires_grad_() for f in signin.balanced_factors(torch.where(k, t, 0.0), b)]
                           for t, k, b in zip(start, mask, betas, strict=True)]

    def weights(self) -> list[torch.Tensor]:
        return [torch.where(k, p[0] * p[1] if len(p) == 2 else p[0], 0.0)
                for p, k in zip(self.params, self.mask, strict=True)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.weights()
        for i, w in enumerate(weights):
            x = torch.bmm(x, w.transpose(1, 2))
            x = x.clamp_min(0) if i < len(weights) - 1 else x
        return x

    @torch.no_grad()
    def rescale(self) -> None:
        for (m, w), k, b in zip(self.params, self.mask, self.betas or [], strict=False):
            new_m, new_w = signin.balanced_factors(torch.where(k, m * w, 0.0), b)
            m.copy_(new_m)
            w.copy_(new_w)


def output_step_factor(cfg: PlantedConfig, theta: torch.Tensor) -> torch.Tensor:
    """[seed, 1, 1]: mean sqrt(beta_out^2 + 4 theta^2) / mean sqrt(beta^2 + 4 theta^2) over each seed's output weights
    ``theta`` [seed, out, in] (dense): how much larger beta_out makes the output layer's step at the start."""
    t2 = 4 * theta.double() ** 2
    ratio = (cfg.beta_out ** 2 + t2).sqrt().flatten(1).mean(1) / (cfg.beta ** 2 + t2).sqrt().flatten(1).mean(1)
    return ratio.to(theta.dtype)[:, None, None]


def _scale_output_step(cfg: PlantedConfig, students: _Students) -> None:
    """Multiply the gradients of the output layer's m and w by :func:`output_step_factor` (the decay is not scaled,
    as under a larger beta)."""
    m, w = students.params[-1]
    factor = output_step_factor(cfg, (m * w).detach())
    for p in (m, w):
        p.register_hook(lambda g, f=factor: g * f)


def _recovery(weights: list[torch.Tensor], teacher_w: list[torch.Tensor], mask: list[torch.Tensor]) -> torch.Tensor:
    """[seed, layer + 1]: per layer and over all kept weights, the fraction with the teacher's sign."""
    hits = [((torch.sign(w) == torch.sign(t)) & k).flatten(1).sum(1).double()
            for w, t, k in zip(weights, teacher_w, mask, strict=True)]
    kept = [k.flatten(1).sum(1).double() for k in mask]
    per_layer = [h / n for h, n in zip(hits, kept, strict=True)]
    return torch.stack(per_layer + [sum(hits) / sum(kept)], dim=1)


def train_arm(cfg: PlantedConfig, arm: str, seeds: list[int]) -> list[dict]:
    """Train one arm's students for ``seeds`` at once (batched: each seed's numbers are those of its own run)."""
    if arm not in STUDENT_ARMS:
        raise ValueError(f"unknown arm {arm!r}; known arms are {list(STUDENT_ARMS)}")
    names = weight_names(cfg)
    teachers = [teacher(cfg, s) for s in seeds]
    teacher_w = [_stack([t[0] for t in teachers], n) for n in names]
    mask = [_stack([t[1] for t in teachers], n) for n in names]
    batches = []
    for s, (w, _) in zip(seeds, teachers, strict=True):
        net = _net(cfg)
        net.load_state_dict(w)
        batches.append(data(cfg, s, net))
    x, y, tx, ty = (torch.stack([b[i] for b in batches]) for i in range(4))
    var, tvar = y.flatten(1).var(1), ty.flatten(1).var(1)
    starts = [student_start(cfg, s, t[0], t[1], arm == "transplant") for s, t in zip(seeds, teachers, strict=True)]
    students = _Students([_stack(starts, n) for n in names], mask, layer_betas(cfg, arm))
    start_recovery = _recovery(students.weights(), teacher_w, mask)[:, -1]
    factor = 2.0 if arm == "pai_wd2x_masked" else 1.0
    opt = torch.optim.SGD([p for pair in students.params for p in pair], lr=cfg.lr, momentum=cfg.momentum,
                          weight_decay=factor * cfg.weight_decay)
    resets = cfg.rescale_every if arm in ("signin", "signin_beta_out", "signin_step_out") else 0
    if arm == "signin_step_out":
        _scale_output_step(cfg, students)
    every = max(1, cfg.steps // cfg.curve_points)
    curve, t0 = [], time.perf_counter()
    for step in range(cfg.steps):
        loss = (((students.forward(x) - y) ** 2).flatten(1).mean(1) / var).sum()  # seeds do not interact
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if resets and (step + 1) % resets == 0:
            students.rescale()
        if (step + 1) % every == 0:
            with torch.no_grad():
                curve.append((((students.forward(tx) - ty) ** 2).flatten(1).mean(1) / tvar).tolist())
    seconds = (time.perf_counter() - t0) / len(seeds)
    with torch.no_grad():
        train_loss = (((students.forward(x) - y) ** 2).flatten(1).mean(1) / var).tolist()
        test_loss = (((students.forward(tx) - ty) ** 2).flatten(1).mean(1) / tvar).tolist()
        end = _recovery(students.weights(), teacher_w, mask)
    return [{"arm": arm, "seed": s, "train_loss": train_loss[i], "test_loss": test_loss[i],
             "sign_recovery": float(end[i, -1]), "sign_recovery_init": float(start_recovery[i]),
             "sign_recovery_by_layer": dict(zip(names, end[i, :-1].tolist(), strict=True)), "time_s": seconds,
             "test_loss_curve": [c[i] for c in curve]} for i, s in enumerate(seeds)]


# --------------------------------------------------------------------------- the experiment and its record


def run(cfg: PlantedConfig, progress: bool = False) -> dict:
    """Every arm for seeds 0 .. cfg.seeds - 1, on one CPU thread; returns the record."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: more threads only wait on each other
    try:
        env = hardware.environment(torch.device("cpu"))
        t0, runs = time.perf_counter(), []
        for arm in cfg.arms:
            runs += train_arm(cfg, arm, list(range(cfg.seeds)))
            if progress:
                print(f"{arm}: {cfg.seeds} seeds done ({time.perf_counter() - t0:.0f} s)", flush=True)
        wall = time.perf_counter() - t0
        every = max(1, cfg.steps // cfg.curve_points)
    finally:
        torch.set_num_threads(before)
    times = sorted(r["time_s"] for r in runs)
    return {"schema": schema.PLANTED, "name": cfg.name(), "run_id": cfg.run_id(), "config": dataclasses.asdict(cfg),
            "runs": runs, "curve_steps": [every * (i + 1) for i in range(cfg.steps // every)],
            "cost": {"wall_time_s": wall, "run_time_s_median": times[len(times) // 2],
                     "note": "time_s is an arm's training time divided by its seeds (the seeds train batched)"},
            "env": env, "date": records.now(), "status": "complete"}


def write(record: dict, folder: str) -> str:
    """Write the record atomically as ``folder/<name>.json``; returns the path."""
    return str(records.write_json_atomic(record, f"{folder}/{record['name']}.json"))


def load(folder: str) -> list[dict]:
    """Every planted-ticket record in a folder (recursively), sorted by name."""
    return records.load_records(folder, schema=schema.PLANTED)


# --------------------------------------------------------------------------- intervals


def _by_arm(record: dict, metric: str) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for r in record["runs"]:
        out.setdefault(r["arm"], {})[r["seed"]] = r[metric]
    return out


def arm_table(record: dict, metric: str = "sign_recovery") -> list[dict]:
    """Per arm: seeds, mean and Student-t 95% interval of ``metric`` over seeds."""
    rows = []
    for arm, values in _by_arm(record, metric).items():
        mean, lo, hi = stats.mean_interval(list(values.values()))
        rows.append({"arm": arm, "label": LABELS[arm], "metric": metric, "n": len(values), "mean": mean,
                     "low": math.nan if lo is None else lo, "high": math.nan if hi is None else hi})
    return rows


def difference(record: dict, arm: str, baseline: str, metric: str = "sign_recovery") -> stats.Difference:
    """``arm - baseline`` paired by the seeds both ran (:func:`signin_lite.evidence.stats.paired`)."""
    by = _by_arm(record, metric)
    for a in (arm, baseline):
        if a not in by:
            raise ValueError(f"the record has no arm {a!r}; it has {sorted(by)}")
    seeds = sorted(set(by[arm]) & set(by[baseline]))
    return stats.paired([by[arm][x] for x in seeds], [by[baseline][x] for x in seeds])


def paired_difference(record: dict, arm: str, baseline: str, metric: str = "sign_recovery") -> dict:
    """``arm - baseline`` paired by seed: mean difference, Student-t 95% interval, and the paired t-test's p."""
    d = difference(record, arm, baseline, metric)
    nan = lambda v: math.nan if v is None else v  # noqa: E731
    return {"arm": arm, "baseline": baseline, "metric": metric, "n": d.n_treatment, "mean": d.estimate,
            "low": nan(d.low), "high": nan(d.high), "p": nan(d.p)}


def arm_values(record: dict, arm: str, metric: str = "sign_recovery") -> list[float]:
    """``metric`` of every seed of one arm, in seed order."""
    return [v for _, v in sorted(_by_arm(record, metric)[arm].items())]


def mean_curve(record: dict, arm: str, key: str = "test_loss_curve") -> list[float]:
    """The per-step mean over seeds of one arm's curve (``record["curve_steps"]`` are its steps)."""
    curves = [r[key] for r in record["runs"] if r["arm"] == arm]
    return [sum(v) / len(v) for v in zip(*curves, strict=True)]


def reference(folder: str, profile: str = "cpu") -> dict | None:
    """The newest record of ``profile`` in ``folder`` (None when there is none)."""
    found = [r for r in load(folder) if r["config"]["profile"] == profile] if os.path.isdir(folder) else []
    return found[-1] if found else None


def finding(d: dict, unit: str, better: str) -> str:
    """One sentence on a :func:`paired_difference`: which side the interval excludes zero on, or what it rules out."""
    text = f"{d['arm']} - {d['baseline']} ({d['metric']}): {d['mean']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] {unit}"
    if d["low"] > 0:
        return text + f": higher ({'better' if better == 'higher' else 'worse'}), the interval excludes 0"
    if d["high"] < 0:
        return text + f": lower ({'better' if better == 'lower' else 'worse'}), the interval excludes 0"
    return (text + f": no detectable difference; a difference above {d['high']:+.4f} or below {d['low']:+.4f} "
            "is ruled out here")


COMPARISONS = (("signin", "pai"), ("signin", "pai_wd2x_masked"), ("signin_beta_out", "pai"),
               ("signin_beta_out", "pai_wd2x_masked"), ("signin", "signin_noreset"), ("pai_wd2x_masked", "pai"),
               ("transplant", "pai"), ("signin_beta_out", "signin"), ("signin_beta_out", "signin_step_out"),
               ("signin_step_out", "signin"))
METRICS = (("sign_recovery", "higher"), ("test_loss", "lower"))  # each metric and which direction is better


def comparisons(record: dict, metric: str = "sign_recovery") -> list[dict]:
    """The planned paired comparisons (those whose arms the record has)."""
    arms = {r["arm"] for r in record["runs"]}
    return [paired_difference(record, a, b, metric) for a, b in COMPARISONS if a in arms and b in arms]


def adjusted(record: dict) -> list[dict]:
    """Every planned comparison on every metric of :data:`METRICS`, and PaI's sign fraction at the end against its
    start (P2; baseline ``"pai_start"``), with Holm's adjustment across all of them (``p_holm``) and the stats rule's
    ``reading`` in the metric's own direction: a gain is a higher sign fraction or a lower loss."""
    arms = {r["arm"] for r in record["runs"]}
    planned = [(a, b, m, better, difference(record, a, b, m)) for m, better in METRICS for a, b in COMPARISONS
               if a in arms and b in arms]
    if "pai" in arms:
        end, start = arm_values(record, "pai"), arm_values(record, "pai", "sign_recovery_init")
        planned.append(("pai", "pai_start", "sign_recovery", "higher", stats.paired(end, start)))
    rows = []
    for (a, b, m, better, _), d in zip(planned, stats.adjust([x[-1] for x in planned]), strict=True):
        reading = d.reading()
        if better == "lower" and reading in ("gain", "loss"):
            reading = "loss" if reading == "gain" else "gain"
        rows.append({"arm": a, "baseline": b, "metric": m, "n": d.n_treatment, "mean": d.estimate,
                     "low": math.nan if d.low is None else d.low, "high": math.nan if d.high is None else d.high,
                     "p": math.nan if d.p is None else d.p, "p_holm": d.p_adjusted, "reading": reading})
    return rows


_WORDS = {  # what each reading says, per metric, in plain words
    "sign_recovery": {"gain": "ends with clearly more of the teacher's signs than",
                      "loss": "ends with clearly fewer of the teacher's signs than",
                      "borderline": "ends with a sign fraction that differs only before adjusting from",
                      "no clear difference": "ends with a sign fraction not detectably different from",
                      "unavailable": "cannot be compared (too few seeds) with"},
    "test_loss": {"gain": "reaches a clearly lower test loss than", "loss": "reaches a clearly higher test loss than",
                  "borderline": "reaches a test loss that differs only before adjusting from",
                  "no clear difference": "reaches a test loss not detectably different from",
                  "unavailable": "cannot be compared (too few seeds) with"}}
_HYPOTHESES = (("P1, the teacher's signs fit better", "transplant", "pai", "test_loss"),
               ("P2, PaI keeps the sign fraction it started with", "pai", "pai_start", "sign_recovery"),
               ("P3, Sign-In recovers more signs than PaI", "signin", "pai", "sign_recovery"),
               ("P3, ... and than the matching control", "signin", "pai_wd2x_masked", "sign_recovery"),
               ("P3, ... and reaches a lower test loss than PaI", "signin", "pai", "test_loss"),
               ("P4, β_out > β_in recovers more signs than uniform β", "signin_beta_out", "signin", "sign_recovery"),
               ("P4, β_out beyond its larger output step (loss)", "signin_beta_out", "signin_step_out", "test_loss"),
               ("P5, the resets recover signs", "signin", "signin_noreset", "sign_recovery"),
               ("P5, the resets lower the test loss", "signin", "signin_noreset", "test_loss"))


def plain_reading(record: dict) -> list[str]:
    """One sentence per hypothesis in plain words, by the Holm-adjusted reading of :func:`adjusted` (comparisons
    whose arms the record lacks are left out)."""
    rows = {(r["arm"], r["baseline"], r["metric"]): r for r in adjusted(record)}
    unit = {"sign_recovery": "pp of teacher signs", "test_loss": "test loss"}
    lines = []
    for claim, a, b, m in _HYPOTHESES:
        r = rows.get((a, b, m))
        if r is None:
            continue
        scale = 100 if m == "sign_recovery" else 1
        lines.append(f"{claim}: {LABELS.get(a, a)} {_WORDS[m][r['reading']]} "
                     f"{'PaI at the start' if b == 'pai_start' else LABELS.get(b, b)}: {scale * r['mean']:+.3g} "
                     f"{unit[m]} [{scale * r['low']:+.3g}, {scale * r['high']:+.3g}], Holm p = {r['p_holm']:.2g}")
    return lines


def format_rows(rows: list[dict], digits: int = 4) -> str:
    """A fixed-width table of :func:`arm_table` or :func:`comparisons` rows."""
    if not rows:
        return "(no rows)"
    name = (lambda r: r["label"]) if "label" in rows[0] else (lambda r: f"{r['arm']} - {r['baseline']}")  # noqa: E731
    lines = []
    for r in rows:
        extra = f"  p={r['p']:.2g}" if "p" in r and not math.isnan(r["p"]) else ""
        lines.append(f"{name(r):<42} n={r['n']:<3} {r['mean']:+.{digits}f}  "
                     f"[{r['low']:+.{digits}f}, {r['high']:+.{digits}f}]{extra}")
    return "\n".join(lines)


__all__ = ["STUDENT_ARMS", "COMPARISONS", "LABELS", "PlantedConfig", "PROFILES", "adjusted", "arm_table", "comparisons",
           "difference", "load", "make_config", "paired_difference", "run", "teacher", "train_arm", "write"]
