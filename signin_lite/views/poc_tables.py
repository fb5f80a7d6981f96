"""The PoC worksheet's tables (English chapter): short HTML tables that answer one question each, with readable
headers and money written with thousands separators, and the long detail in a collapsible section.

    from signin_lite.views import poc_tables
    poc_tables.show(*poc_tables.worksheet_rows(ws, "en"), "Every column of the worksheet")

Each ``*_rows`` function returns ``(main, detail)``: at most six columns in ``main``, the rest (with the option's
name repeated) in ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from signin_lite.decision import rule, typography as ty
from signin_lite.decision.poc import OptionResult, Worksheet
from signin_lite.decision.options import MethodSummary
from signin_lite.foundations import methods
from signin_lite.views import display

Rows = list[dict[str, Any]]

BLOCKER_WORDS = {"acc_below": "accuracy: whole interval below the tolerance",
                 "acc_unclear": "accuracy: interval crosses the tolerance",
                 "acc_unknown": "accuracy: one seed, no interval",
                 "money_none": "money: even the upper bound saves too little",
                 "money_unproven": "money: no measured saving worth deciding on"}
STATUS_WORDS = {"measured": "measured", "not_measurable": "not measurable here (counted as dense)",
                "not_measured": "not measured (counted as dense)"}


def option_name(method: str, sparsity: float, fallback: str, lang: str = "en", mask: str | None = None) -> str:
    """A readable name for one option among many: "PaI + Sign-In 90%", with its mask when given."""
    name = methods.get(method).label(lang) if method in methods.TABLE else fallback
    if method == "dense":
        return name
    return f"{name} {100 * sparsity:g}%" + (f" ({mask})" if mask else "")


def _name(o: OptionResult) -> str:
    return option_name(o.summary.method, o.summary.sparsity, o.label)


def _money(x: float | None, ws: Worksheet) -> str:
    return ty.money(x, "en", ws.deployment.currency, {})


def _interval(o: OptionResult, digits: int = 2) -> str:
    if o.acc_ci_pp is None:
        return "\u2014"
    return f"{ty.signed(o.acc_ci_pp.low, digits)} to {ty.signed(o.acc_ci_pp.high, digits)}"


def summary_rows(summaries: Sequence[MethodSummary]) -> tuple[Rows, Rows]:
    """The pooled run records: accuracy and training time per option; profile and hardware in the detail."""
    main = [{"Option": option_name(s.method, s.sparsity, s.label), "Seeds": s.n_seeds,
             "Test accuracy": f"{100 * s.test_acc_mean:.2f}%",
             "Spread over seeds": "\u2014" if s.test_acc_std is None else f"{100 * s.test_acc_std:.2f} pp",
             "Training time": f"{s.train_time_s_mean:,.0f} s"} for s in summaries]
    detail = [{"Option": option_name(s.method, s.sparsity, s.label), "Profile": ", ".join(s.profiles),
               "Hardware": ", ".join(s.device_names)} for s in summaries]
    return main, detail


def deploy_rows(deploy_recs: Sequence[Mapping[str, Any]], quiet: Sequence[Mapping[str, Any]]) -> tuple[Rows, Rows]:
    """File size and latency per deploy record; the load, the control and the weights kind in the detail."""
    main, detail = [], []
    for m in sorted(deploy_recs, key=lambda m: (m["latency"]["batch_size"], m["sparsity"])):
        lat = m["latency"]
        key = f"{100 * m['sparsity']:.0f}%, batch {lat['batch_size']}"
        main.append({"Sparsity, batch": key,
                     "File size, dense": f"{m['storage']['dense_model']['dense']:,} B",
                     "File size, sparse": f"{min(m['storage']['sparse_model'].values()):,} B",
                     "Latency, dense": f"{1e3 * lat['dense']['median_s']:,.1f} ms",
                     "Latency, sparse": f"{1e3 * lat['sparse']['median_s']:,.1f} ms",
                     "Used for costs": "yes" if m in quiet else "no"})
        control = m.get("control", {}).get("ratio_dense_vs_dense_again")
        detail.append({"Sparsity, batch": key, "Latency ratio": ty.ratio(lat["ratio"], "en"),
                       "Control ratio": ty.ratio(control, "en"),
                       "Load average": f"{m['load_average']['before'][0]:.2f}",
                       "Weights": "/".join(m.get("weights", {}).get("kinds", {}).values()) or "?"})
    return main, detail


def worksheet_rows(ws: Worksheet, lang: str = "en") -> tuple[Rows, Rows]:
    """Accuracy, cost and verdict per option; the training ratios and what blocks the verdict in the detail."""
    main, detail = [], []
    for o in ws.options:
        dense = o is ws.dense
        main.append({"Option": _name(o), "Seeds": o.summary.n_seeds,
                     "Accuracy vs dense": "\u2014" if dense else f"{ty.signed(o.acc_change_pp, 2)} pp",
                     "95% interval (pp)": "\u2014" if dense else _interval(o),
                     "Monthly cost": _money(o.total_cost, ws),
                     "Verdict": "\u2014" if dense else rule.verdict_label(o.verdict, lang)})
        detail.append({"Option": _name(o),
                       "Step time": ty.ratio(o.train_time.ratio if o.train_time else None, "en"),
                       "Step time reading": "baseline" if dense else STATUS_WORDS.get(o.train_time_status,
                                                                                       o.train_time_status),
                       "Peak memory": ty.ratio(o.train_memory_ratio, "en"),
                       "Saving a month": "\u2014" if dense else _money(o.saving_abs, ws),
                       "What blocks go": "; ".join(BLOCKER_WORDS.get(b, b) for b in o.blockers)})
    return main, detail


def _pct(x: float | None) -> str:
    return "\u2014" if x is None else f"{ty.signed(x, 1).lstrip('+')}%"


def comparison_rows(ws: Worksheet, lang: str = "en") -> tuple[Rows, Rows]:
    """The options side by side: accuracy and each saving on its own (never summed); step time and memory in the
    detail."""
    main, detail = [], []
    for o in ws.options:
        if o is ws.dense:
            continue
        main.append({"Option": _name(o), "Accuracy vs dense (95% interval, pp)": _interval(o),
                     "FLOPs saving (upper bound)": _pct(o.flops_saving_pct),
                     "File size saving": _pct(o.storage["saving_pct"] if o.storage else None),
                     "Monthly cost saving": _pct(o.saving_pct),
                     "Verdict": rule.verdict_label(o.verdict, lang)})
        detail.append({"Option": _name(o), "Seeds": o.summary.n_seeds,
                       "Step time": ty.ratio(o.train_time.ratio if o.train_time else None, "en"),
                       "Peak memory": ty.ratio(o.train_memory_ratio, "en")})
    return main, detail


def show(main: Rows, detail: Rows | None = None, summary: str = "More columns") -> None:
    """``main`` as an HTML table; ``detail`` below it in a collapsible section titled ``summary``."""
    from IPython.display import display as ipy_display  # deferred: IPython only inside a notebook

    html = display.table_html(main) if main else "<p>(no rows)</p>"
    text = display.table_text(main)
    if detail:
        html += (f"<details><summary>{summary}</summary>{display.table_html(detail)}</details>")
        text += f"\n\n{summary}:\n{display.table_text(detail)}"
    ipy_display({"text/html": html, "text/plain": text}, raw=True)


def cost_rows(ws: Worksheet) -> Rows:
    """Monthly cost and saving against dense per option (money with thousands separators)."""
    return [{"Option": _name(o), "Monthly cost": _money(o.total_cost, ws),
             "Saving a month": "\u2014" if o is ws.dense else _money(o.saving_abs, ws)} for o in ws.options]


def show_list(summary: str, lines: Sequence[str]) -> None:
    """``lines`` as a bullet list in a collapsible section titled ``summary`` (with the count)."""
    from IPython.display import display as ipy_display  # deferred: IPython only inside a notebook

    lines = list(lines)
    title = f"{summary} ({len(lines)})"
    ipy_display({"text/html": f"<details><summary>{title}</summary>{display.lines_html(lines)}</details>",
                 "text/plain": f"{title}:\n" + "\n".join(f"- {line}" for line in lines)}, raw=True)
