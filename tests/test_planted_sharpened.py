"""The planted ticket, sharpened (issue 21): the usual-decay profile, the arm that gives uniform-β Sign-In the output
step of β_out, Holm across every comparison, and the plain-words reading."""
import math

import pytest
import torch

from signin_lite.experiments import planted
from signin_lite.evidence import stats


def _cfg(**kw):
    base = dict(d_in=6, hidden=(8, 8), d_out=2, fan_in=(2, 3), n_train=32, n_test=64, steps=40, seeds=2,
                rescale_every=10, curve_points=4)
    return planted.make_config("smoke", **{**base, **kw})


def test_usual_profile_changes_only_the_weight_decay():
    cpu, usual = planted.make_config("cpu"), planted.make_config("usual")
    diff = {k for k in cpu.__dataclass_fields__ if getattr(cpu, k) != getattr(usual, k)}
    assert diff == {"profile", "weight_decay"} and usual.weight_decay == 5e-4 and cpu.weight_decay == 5e-3


def test_output_step_factor_is_the_ratio_of_mean_multipliers():
    cfg = _cfg(beta=1.0, beta_out=4.0)
    theta = torch.tensor([[[0.0, 0.5]], [[1.0, -1.0]]])  # two seeds, a 1 x 2 output layer
    f = planted.output_step_factor(cfg, theta)
    first = (4 + math.sqrt(16 + 1)) / (1 + math.sqrt(2))
    second = math.sqrt(20) / math.sqrt(5)
    assert f.shape == (2, 1, 1) and f.flatten().tolist() == pytest.approx([first, second])


def test_step_out_arm_moves_the_output_layer_more_and_only_it():
    cfg = _cfg(weight_decay=0.0, steps=1, rescale_every=0)
    names = planted.weight_names(cfg)
    starts = {}
    for arm in ("signin", "signin_step_out"):
        teachers = [planted.teacher(cfg, 0)]
        w, mask = teachers[0]
        start = planted.student_start(cfg, 0, w, mask, False)
        students = planted._Students([start[n][None] for n in names], [mask[n][None] for n in names],
                                     planted.layer_betas(cfg, arm))
        if arm == "signin_step_out":
            planted._scale_output_step(cfg, students)
        net = planted._net(cfg)
        net.load_state_dict(w)
        x, y, _, _ = planted.data(cfg, 0, net)
        ((students.forward(x[None]) - y[None]) ** 2).mean().backward()
        starts[arm] = [[p.grad.clone() for p in pair] for pair in students.params]
    f = planted.output_step_factor(cfg, torch.stack([planted.student_start(cfg, 0, *planted.teacher(cfg, 0), False)[
        names[-1]]]))
    for layer in range(len(names) - 1):
        assert all(torch.equal(a, b) for a, b in zip(starts["signin"][layer], starts["signin_step_out"][layer],
                                                     strict=True))
    for a, b in zip(starts["signin"][-1], starts["signin_step_out"][-1], strict=True):
        assert torch.allclose(b, a * f[0], rtol=1e-5)


def test_every_comparison_is_adjusted_together_and_read_in_plain_words():
    record = planted.run(_cfg(seeds=4))
    rows = planted.adjusted(record)
    assert len(rows) == 2 * len(planted.COMPARISONS) + 1  # both metrics, and PaI's end against its start
    raw = [r["p"] for r in rows]
    assert [r["p_holm"] for r in rows] == pytest.approx(stats.holm(raw))
    loss = next(r for r in rows if (r["arm"], r["baseline"], r["metric"]) == ("transplant", "pai", "test_loss"))
    if loss["high"] < 0 and loss["p_holm"] < 0.05:
        assert loss["reading"] == "gain"  # a lower loss is the gain
    lines = planted.plain_reading(record)
    assert lines[0].startswith("P1, the teacher's signs fit better: teacher's signs (transplant) ")
    assert any(line.startswith("P4, β_out beyond its larger output step") for line in lines)
    assert all("Holm p = " in line for line in lines)
