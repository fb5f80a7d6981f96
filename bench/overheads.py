"""Goals 2 and 3: what a mask and Sign-In cost on top of the dense run, in time and in memory, and the merged
Sign-In model's inference time.

Time: three library runs (``train.train``, one epoch each, on the same data and batches): dense, masked (PaI,
ERK 90 %) and masked + Sign-In (beta 1, rescaled every epoch), run once per repeat in rotating order. The
library's own timings are compared: the training part (``cost.train_time_s``) and the whole epoch (``time_s``).

Step: the same three models' inner training step alone (``train.train``'s forward, loss, zero_grad, backward,
SGD step) on one batch, interleaved step by step: finer than whole epochs, so less exposed to a shared machine.

Memory: the training step of ``train.train`` (forward, loss, zero_grad, backward, SGD step) on one batch, after
two warm-up steps, for the masked model and the Sign-In model. On CUDA the peak is
``torch.cuda.max_memory_allocated`` over that step minus the memory in use before the model was built; on the CPU it
is the bytes held by the parameters, gradients, buffers and optimizer state at the step's start plus the peak of
the step's own allocations (torch.profiler allocation events, summed in order, at op granularity). The expected
extra of Sign-In is one tensor per Sign-In layer (m and w replace the one weight) three times over: the
parameter, its gradient (alive during the forward: ``zero_grad`` comes after it) and its momentum buffer.

Inference: ``recipe.evaluate`` over the test set for a dense ResNet, the trained Sign-In model merged to plain
weights, and the same with its mask kept (what ``train.train`` leaves, ``signin.merge(keep_mask=True)``).

    python bench/overheads.py                       # CPU: ResNet-20, batch 128, 2500 images, 3 repeats
    python bench/overheads.py --device cuda --train-per-class 2000 --repeats 5
"""

from __future__ import annotations

import argparse
import copy
import gc
import tempfile

import _common as C
import torch

from signin_lite.training import data, recipe, train
from signin_lite.core import masks, models, signin


def live_bytes(model: torch.nn.Module, opt: torch.optim.Optimizer) -> int:
    """Bytes of the distinct tensors held by the model (parameters, gradients, buffers) and the optimizer."""
    seen, total = set(), 0
    tensors = list(model.parameters()) + [p.grad for p in model.parameters() if p.grad is not None]
    tensors += list(model.buffers()) + [t for s in opt.state.values() for t in s.values() if torch.is_tensor(t)]
    for t in tensors:
        key = (t.data_ptr(), t.numel())
        if key not in seen:
            seen.add(key)
            total += t.numel() * t.element_size()
    return total


def make_step(cfg, device: torch.device, batch, autocast: bool):
    """A fresh model of ``cfg`` and its optimizer; returns (model, optimizer, step) where step() is train.train's
    inner step on ``batch``: forward, loss, zero_grad, backward, SGD step."""
    model = recipe.build_model(cfg, device).to(memory_format=torch.channels_last)
    opt = recipe.make_optimizer(model, cfg)
    x, y = batch

    def step():
        recipe.train_step(model, opt, x, y, autocast=autocast, label_smoothing=cfg.label_smoothing)
    return model, opt, step


def step_peak(cfg, device: torch.device, batch, autocast: bool) -> int:
    """Peak bytes of one training step of a fresh model of ``cfg`` (see the module docstring)."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
        base = torch.cuda.memory_allocated(device)
    model, opt, step = make_step(cfg, device, batch, autocast)
    step()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - base
    from torch.profiler import ProfilerActivity, profile
    static = live_bytes(model, opt)
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    current = peak = 0
    for e in sorted(prof.events(), key=lambda e: e.time_range.start):
        current += e.self_cpu_memory_usage
        peak = max(peak, current)
    return static + peak


def expected_extra(cfg, device: torch.device) -> tuple[int, int]:
    """(extra trainable scalars, expected extra bytes) of Sign-In over the masked model: per Sign-In layer one more
    weight-sized fp32 tensor as parameter, gradient and momentum (on CUDA rounded up to the allocator's 512 bytes)."""
    model = recipe.build_model(cfg, torch.device("cpu"))
    scalars = nbytes = 0
    for module in signin.signin_layers(model).values():
        n = module.parametrizations.weight.original1.numel()
        b = 4 * n
        if device.type == "cuda":
            b = -(-b // 512) * 512
        scalars += n
        nbytes += 3 * b
    return scalars, nbytes


GOAL_HEADER = ["goal  comparison (A / B)", "ratio", "range", "goal", "verdict"]
GOAL_WIDTHS = [40, 6, 16, 7, 18]
PAI, SIGNIN = "masked (PaI ERK 90%)", "masked + Sign-In"


def goal_rows(comps: list) -> list[list[str]]:
    """Ratio rows against the 1.05 goal."""
    return [[c, f"{r[0]:.3f}", f"[{r[1]:.3f}, {r[2]:.3f}]", "<= 1.05", C.verdict(r[0], 1.05, True)] for c, r in comps]


def epochs_section(rep: C.Report, args: argparse.Namespace, cfgs: dict, splits, device: torch.device) -> dict:
    """Whole one-epoch runs of train.train, interleaved; returns Sign-In's final state (for the inference part)."""
    final: dict[str, dict] = {}

    def run(cfg):
        def go() -> dict[str, float]:
            with tempfile.TemporaryDirectory() as work:
                rec = train.train(cfg, splits=splits, results_dir=None, work_dir=work, device=device,
                                  progress=False, resume=False)
                if cfg.signin:
                    final["signin"] = train.load_final(cfg.name(), work_dir=work)
            return {"train_s": rec["cost"]["train_time_s"], "epoch_s": rec["history"][0]["time_s"]}
        return go

    # warm-up (not timed): a two-step run per variant, so every shape's kernels / primitives exist
    bs = cfgs[SIGNIN].batch_size
    small = recipe.Splits((splits.train[0][:2 * bs], splits.train[1][:2 * bs]), splits.test, None, splits.source)
    for cfg in cfgs.values():
        with tempfile.TemporaryDirectory() as work:
            train.train(cfg, splits=small, results_dir=None, work_dir=work, device=device, progress=False, resume=False)
    res = C.interleaved({name: run(cfg) for name, cfg in cfgs.items()}, args.repeats, log=rep.line)

    rows = []
    for name, runs in res.items():
        for key in ("train_s", "epoch_s"):
            vals = [r[key] for r in runs]
            rows.append([f"{name}: {key}", f"{C.med(vals):.3f}", f"{min(vals):.3f}", f"{max(vals):.3f}"])
    rep.line()
    rep.table(["variant: library timing", "median s", "min s", "max s"], rows, [40, 9, 8, 8])
    get = lambda name, key: [r[key] for r in res[name]]  # noqa: E731
    comps = []
    for key, what in (("train_s", "training part"), ("epoch_s", "whole epoch")):
        comps.append((f"2  Sign-In / masked, {what}", C.ratio_stats(get(SIGNIN, key), get(PAI, key))))
        comps.append((f"3  masked / dense, {what}", C.ratio_stats(get(PAI, key), get("dense", key))))
    rep.line()
    rep.line("ratio = median over repeats of A_i / B_i, A and B measured in the same repeat; [min, max] over repeats")
    rep.table(GOAL_HEADER, goal_rows(comps), GOAL_WIDTHS)
    return final


def weights_only(model: torch.nn.Module, device: torch.device):
    """What the parametrizations add to a step, isolated: every conv/linear weight as the forward reads it
    (computed through its parametrization, if any), then the backward from it into the stored parameters."""
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    grads = [torch.ones_like(m.weight) for m in layers]
    params = list(model.parameters())

    def go() -> dict[str, float]:
        for q in params:
            q.grad = None
        with C.Timer(device) as t:
            torch.autograd.backward([m.weight for m in layers], grads)
        return {"weights_s": t.seconds}
    return go


def steps_section(rep: C.Report, args: argparse.Namespace, cfgs: dict, batch, device: torch.device,
                  autocast: bool) -> None:
    """The same inner step, interleaved step by step (finer than whole epochs, so less exposed to load changes)."""
    built = {name: make_step(cfg, device, batch, autocast) for name, cfg in cfgs.items()}
    steppers = {name: b[2] for name, b in built.items()}
    for st in steppers.values():
        st()
        st()

    def timed(st):
        def go() -> dict[str, float]:
            with C.Timer(device) as t:
                st()
            return {"step_s": t.seconds}
        return go
    rep.line()
    rep.line(f"the inner training step alone (train.train's forward, loss, zero_grad, backward, SGD step), one batch, "
             f"{args.step_repeats} repeats interleaved step by step")
    steps = C.interleaved({k: timed(v) for k, v in steppers.items()}, args.step_repeats, log=lambda line: None)
    get_s = lambda name: [r["step_s"] for r in steps[name]]  # noqa: E731
    wo = C.interleaved({name: weights_only(b[0], device) for name, b in built.items()}, 200, log=lambda line: None)
    get_w = lambda name: [r["weights_s"] for r in wo[name]]  # noqa: E731
    dense_step = C.med(get_s("dense"))
    rows = [[name, f"{C.med(get_s(name)) * 1e3:.1f}", f"{min(get_s(name)) * 1e3:.1f}", f"{max(get_s(name)) * 1e3:.1f}",
             f"{C.med(get_w(name)) * 1e3:.2f}",
             f"{(C.med(get_w(name)) - C.med(get_w('dense'))) / dense_step * 100:.2f}%"]
            for name in steps]
    rep.table(["model", "median ms", "min ms", "max ms", "weights ms", "vs dense step"], rows, [40, 10, 8, 8, 10, 13])
    rep.line("weights ms: the weights' forward and backward alone (median of 200), parametrization included; "
             "vs dense step: its extra over the dense model's, as a share of the dense step")
    comps = [("2  Sign-In / masked, one step", C.ratio_stats(get_s(SIGNIN), get_s(PAI))),
             ("3  masked / dense, one step", C.ratio_stats(get_s(PAI), get_s("dense")))]
    rep.table(GOAL_HEADER, goal_rows(comps), GOAL_WIDTHS)


def memory_section(rep: C.Report, cfgs: dict, batch, device: torch.device, autocast: bool) -> None:
    """Peak memory of one training step, against what Sign-In's extra parameters should cost."""
    peaks = {name: step_peak(cfgs[name], device, batch, autocast) for name in (PAI, SIGNIN)}
    measured = peaks[SIGNIN] - peaks[PAI]
    scalars, expected = expected_extra(cfgs[SIGNIN], device)
    how = "torch.cuda.max_memory_allocated" if device.type == "cuda" else "live tensors + profiler allocation peak"
    rep.line()
    rep.line(f"peak memory of one training step ({how}), batch {cfgs[SIGNIN].batch_size}")
    rep.table(["model", "peak MB"], [[n, f"{b / 1e6:.3f}"] for n, b in peaks.items()], [40, 10])
    rep.line(f"Sign-In adds {scalars} trainable scalars (m and w replace each masked weight)")
    rep.table(["goal  memory", "MB", "verdict"],
              [["2  measured extra peak (Sign-In - masked)", f"{measured / 1e6:.3f}", ""],
               ["2  expected: extra parameter + gradient + momentum", f"{expected / 1e6:.3f}",
                "met" if measured <= expected else f"MISSED by {(measured - expected) / 1e6:.3f} MB"],
               ["   (parameter + momentum only)", f"{expected * 2 / 3 / 1e6:.3f}", ""]], [52, 9, 22])


def inference_section(rep: C.Report, args: argparse.Namespace, cfg_s, fin: dict, splits, device: torch.device,
                      autocast: bool) -> None:
    """Inference of the merged Sign-In model (plain weights, and with its mask kept) against a dense ResNet."""
    test_loader = data.DeviceLoader(*splits.test, 500, train=False, device=device)
    plain = models.resnet(cfg_s.depth, cfg_s.width).to(device)
    plain.load_state_dict(fin["state"])
    kept = masks.apply(copy.deepcopy(plain), {k: v.to(device) for k, v in fin["mask"].items()})
    torch.manual_seed(0)
    nets = {"dense ResNet": models.resnet(cfg_s.depth, cfg_s.width).to(device), "Sign-In merged, plain weights": plain,
            "Sign-In merged, mask kept": kept}
    nets = {k: v.to(memory_format=torch.channels_last) for k, v in nets.items()}

    def infer(net):
        def go() -> dict[str, float]:
            with C.Timer(device) as t:
                recipe.evaluate(net, test_loader, autocast)
            return {"eval_s": t.seconds}
        return go
    for net in nets.values():
        recipe.evaluate(net, test_loader, autocast)  # warm-up
    inf = C.interleaved({k: infer(v) for k, v in nets.items()}, args.inference_repeats, log=rep.line)
    n_test = test_loader.num_examples
    rep.line()
    rep.line(f"inference: recipe.evaluate over {n_test} test images, batch 500")
    dense_t = [r["eval_s"] for r in inf["dense ResNet"]]
    rows = []
    for name, runs in inf.items():
        t = [r["eval_s"] for r in runs]
        r = C.ratio_stats(t, dense_t)
        rows.append([name, f"{C.med(t):.4f}", f"{n_test / C.med(t):.0f}", f"{r[0]:.3f}", f"[{r[1]:.3f}, {r[2]:.3f}]"])
    rep.table(["model", "median s", "img/s", "vs dense", "range"], rows, [40, 9, 7, 8, 16])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    C.add_common_args(p)
    p.add_argument("--inference-repeats", type=int, default=5, help="repeats of the inference timing (default: 5)")
    p.add_argument("--step-repeats", type=int, default=20,
                   help="repeats of the single-step timing, interleaved step by step (default: 20)")
    args = p.parse_args()
    device = C.setup(args)
    cfgs = {"dense": C.make_cfg(args, "dense"), PAI: C.make_cfg(args, "pai"), SIGNIN: C.make_cfg(args, "pai_signin")}
    splits = C.splits_for(args, cfgs["dense"])
    rep = C.Report("bench/overheads.py | goals 2 and 3: Sign-In and mask overhead (time, memory, inference)",
                   args, device)
    rep.line(C.data_line(args, splits))
    autocast = device.type == "cuda"
    cfg_s = cfgs[SIGNIN]
    rep.line(f"model     ResNet-{cfg_s.depth}, batch {cfg_s.batch_size}, channels_last, "
             f"{'bf16 autocast' if autocast else 'fp32'} | Sign-In beta {cfg_s.beta:g}, rescaled every "
             f"{cfg_s.rescale_every:g} epoch(s) | one epoch per run")
    final = epochs_section(rep, args, cfgs, splits, device)
    loader = data.DeviceLoader(*splits.train, cfg_s.batch_size, train=True, device=device, seed=0)
    batch = next(iter(loader))
    steps_section(rep, args, cfgs, batch, device, autocast)
    memory_section(rep, cfgs, batch, device, autocast)
    inference_section(rep, args, cfg_s, final["signin"], splits, device, autocast)
    rep.close()


if __name__ == "__main__":
    main()
