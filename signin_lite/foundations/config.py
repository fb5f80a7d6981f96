"""Run configuration: one typed dataclass, three profiles (smoke, cpu, gpu) and CLI flags generated from it."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

# The mask kinds that signin_lite.core.pruning can make (its registry is checked against this tuple)
MASK_KINDS: tuple[str, ...] = ("random", "erk", "er", "balanced", "snip", "synflow", "magnitude", "magnitude_layerwise")
MASK_CHOICES = ("none", *MASK_KINDS)
PRUNING_CHOICES = ("init", "gmp")
COMPILE_CHOICES = ("auto", "on", "off")  # the modes of signin_lite.training.compiling
# Where ad-hoc run records go unless told otherwise: git-ignored, never read by the book (results/ holds only the
# reference records, written when a command is told to)
RUNS_RESULTS = "runs/results"


def option(default: Any, help: str, **kw: Any) -> Any:
    """A config field with its command-line help (and optional ``choices``, ``default_text``) in its metadata: every
    config dataclass declares its fields this way, and :func:`add_arguments` turns them into flags."""
    return field(default=default, metadata={"help": help, **kw})


@dataclass
class TrainConfig:
    """Everything that decides a training run's result. Its hash names the run."""

    profile: str = option("smoke", "preset the other defaults come from: smoke (CI, seconds), cpu (a laptop, "
                                   "minutes), gpu (full CIFAR-10)", default_text="$SIGNIN_LITE_PROFILE, else smoke")
    depth: int = option(20, "CIFAR ResNet depth: 8, 14, 20, 32, 44, 56 or 110")
    width: float = option(1.0, "channel width multiplier of the ResNet")
    mask: str = option("erk", "mask method: " + ", ".join(MASK_CHOICES) + " (none = dense; random = the same density "
                       "in every layer; erk, er, balanced = random masks with those layer-wise densities)",
                       choices=MASK_CHOICES)
    sparsity: float = option(0.9, "fraction of masked conv/linear weights, in [0, 1)")
    pruning: str = option("init", "when the mask is made: init (pruning at initialization) or gmp (gradual magnitude "
                                  "pruning from dense)",
                          choices=PRUNING_CHOICES)
    gmp_start: float = option(0.1, "gmp: fraction of training after which pruning starts")
    gmp_end: float = option(0.6, "gmp: fraction of training by which the final sparsity is reached")
    signin: bool = option(False, "train with Sign-In (theta = m * w, rescaled to m^2 - w^2 = beta)")
    beta: float = option(1.0, "Sign-In: target m^2 - w^2 of every layer")
    beta_output: float | None = option(None, "Sign-In: beta of the output (fc) layer; default: same as --beta")
    rescale_every: float = option(1.0, "Sign-In: rescale every this many epochs (fractions allowed: 0.5 = twice an "
                                       "epoch; 0 = never, the no-reset ablation)")
    epochs: int = option(2, "training epochs")
    batch_size: int = option(128, "batch size")
    lr: float = option(0.1, "peak learning rate of SGD")
    momentum: float = option(0.9, "SGD momentum (Nesterov unless --no-nesterov)")
    nesterov: bool = option(True, "Nesterov momentum (--no-nesterov: heavy-ball momentum)")
    weight_decay: float = option(5e-4, "weight decay (on m and w under Sign-In)")
    weight_decay_masked_factor: float = option(1.0, "multiplies the weight decay of exactly the weights Sign-In "
                                                    "reparameterizes (the masked conv/linear weights; not BatchNorm, "
                                                    "not biases, not dense first/last layers); 2 = the matching "
                                                    "control of Sign-In")
    step_match_every: float = option(0.0, "every this many epochs (and at the start), scale each masked layer's "
                                          "learning rate so that its mean step matches Sign-In's right after a reset, "
                                          "mean sqrt(beta^2 + 4 theta^2) (signin_lite.training.stepmatch; 0 = off): "
                                          "the step-size-matched controls")
    warmup_epochs: float = option(1.0, "linear learning-rate warm-up before the cosine decay, in epochs")
    label_smoothing: float = option(0.0, "label smoothing of the cross-entropy loss")
    seed: int = option(0, "seed of the initialization, the mask and the data order")
    train_per_class: int | None = option(None, "training images per class (None: all 5000)")
    val_per_class: int = option(0, "images per class held out of the training set for validation (tuning without the "
                                   "test set)")
    test_per_class: int | None = option(None, "test images per class of the per-epoch evaluation (None: all 1000)")
    final_test_per_class: int | None = option(0, "test images per class of one more evaluation after training "
                                                 "(None: all 1000, the full 10,000-image test set; 0: none)")
    dense_first_last: bool = option(False, "keep the first conv and the classifier (fc) dense: the mask and Sign-In "
                                           "cover the other layers, and --sparsity is their sparsity")
    tag: str = option("", "free label appended to the method name, e.g. wd2x for a weight-decay control")
    compile: str = option("auto", "torch.compile the model's forward and backward: on, off, or auto (only where it "
                                  "pays back: a long enough run on a CPU or CUDA device; the rule and its numbers are "
                                  "in signin_lite.training.compiling); --compile = on, --no-compile = off",
                          choices=COMPILE_CHOICES, switch=True)

    def __post_init__(self) -> None:
        validate(self)

    @property
    def method(self) -> str:
        """The method's short name in records: dense, pai, gmp, with _signin and the tag appended."""
        base = "dense" if self.is_dense else ("gmp" if self.pruning == "gmp" else "pai")
        return base + ("_signin" if self.signin else "") + (f"_{self.tag}" if self.tag else "")

    @property
    def is_dense(self) -> bool:
        return self.mask == "none" or self.sparsity == 0

    def run_id(self) -> str:
        """12 hex characters naming this configuration.

        Fields added after the first records (``LATER_FIELDS``) count only when they differ from their default,
        so the run ids of older records stay valid.
        """
        values = {k: v for k, v in dataclasses.asdict(self).items()
                  if k not in LATER_FIELDS or v != LATER_FIELDS[k]}
        blob = json.dumps(values, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def name(self) -> str:
        """A readable file stem: method, mask, sparsity, seed and the run id."""
        mask = "dense" if self.is_dense else f"{self.mask}-s{self.sparsity:g}"
        return f"{self.method}_{mask}_seed{self.seed}_{self.run_id()}"

    def __str__(self) -> str:
        base = PROFILES.get(self.profile, {})
        changed = {f.name: getattr(self, f.name) for f in fields(self)
                   if f.name != "profile" and getattr(self, f.name) != base.get(f.name, f.default)}
        return f"TrainConfig(profile={self.profile}" + "".join(f", {k}={v!r}" for k, v in changed.items()) + ")"


# Fields added after the first records, with the default that leaves them out of the run id.
LATER_FIELDS: dict[str, object] = {"nesterov": True, "weight_decay_masked_factor": 1.0, "final_test_per_class": 0,
                                   "dense_first_last": False, "step_match_every": 0.0,
                                   "compile": "auto"}

PROFILES: dict[str, dict] = {
    "smoke": dict(depth=8, epochs=2, batch_size=64, train_per_class=40, test_per_class=20, warmup_epochs=0.5),
    "cpu": dict(depth=20, epochs=12, batch_size=128, train_per_class=500, val_per_class=50, test_per_class=200,
                warmup_epochs=1.0),
    "gpu": dict(depth=20, epochs=160, batch_size=128, train_per_class=None, test_per_class=None, warmup_epochs=5.0,
                weight_decay=1e-4),
}


def validate(cfg: TrainConfig) -> None:
    """Raise ValueError naming the first invalid field, its value and what is allowed."""
    def bad(name: str, allowed: str) -> ValueError:
        return ValueError(f"{name}={getattr(cfg, name)!r} is invalid: {allowed}")

    if cfg.profile not in PROFILES:
        raise bad("profile", f"choose one of {sorted(PROFILES)}")
    if cfg.mask not in MASK_CHOICES:
        raise bad("mask", f"choose one of {list(MASK_CHOICES)}")
    if cfg.pruning not in PRUNING_CHOICES:
        raise bad("pruning", f"choose one of {list(PRUNING_CHOICES)}")
    if cfg.compile not in COMPILE_CHOICES:
        raise bad("compile", f"choose one of {list(COMPILE_CHOICES)}")
    s = cfg.sparsity
    if isinstance(s, bool) or not isinstance(s, (int, float)) or not (0 <= s < 1):
        raise bad("sparsity", "it must be a number in [0, 1), e.g. 0.9 for 90% of weights removed")
    for name in ("epochs", "batch_size"):
        if getattr(cfg, name) <= 0:
            raise bad(name, "it must be a positive whole number")
    for name in ("lr", "beta", "width"):
        v = getattr(cfg, name)
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise bad(name, "it must be a positive number")
    for name, what in (("rescale_every", "epochs between Sign-In resets (0 = never)"),
                       ("step_match_every", "epochs between step-size matches (0 = never)"),
                       ("weight_decay_masked_factor", "e.g. 2 for the matching control")):
        v = getattr(cfg, name)
        if isinstance(v, bool) or not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise bad(name, f"it must be zero or a positive number: {what}")
    for name in ("nesterov", "dense_first_last", "signin"):
        if not isinstance(getattr(cfg, name), bool):
            raise bad(name, "it must be True or False")
    if cfg.beta_output is not None and not (math.isfinite(cfg.beta_output) and cfg.beta_output > 0):
        raise bad("beta_output", "it must be a positive number or None")
    for name in ("weight_decay", "warmup_epochs", "label_smoothing"):
        if not getattr(cfg, name) >= 0:
            raise bad(name, "it must be zero or positive")
    if not 0 <= cfg.momentum < 1:
        raise bad("momentum", "it must be in [0, 1)")
    if not 0 <= cfg.gmp_start < cfg.gmp_end <= 1:
        raise ValueError(f"gmp_start={cfg.gmp_start} and gmp_end={cfg.gmp_end} must satisfy 0 <= start < end <= 1")
    for name in ("train_per_class", "test_per_class"):
        v = getattr(cfg, name)
        if v is not None and v <= 0:
            raise bad(name, "it must be a positive number of images per class, or None for all")
    v = cfg.final_test_per_class
    if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
        raise bad("final_test_per_class", "it must be None (all 1000 per class), 0 (no final evaluation) or a "
                                          "positive number of images per class")
    if cfg.val_per_class < 0:
        raise bad("val_per_class", "it must be zero or positive")
    if cfg.pruning == "gmp" and cfg.is_dense:
        raise ValueError("pruning='gmp' needs a sparsity above 0 and a mask other than 'none'")
    if cfg.dense_first_last and cfg.is_dense:
        raise ValueError("dense_first_last=True needs a sparse run (a mask other than 'none' and a sparsity above 0): "
                         "a dense run has no mask to keep the first and last layers out of")


def default_profile() -> str:
    """The profile named by SIGNIN_LITE_PROFILE, else smoke."""
    profile = os.environ.get("SIGNIN_LITE_PROFILE", "smoke")
    if profile not in PROFILES:
        raise ValueError(f"SIGNIN_LITE_PROFILE={profile!r} is not a profile; choose one of {sorted(PROFILES)}")
    return profile


def make_config(profile: str | None = None, **overrides) -> TrainConfig:
    """A TrainConfig from a profile's presets plus overrides; unknown keys are refused."""
    return from_profile(TrainConfig, PROFILES, profile or default_profile(), overrides)


def from_profile(cls: type, profiles: dict[str, dict], profile: str, overrides: dict, what: str = "") -> Any:
    """``cls`` built from a profile's presets plus overrides: an unknown profile or key is a ValueError naming it
    and the known ones (``what`` names the kind of config in the message)."""
    kind = f"{what} " if what else ""
    if profile not in profiles:
        raise ValueError(f"profile={profile!r} is not a {kind}profile; choose one of {sorted(profiles)}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown {kind}config keys {unknown}; known keys are {sorted(known)}")
    return cls(**{**profiles[profile], **overrides, "profile": profile})


def add_arguments(parser: argparse.ArgumentParser, cls: type = TrainConfig, exclude: tuple[str, ...] = ()) -> None:
    """Add one --flag per field of the config dataclass ``cls`` (help from the field's metadata); unset flags stay
    absent, so the profile's presets apply. Tuple fields take several values (``--hidden 32 32``)."""
    for f in fields(cls):
        if f.name in exclude:
            continue
        flag = "--" + f.name.replace("_", "-")
        default = f.metadata.get("default_text", "the profile's" if f.name == "profile" else
                                 f"{f.default!r}, or the profile's preset")
        help_text = f.metadata["help"] + f" (default: {default})"
        if f.metadata.get("switch"):  # --flag (on), --flag VALUE, --no-flag (off)
            parser.add_argument(flag, nargs="?", const="on", choices=f.metadata["choices"], default=argparse.SUPPRESS,
                                help=help_text)
            parser.add_argument("--no-" + flag[2:], dest=f.name, action="store_const", const="off",
                                default=argparse.SUPPRESS, help=f"same as {flag} off")
            continue
        kind = str(f.type).split(" ")[0]
        if kind == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS, help=help_text)
            continue
        if kind.startswith("tuple["):
            item = {"int": int, "float": float}.get(kind[len("tuple["):].split(",")[0], str)
            parser.add_argument(flag, type=item, nargs="+", default=argparse.SUPPRESS, help=help_text,
                                choices=f.metadata.get("choices"), metavar=f.metadata.get("metavar"))
            continue
        parse = {"int": int, "float": float, "str": str}.get(kind, str)
        if "None" in str(f.type):
            parse = _optional(int if "int" in str(f.type) else float)
        parser.add_argument(flag, type=parse, default=argparse.SUPPRESS, choices=f.metadata.get("choices"),
                            help=help_text)


def _optional(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return None if text.lower() in ("none", "all") else kind(text)
    parse.__name__ = kind.__name__
    return parse


def overrides_from_args(args: argparse.Namespace, cls: type = TrainConfig) -> dict:
    """The fields of the config dataclass ``cls`` that a user actually set on the command line (tuples as tuples)."""
    names = {f.name for f in fields(cls)} - {"profile"}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in vars(args).items() if k in names}
