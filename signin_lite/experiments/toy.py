"""Sign dynamics of the single hidden neuron f(x) = a * ReLU(w^T x), with and without Sign-In.

The teacher is y = ReLU(x_1) with x ~ U[-1, 1]^d. :func:`train_toy` runs full-batch gradient
descent from many starting points at once (one row per start) and reports where each ended. With
plain gradient descent, a^2 - |w|^2 is conserved, so a balanced start (|a0| = |w0|) with a0 < 0
collapses to the saddle a = w = 0. Sign-In trains (m, w) pairs instead; with a larger beta on the
output weight a can change sign in time. No setting lets w0 < 0 (d = 1) recover, because its
gradient vanishes as w approaches 0.

:func:`critical_a0` gives the boundary of the recovered region that this argument predicts;
:mod:`signin_lite.views.toy_figures` draws the results (plotly) for the theory chapter.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import torch

from signin_lite.core.models import teacher_data
from signin_lite.core.signin import balanced_factors
from signin_lite.evidence import records
from signin_lite.training import hardware
from signin_lite.foundations import schema


@dataclass
class ToyResult:
    """Final state per starting point: a, w, loss, and whether the teacher was recovered.

    The ``*_curve`` fields hold the state every ``record_every`` steps and after the last step, at
    the steps listed in ``curve_steps``. ``factor_curves`` (Sign-In only) has the factors
    ``m_a, v_a`` of a and ``m_w, v_w`` of w.
    """

    a0: torch.Tensor
    w0: torch.Tensor
    a: torch.Tensor
    w: torch.Tensor
    loss: torch.Tensor
    recovered: torch.Tensor
    loss_curve: torch.Tensor  # [steps // record_every + 1, starts]
    a_curve: torch.Tensor | None = None  # [T, starts]
    w_curve: torch.Tensor | None = None  # [T, starts, d]
    curve_steps: torch.Tensor | None = None  # [T]
    factor_curves: dict[str, torch.Tensor] | None = None  # m_a, v_a: [T, starts]; m_w, v_w: [T, starts, d]


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run on one CPU thread: the toy's tensors are tiny, and extra threads only wait on each other
    (on a busy 2-core machine, two threads made the toy about ten times slower)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_toy(a0, w0, *, signin: bool = False, beta_a: float = 1.0, beta_w: float = 1.0,
              steps: int = 4000, lr: float = 0.05, weight_decay: float = 0.0, rescale_every: int = 0,
              n: int = 512, seed: int = 0, tol: float = 1e-3, record_every: int = 50) -> ToyResult:
    """Full-batch gradient descent from starting points a0 [S] and w0 [S, d] (or [S] for d = 1).

    ``signin=True`` trains a = m_a * v_a and w = m_w * v_w (elementwise), started with
    m^2 - v^2 = beta_a for the output weight and beta_w for the hidden weights, and rescaled every
    ``rescale_every`` steps (0: never). A start counts as recovered when its final loss is below ``tol``.
    The loss, a and w (and the Sign-In factors) are recorded every ``record_every`` steps.
    """
    a0 = torch.as_tensor(a0, dtype=torch.float64).reshape(-1)
    w0 = torch.as_tensor(w0, dtype=torch.float64)
    w0 = w0.reshape(-1, 1) if w0.dim() <= 1 else w0
    if a0.shape[0] != w0.shape[0]:
        raise ValueError(f"a0 and w0 need one row per start, got {a0.shape[0]} and {w0.shape[0]}")
    for name, value in (("steps", steps), ("n", n)):
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if record_every <= 0:
        raise ValueError(f"record_every must be positive, got {record_every}")
    if signin and (beta_a <= 0 or beta_w <= 0):
        raise ValueError(f"beta_a and beta_w must be positive, got {beta_a} and {beta_w}")
    with _one_thread():
        return _train_toy(a0, w0, signin, beta_a, beta_w, steps, lr, weight_decay, rescale_every, n, seed, tol,
                          record_every)


def _train_toy(a0, w0, signin, beta_a, beta_w, steps, lr, weight_decay, rescale_every, n, seed, tol,
               record_every) -> ToyResult:
    x, y = teacher_data(n, w0.shape[1], seed)
    x, y = x.double(), y.double()

    if signin:
        params = [*balanced_factors(a0, beta_a), *balanced_factors(w0, beta_w)]
        unpack = lambda p: (p[0] * p[1], p[2] * p[3])  # noqa: E731
    else:
        params = [a0.clone(), w0.clone()]
        unpack = lambda p: (p[0], p[1])  # noqa: E731
    params = [p.clone() for p in params]

    curve, a_curve, w_curve, at_steps, factors = [], [], [], [], []
    active_x = x.T  # [d, n]
    for step in range(steps + 1):
        a, w = unpack(params)
        pre = w @ active_x  # [S, n]
        hidden = pre.clamp_min(0)
        residual = a[:, None] * hidden - y[None, :]
        if step % record_every == 0 or step == steps:
            loss = 0.5 * (residual ** 2).mean(dim=1)
            curve.append(loss)
            a_curve.append(a.clone())
            w_curve.append(w.clone())
            at_steps.append(step)
            if signin:
                factors.append([p.clone() for p in params])
        if step == steps:
            break
        grad_a = (residual * hidden).mean(dim=1)  # dL/da
        grad_w = ((residual * (pre > 0)) @ x) * a[:, None] / x.shape[0]  # dL/dw
        if signin:  # chain rule through a = m_a * v_a and w = m_w * v_w
            grads = [grad_a * params[1], grad_a * params[0], grad_w * params[3], grad_w * params[2]]
        else:
            grads = [grad_a, grad_w]
        for p, g in zip(params, grads, strict=True):
            p -= lr * (g + weight_decay * p)
        if signin and rescale_every and (step + 1) % rescale_every == 0:
            params[0][:], params[1][:] = balanced_factors(params[0] * params[1], beta_a)
            params[2][:], params[3][:] = balanced_factors(params[2] * params[3], beta_w)
    a, w = unpack(params)
    factor_curves = ({k: torch.stack([f[i] for f in factors]) for i, k in enumerate(("m_a", "v_a", "m_w", "v_w"))}
                     if signin else None)
    return ToyResult(a0, w0, a, w, loss, loss < tol, torch.stack(curve), torch.stack(a_curve), torch.stack(w_curve),
                     torch.tensor(at_steps), factor_curves)


def balanced_start(a_sign: float, w_sign: float, scale: float = 0.5, dim: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """One balanced start |a0| = |w0| with the given signs (w0 along e_1)."""
    w0 = torch.zeros(1, dim, dtype=torch.float64)
    w0[0, 0] = w_sign * scale
    return torch.tensor([a_sign * scale], dtype=torch.float64), w0


SIGN_CASES = ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0))


def sign_cases(scale: float = 0.5, dim: int = 1) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """The four balanced starts of :data:`SIGN_CASES` stacked (a0 [4], w0 [4, dim]) and their labels."""
    starts = [balanced_start(sa, sw, scale, dim) for sa, sw in SIGN_CASES]
    labels = [f"a0{'>' if sa > 0 else '<'}0, w0{'>' if sw > 0 else '<'}0" for sa, sw in SIGN_CASES]
    return torch.cat([s[0] for s in starts]), torch.cat([s[1] for s in starts]), labels


def outcome_rows(results: Mapping[str, ToyResult], labels: Sequence[str], digits: int = 3) -> list[dict]:
    """One row per start: for each named result, column ``name`` says whether it recovered (yes/no) and
    column ``name loss`` gives the final loss as rounded text (stable for checked notebook output)."""
    rows = []
    for i, label in enumerate(labels):
        row = {"start": label}
        for name, r in results.items():
            row[name] = "yes" if bool(r.recovered[i]) else "no"
            row[f"{name} loss"] = f"{float(r.loss[i]):.{digits}f}"
        rows.append(row)
    return rows


def gd_and_signin(a0: float, w0: float, *, beta_a: float, beta_w: float, rescale_every: int = 0,
                  weight_decay: float = 0.0, steps: int = 4000, lr: float = 0.05) -> dict[str, ToyResult]:
    """Plain GD and Sign-In from one start (a0, w0) in d = 1, with the same steps, learning rate and weight decay:
    ``{"GD": ..., "Sign-In": ...}`` (:func:`train_toy`; ``rescale_every`` applies to Sign-In only)."""
    common = dict(steps=steps, lr=lr, weight_decay=weight_decay)
    return {"GD": train_toy([a0], [w0], **common),
            "Sign-In": train_toy([a0], [w0], signin=True, beta_a=beta_a, beta_w=beta_w, rescale_every=rescale_every,
                                 **common)}


def critical_a0(w0, beta_a: float | None = None, beta_w: float | None = None) -> torch.Tensor:
    """The largest |a0| from which a start with a0 < 0 < w0 (d = 1) recovers, by the conservation laws.

    Plain gradient flow (no betas): a^2 - w^2 is conserved, so w is still nonzero when a reaches 0
    exactly when |a0| < w0. Sign-In: the squared second factors v_a^2 and v_w^2 fall at the same rate,
    so a crosses 0 while w lives exactly when v_a0^2 < v_w0^2, with v^2 = (sqrt(beta^2 + 4 theta^2) - beta) / 2;
    solved for |a0| this gives sqrt(V (V + beta_a)) with V = v_w0^2. Gradient flow, no weight decay.
    """
    w0 = torch.as_tensor(w0, dtype=torch.float64)
    if (beta_a is None) != (beta_w is None):
        raise ValueError("give both beta_a and beta_w (Sign-In) or neither (plain gradient flow)")
    if beta_a is None:
        return w0.abs()
    if beta_a <= 0 or beta_w <= 0:
        raise ValueError(f"beta_a and beta_w must be positive, got {beta_a} and {beta_w}")
    v2 = (torch.sqrt(beta_w ** 2 + 4 * w0 ** 2) - beta_w) / 2
    return torch.sqrt(v2 * (v2 + beta_a))


def phase_diagram(values: torch.Tensor | None = None, **kwargs) -> ToyResult:
    """Train from every (a0, w0) on a grid (d = 1); ``kwargs`` go to :func:`train_toy`."""
    values = torch.linspace(-1.5, 1.5, 31, dtype=torch.float64) if values is None else values
    values = torch.as_tensor(values, dtype=torch.float64)
    a0, w0 = torch.meshgrid(values, values, indexing="ij")
    return train_toy(a0.reshape(-1), w0.reshape(-1), **kwargs)


def phase_record(beta_a: float = 4.0, beta_w: float = 0.1, steps: int = 4000, grid: int = 25,
                 lr: float = 0.05, seed: int = 0) -> dict:
    """Phase diagrams over (a0, w0) for plain GD, Sign-In with beta_a > beta_w, and Sign-In with equal betas."""
    values = torch.linspace(-1.5, 1.5, grid, dtype=torch.float64)
    settings = {
        "gd": dict(signin=False),
        "signin": dict(signin=True, beta_a=beta_a, beta_w=beta_w),
        "signin_equal_beta": dict(signin=True, beta_a=beta_w, beta_w=beta_w),
    }
    with _one_thread():  # the threads train_toy ran on, for the record's device_name
        env = hardware.environment(torch.device("cpu"))
    t0 = time.perf_counter()
    diagrams = {}
    for key, kw in settings.items():
        r = phase_diagram(values, steps=steps, lr=lr, seed=seed, **kw)
        diagrams[key] = {"recovered": r.recovered.reshape(grid, grid).int().tolist(),
                         "loss": r.loss.reshape(grid, grid).tolist(), "settings": kw}
    return {"schema": schema.TOY, "name": "toy_phase_diagram",
            "config": {"beta_a": beta_a, "beta_w": beta_w, "steps": steps, "grid": grid, "lr": lr, "seed": seed,
                       "a0_values": values.tolist(), "w0_values": values.tolist()},
            "diagrams": diagrams, "wall_time_s": time.perf_counter() - t0,
            "env": env, "date": records.now()}


def write_phase_record(folder: str, **kwargs) -> "os.PathLike":
    """Compute :func:`phase_record` and write it atomically to ``folder/toy_phase_diagram.json``."""
    return records.write_json_atomic(phase_record(**kwargs), f"{folder}/toy_phase_diagram.json")
