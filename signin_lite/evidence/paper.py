"""The paper's reported numbers, the one place that holds them, always labelled as the paper's.

Gadhikar, Jacobs, Zhou, Burkholz, *Sign-In to the Lottery* (NeurIPS 2025, arXiv 2504.12801): CIFAR-10 ResNet-20
with a random mask, 160 epochs on the full training set. Nothing here was measured by this project::

    paper.gain(0.9)          # the reported Sign-In gain over PaI at 90% sparsity, in percentage points
    paper.table("ja")        # the reported accuracies as an HTML table, for any page that quotes them
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from signin_lite.evidence import records

PAPER: dict = {
    "source": "reported by Gadhikar et al. 2025, CIFAR-10 ResNet-20, random mask",
    "dataset": "CIFAR-10", "model": "ResNet-20", "depth": 20, "mask": "random", "epochs": 160, "train_size": 50000,
    # test accuracy in percent, by sparsity and method (pai = pruning at initialization, pai_signin = PaI + Sign-In)
    "test_acc": {
        0.8: {"pai": 88.25, "pai_signin": 89.37},
        0.9: {"pai": 86.25, "pai_signin": 87.83},
        0.95: {"pai": 83.56, "pai_signin": 84.74},
    },
    "extra_train_time": 0.05,     # Sign-In's training time over PaI's, minus 1 (about 5%)
    "param_memory_factor": 2.0,   # parameter memory during training (m and w per weight)
}

_TABLE = {
    "en": {"caption": "Reported by Gadhikar et al. 2025, not measured here",
           "note": "CIFAR-10 test accuracy in percent, ResNet-20 with a random mask, 160 epochs on the full training "
                   "set; the gain is PaI + Sign-In minus PaI, in percentage points.",
           "head": ("Sparsity", "PaI", "PaI + Sign-In", "Gain (points)")},
    "ja": {"caption": "原論文（2025年）の報告値（本プロジェクトの測定値ではありません）",
           "note": "CIFAR-10 のテスト精度（%）、ResNet-20、ランダムマスク、全訓練データで160エポック。"
                   "差は PaI ＋ Sign-In から PaI を引いた値（ポイント）です。",
           "head": ("スパース率", "PaI", "PaI ＋ Sign-In", "差（ポイント）")},
}

# Book-theme classes (pydata-sphinx-theme's "table": padding, zebra rows) plus inline padding for plain Jupyter.
_CELL = ' style="padding:0.3rem 0.9rem;text-align:right"'


def acc(sparsity: float, method: str) -> float | None:
    """The paper's reported test accuracy (percent) for a method at a sparsity, or None."""
    return PAPER["test_acc"].get(records.sparsity_key(sparsity), {}).get(method)


def gain(sparsity: float, baseline: str = "pai", treatment: str = "pai_signin") -> float | None:
    """The paper's reported treatment minus baseline (pp), or None."""
    a, b = acc(sparsity, treatment), acc(sparsity, baseline)
    return None if a is None or b is None else round(a - b, 2)


def table(lang: str = "en") -> str:
    """The paper's reported accuracies (PaI, PaI + Sign-In, the gain) as a styled HTML table with a one-line caption
    that says whose numbers they are, followed by a sentence on the setting. HTML, not Markdown: notebook outputs
    render Markdown without tables."""
    t = _TABLE[lang]
    head = "".join(f"<th{_CELL}>{html.escape(h)}</th>" for h in t["head"])
    rows = "".join(f"<tr><td{_CELL}>{100 * s:g}%</td><td{_CELL}>{a['pai']:.2f}</td>"
                   f"<td{_CELL}>{a['pai_signin']:.2f}</td>"
                   f"<td{_CELL}>{gain(s):+.2f}</td></tr>".replace(">-", ">\u2212")
                   for s, a in sorted(PAPER["test_acc"].items()))
    return (f'<table class="table caption-top paper-table" style="border-collapse:collapse;margin-left:0">'
            f'<caption style="white-space:nowrap">{html.escape(t["caption"])}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="paper-table-note">{html.escape(t["note"])}</p>')


def differs(record: Mapping) -> str:
    """How a run's setting differs from the paper's (empty when it matches on mask, depth, epochs and data size)."""
    c, d = record["config"], record["data"]
    out = []
    if c["mask"] not in (PAPER["mask"], "none"):
        out.append(f"{c['mask']} mask")
    if c["depth"] != PAPER["depth"]:
        out.append(f"ResNet-{c['depth']}")
    if c["epochs"] != PAPER["epochs"]:
        out.append(f"{c['epochs']} epochs")
    if d["train_size"] != PAPER["train_size"]:
        out.append(f"{d['train_size']} training images")
    if d["source"] == "offline-jpeg":
        out.append("JPEG copy of CIFAR-10")
    return ", ".join(out)
