"""Which regime a run is in: how far weight decay shrinks Sign-In's m² − w² between resets, and how far the
learning-rate multiplier √(β² + 4θ²) departs from 1 at initialization (issue 21).

Between resets, gradient flow conserves m² − w² and weight decay λ (on m and on w) shrinks it by
exp(−2λη_t/(1 − μ)) per step, with η_t the step's learning rate and μ the momentum. Summed over steps,

    D = 2λ Σ_t η_t / (1 − μ)

over the whole run (what a run without resets loses: (m² − w²)/β ends near exp(−D)) and over each reset period (what
a reset has to undo). The learning rates are those of :func:`signin_lite.training.recipe.lr_lambda`, the steps
those of the training loop (the training images over the batch, the last partial batch dropped)::

    from signin_lite.foundations import config
    from signin_lite.training import regime
    print(regime.format_regimes([regime.regime(regime.PAPER_ASSUMED, "paper (assumed)"),
                                 regime.regime(config.make_config("cpu", epochs=20), "cpu, 20 epochs")]))
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from signin_lite.foundations import config
from signin_lite.core import masks, signin
from signin_lite.evidence import records
from signin_lite.training import recipe

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)

# The paper's (Gadhikar et al. 2025) schedule as assumed here: a 160-epoch CIFAR-10 schedule on all 50,000 training
# images, batch 128, lr 0.1, momentum 0.9, weight decay 5e-4. The paper's exact values are not published; the
# warm-up (the gpu profile's 5 epochs), the cosine decay, beta = 1 and the random 90% mask are this library's.
PAPER_ASSUMED = config.make_config("gpu", epochs=160, train_per_class=None, val_per_class=0, batch_size=128,
                                   lr=0.1, momentum=0.9, weight_decay=5e-4, mask="random", sparsity=0.9,
                                   signin=True, beta=1.0, rescale_every=1.0)
PAPER_LABEL = "paper's assumed schedule (exact values not published)"


@dataclass(frozen=True)
class Regime:
    """A config's decay exponents and initial multipliers (see the module docstring)."""

    name: str
    train_images: int
    steps_per_epoch: int
    steps: int
    reset_steps: int | None        # SGD steps between resets; None: never resets
    decay_run: float               # D over the whole run
    decay_periods: tuple[float, ...]  # D over each reset period, in order (the last may be partial); () without resets
    multiplier: dict[str, dict[str, float]]  # per layer: quantiles of √(β² + 4θ²) at init, and of 2|θ|, and β

    @property
    def decay_period_max(self) -> float:
        """The largest D of one reset period (at the peak learning rate); nan without resets."""
        return max(self.decay_periods) if self.decay_periods else math.nan

    @property
    def decay_period_median(self) -> float:
        """The median D of the reset periods; nan without resets."""
        return float(np.median(self.decay_periods)) if self.decay_periods else math.nan


def train_images(cfg: config.TrainConfig) -> int:
    """Training images of the config: ``train_per_class`` per class, else the 5,000 per class left after the
    validation split."""
    per_class = cfg.train_per_class if cfg.train_per_class is not None else 5000 - cfg.val_per_class
    return 10 * per_class


def steps_per_epoch(cfg: config.TrainConfig) -> int:
    """SGD steps per epoch, as the training loader gives them (the last partial batch is dropped)."""
    return train_images(cfg) // cfg.batch_size


def learning_rates(cfg: config.TrainConfig) -> np.ndarray:
    """The learning rate of every SGD step of the run (:func:`signin_lite.training.recipe.lr_lambda`)."""
    spe = steps_per_epoch(cfg)
    total = cfg.epochs * spe
    factor = recipe.lr_lambda(round(cfg.warmup_epochs * spe), total)
    return cfg.lr * np.array([factor(t) for t in range(total)])


def reset_steps(cfg: config.TrainConfig) -> int | None:
    """SGD steps between Sign-In resets, as the training loop counts them; None when the config never resets."""
    return max(1, round(cfg.rescale_every * steps_per_epoch(cfg))) if cfg.rescale_every else None


def decay_from_rates(rates: np.ndarray, weight_decay: float, momentum: float,
                     every: int | None) -> tuple[float, tuple[float, ...]]:
    """D = Σ 2λη_t/(1 − μ) over all ``rates``, and over each block of ``every`` steps (None: no blocks)."""
    per_step = 2 * weight_decay * np.asarray(rates, float) / (1 - momentum)
    if every is None:
        return float(per_step.sum()), ()
    return float(per_step.sum()), tuple(float(per_step[i:i + every].sum()) for i in range(0, len(per_step), every))


def decay(cfg: config.TrainConfig) -> tuple[float, tuple[float, ...]]:
    """D over the whole run, and D over each reset period (after the last reset, the rest of the run). λ is the
    decay on m and on w (``cfg.weight_decay``)."""
    return decay_from_rates(learning_rates(cfg), cfg.weight_decay, cfg.momentum, reset_steps(cfg))


def layer_betas(cfg: config.TrainConfig, names: list[str]) -> dict[str, float]:
    """β of every Sign-In layer of the config (``beta_output`` on the classifier when set)."""
    beta = signin.output_beta(cfg.beta, cfg.beta_output) if cfg.beta_output else cfg.beta
    return signin.layer_betas(names, beta)


def initial_weights(cfg: config.TrainConfig) -> dict[str, torch.Tensor]:
    """θ of the kept weights of every layer Sign-In would take (:func:`signin_lite.core.signin.target_names`), at the
    config's initialization and mask (those of seed ``cfg.seed``)."""
    model = recipe.build_model(dataclasses.replace(cfg, signin=False), torch.device("cpu"))
    kept, theta = masks.current(model), masks.effective_weights(model)
    return {n: theta[n].detach()[kept[n]] if n in kept else theta[n].detach().flatten()
            for n in signin.target_names(model)}


def multiplier_table(thetas: dict[str, torch.Tensor], betas: dict[str, float],
                     q: tuple[float, ...] = QUANTILES) -> dict[str, dict[str, float]]:
    """Per layer: β, the kept weights, the quantiles ``q`` of √(β² + 4θ²) (``m0.5`` is the median) and of 2|θ|
    (``t0.5``), and ``beta_over_2theta``, β over the median 2|θ|."""
    out = {}
    for name, theta in thetas.items():
        t, b = theta.double().abs().numpy(), betas[name]
        row = {"beta": b, "kept": float(t.size)}
        row.update({f"m{p:g}": float(np.quantile(np.sqrt(b * b + 4 * t * t), p)) for p in q})
        row.update({f"t{p:g}": float(np.quantile(2 * t, p)) for p in q})
        median = float(np.median(2 * t))
        row["beta_over_2theta"] = b / median if median > 0 else math.inf
        out[name] = row
    return out


def multiplier_quantiles(cfg: config.TrainConfig, q: tuple[float, ...] = QUANTILES) -> dict[str, dict[str, float]]:
    """:func:`multiplier_table` of the config's initial weights (:func:`initial_weights`) and β per layer."""
    thetas = initial_weights(cfg)
    return multiplier_table(thetas, layer_betas(cfg, list(thetas)), q)


def regime(cfg: config.TrainConfig, name: str = "") -> Regime:
    """The regime of ``cfg``: D over the run and per reset period, and the initial multipliers per layer."""
    run, periods = decay(cfg)
    return Regime(name or cfg.name(), train_images(cfg), steps_per_epoch(cfg), cfg.epochs * steps_per_epoch(cfg),
                  reset_steps(cfg), run, periods, multiplier_quantiles(cfg))


def summary_row(r: Regime) -> dict[str, str]:
    """One text row: the schedule, D over the run and per reset period, and the initial multipliers over layers."""
    mult = [v["m0.5"] for v in r.multiplier.values()]
    ratio = [v["beta_over_2theta"] for v in r.multiplier.values()]
    comparable = sum(0.5 <= x <= 2 for x in ratio)
    return {"setting": r.name, "images": f"{r.train_images:,}", "steps": f"{r.steps:,}",
            "reset every": f"{r.reset_steps} steps" if r.reset_steps else "never",
            "D run": f"{r.decay_run:.3g}", "exp(-D run)": f"{math.exp(-r.decay_run):.2g}",
            "D per reset (max, median)": (f"{r.decay_period_max:.3g}, {r.decay_period_median:.3g}"
                                          if r.decay_periods else "–"),
            "median multiplier (layers)": f"{min(mult):.3g}–{max(mult):.3g}",
            "β / median 2|θ| (layers)": f"{min(ratio):.2g}–{max(ratio):.2g}",
            "layers with β within 2× of median 2|θ|": f"{comparable} of {len(ratio)}"}


def short_row(r: Regime) -> dict[str, str]:
    """The book's six columns of :func:`summary_row`: how often it resets, D over the run and per reset period, the
    median multiplier and how many layers have β comparable to 2|θ|."""
    row = summary_row(r)
    return {"schedule": row["setting"], "reset every": row["reset every"], "D over the run": row["D run"],
            "D per reset period (largest)": f"{r.decay_period_max:.3g}" if r.decay_periods else "–",
            "median multiplier √(β² + 4θ²)": row["median multiplier (layers)"],
            "layers with β within 2× of 2|θ|": row["layers with β within 2× of median 2|θ|"]}


def format_regimes(regimes: list[Regime]) -> str:
    """The regimes side by side as a fixed-width table (:func:`summary_row`)."""
    return records.format_table([summary_row(r) for r in regimes])


def layer_rows(r: Regime) -> list[dict[str, str]]:
    """One text row per layer: kept weights, β, quantiles of 2|θ| and of the multiplier at initialization."""
    return [{"layer": name, "kept": f"{v['kept']:.0f}", "β": f"{v['beta']:g}",
             "2|θ| q10/50/90": f"{v['t0.1']:.3f} / {v['t0.5']:.3f} / {v['t0.9']:.3f}",
             "multiplier q10/50/90": f"{v['m0.1']:.3f} / {v['m0.5']:.3f} / {v['m0.9']:.3f}"}
            for name, v in r.multiplier.items()]
