"""The one-page PoC report (Japanese or English): self-contained HTML that prints on exactly one A4 page,
plus an appendix file with every assumption and where each number came from.

    from signin_lite.decision import poc_inputs, report
    inp = poc_inputs.load_inputs("examples/poc_inputs.toml")
    probe = poc_inputs.reader_probe(inp, "runs/probe/probe_mymodel_s0.9_0123456789ab.json")   # or None
    ws = poc_inputs.report_worksheet(inp, probe=probe)
    page, appendix = report.write_report(ws, inp, "ja", "poc_report_ja.html")

Or: ``python -m signin_lite report --lang ja --inputs FILE --probe RECORD --out poc_report_ja.html``.

Page 1 answers the manager's question: the verdict (go / not yet / no-go = 実施 / 時期尚早 / 見送り, by the one
rule :func:`signin_lite.decision.rule.decide`) with every blocker named, one row per option (accuracy change with its
interval; training step time and peak memory against dense from the probe, at its stated batch; file size; monthly
cost and the saving credited from measurements), the payback of the PoC, Sign-In against PaI from the controlled
four-arm test, what the PoC costs (GPU-hours from the probe's step time and a stated number of steps) and the
criteria to agree on before it starts. "Your model" appears only when the reader named their own probe record; the
project's own record is shown as the reference model. No network: inline CSS. Wording lives in :mod:`report_text`.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

from signin_lite.decision import poc_inputs, rule, second_test, timing as timing_, typography as ty
from signin_lite.decision.poc import OptionResult, Worksheet
from signin_lite.decision.poc_inputs import ReportInputs
from signin_lite.decision.report_text import (ALLOWED_LATIN, OPTION_COLUMNS, PROBE_CMD, REPORT_CMD, STRINGS,
                                              method_name, note_text,
                                              reading_text, unit_text, value_text)
from signin_lite.evidence import arms, paper
from signin_lite.foundations import methods

__all__ = ["ALLOWED_LATIN", "Recommendation", "recommend", "blocker_texts", "next_step", "poc_plan", "payback",
           "verdict_html", "render_report", "render_appendix", "write_report", "appendix_path", "four_arm_gain"]

_DEFAULT = object()  # "load the committed four-arm test"


@dataclass(frozen=True)
class Recommendation:
    """``verdict`` is one of :data:`signin_lite.decision.rule.VERDICTS`, the verdict of the option the report
    recommends (PaI + Sign-In at the report's sparsity, else PaI); ``blockers`` are that option's."""

    verdict: str
    blockers: tuple[str, ...]
    option: OptionResult | None

    def label(self, lang: str) -> str:
        return rule.verdict_label(self.verdict, lang)


def _options(ws: Worksheet, sparsity: float) -> dict[str, OptionResult | None]:
    out: dict[str, OptionResult | None] = {"dense": ws.dense, "pai": None, "pai_signin": None}
    for o in ws.options[1:]:
        if o.summary.method in out and abs(o.summary.sparsity - sparsity) < 1e-6:
            out[o.summary.method] = o
    return out


def recommend(ws: Worksheet, sparsity: float) -> Recommendation:
    """The verdict of PaI + Sign-In at ``sparsity`` (PaI where Sign-In did not run): the option's own verdict by
    :func:`signin_lite.decision.rule.decide`, so page 1, the table, the worksheet and the summaries agree."""
    opts = _options(ws, sparsity)
    o = opts["pai_signin"] or opts["pai"]
    if o is None:
        return Recommendation("not-yet", ("no_records",), None)
    return Recommendation(o.verdict, o.blockers, o)


def four_arm_gain(test: arms.ArmTest | None) -> dict | None:
    """Sign-In − PaI in the controlled four-arm test (pp, paired by seed, Holm-adjusted within the primary
    family), with the test's size; None without a test."""
    if test is None:
        return None
    d = arms.comparison(test, "pai_signin", "pai").diff
    return {"gain": d.estimate, "low": d.low, "high": d.high, "reading": d.reading(), "n": len(test.seeds),
            "epochs": test.config["epochs"], "sparsity": test.arms["pai"].sparsity,
            "train": 10 * test.config["train_per_class"], "test": test.test_size}


def poc_plan(ws: Worksheet, inputs: ReportInputs) -> dict:
    """Cost and duration of the PoC: seeds x (dense, sparse, sparse + Sign-In) runs of ``train_steps`` steps each on
    the target hardware, timed by the probe's median step time of each variant x ``train_time_scale`` (without a
    probe record: the worksheet's hours per run), plus the engineering effort (an input)."""
    dep, t = ws.deployment, ws.timing
    runs = [(k, o) for k, o in _options(ws, inputs.sparsity).items() if o is not None]
    if t is not None:
        variant = {"dense": "dense", "pai": "masked", "pai_signin": "masked_signin"}
        per_run = [t.hours_per_run(variant[k], dep.train_steps, dep.train_time_scale) for k, _ in runs]
    else:
        per_run = [o.train_hours_per_run for _, o in runs]
    hours = inputs.poc_seeds * sum(per_run)
    compute = hours * dep.hourly_cost
    people = dep.poc_engineer_days * dep.engineer_cost_per_day
    return {"runs": inputs.poc_seeds * len(runs), "seeds": inputs.poc_seeds, "hours": hours, "compute": compute,
            "steps": dep.train_steps, "days": dep.poc_engineer_days, "people": people, "total": compute + people,
            "weeks": max(1, math.ceil((dep.poc_engineer_days + hours / 24.0) / 5.0))}


def payback(plan: dict, o: OptionResult | None) -> dict:
    """Months for the PoC to pay for itself: its total cost / the credited monthly saving (None: no saving), and
    the same at the upper bound."""
    def months(saving: float | None) -> float | None:
        return plan["total"] / saving if saving is not None and saving > 0 else None
    saving, upper = (o.saving_abs, o.upper_saving) if o else (None, None)
    return {"total": plan["total"], "saving": saving, "months": months(saving), "upper": upper,
            "upper_months": months(upper)}


# ------------------------------------------------------------------------------------------------ HTML
_CSS = """
@page { size: A4; margin: 10mm 11mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, "Helvetica Neue", Arial, sans-serif;
       color: #1f1f1f; font-size: 8.6pt; line-height: 1.4; margin: 0 auto; max-width: 188mm; }
h1 { font-size: 13.5pt; margin: 0 0 0.5mm; }
h2 { font-size: 10pt; margin: 2.2mm 0 0.8mm; border-bottom: 1.5px solid #333; }
.meta { color: #555; font-size: 7.5pt; margin: 0; } .example { color: #a86400; font-weight: bold; }
.rec { border: 2px solid #333; border-radius: 2mm; padding: 1.6mm 2.6mm; margin: 1.6mm 0; }
.rec .v { display: block; font-size: 12.5pt; font-weight: bold; } .v-go { color: #1e7b34; } .v-no-go { color: #b3261e; }
.v-not-yet { color: #a86400; } .rec ol { margin: 0.8mm 0 0 5mm; padding: 0; } .rec li { margin: 0.4mm 0; }
.rec ul.blk { margin: 0.6mm 0 0 4mm; padding: 0; } .rec ul.blk li { margin: 0.2mm 0; font-weight: bold; }
"""
_BOX_CSS = """
.signin-lite-verdict .rec { border: 2px solid #333; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.signin-lite-verdict .v { display: block; font-size: 1.3em; font-weight: bold; margin-bottom: 0.2em; }
.signin-lite-verdict .v-go { color: #1e7b34; }
.signin-lite-verdict .v-no-go { color: #b3261e; } .signin-lite-verdict .v-not-yet { color: #a86400; }
.signin-lite-verdict ul.blk li { font-weight: bold; }
"""
_CSS += """
table { border-collapse: collapse; width: 100%; font-size: 7.8pt; margin: 0.8mm 0; }
th, td { border: 1px solid #bbb; padding: 0.5mm 1.1mm; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.n { text-align: right; white-space: nowrap; } .sub { color: #666; font-size: 6.9pt; }
.model { font-size: 7.6pt; margin: 0.6mm 0; } .warn { color: #b3261e; font-weight: bold; }
.pay { font-size: 8.4pt; margin: 1mm 0; }
.cols { display: flex; gap: 4mm; } .cols > div { flex: 1; } ul { margin: 0.6mm 0 0 4mm; padding: 0; }
.foot { color: #555; font-size: 7.2pt; margin-top: 1.5mm; } code { font-size: 7pt; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _e(x) -> str:
    return html.escape(str(x))


def _data(x) -> str:
    """A value from the records or the inputs file (names, ids): kept as given, marked for the language check."""
    return f'<span class="data">{_e(x)}</span>'


def _marked(text: str) -> str:
    """Escape ``text``; turn \\x01...\\x02 into data spans and \\x03...\\x04 into code (commands)."""
    return (_e(text).replace("\x01", '<span class="data">').replace("\x02", "</span>")
            .replace("\x03", "<code>").replace("\x04", "</code>"))


def _strings(lang: str) -> dict:
    if lang not in STRINGS:
        raise ValueError(f"unknown lang {lang!r}; known: {', '.join(methods.LANGS)}")
    return STRINGS[lang]


class _Fmt:
    """Numbers in the reader's language, by :mod:`typography`'s one rule."""

    def __init__(self, lang: str, currency: str):
        self.lang, self.S, self.cur = lang, STRINGS[lang], currency

    def money(self, x: float | None) -> str:
        return ty.money(x, self.lang, self.cur, self.S["currencies"], self.S["na"])

    def pp(self, x: float | None) -> str:
        return ty.signed(x, 1, self.S["na"])

    def ratio(self, x: float | None) -> str:
        return ty.ratio(x, self.lang, 2, self.S["na"])

    def pct(self, x: float) -> str:
        return f"{100 * x:.0f}%"

    def hours(self, x: float) -> str:
        return ty.number(x, 0 if x >= 10 else 1)

    def time_cell(self, t: timing_.TimeRatio | None) -> str:
        """×1.35 [1.06, 1.61], or "not measurable here" (the interval includes 1), or n/a."""
        if t is None:
            return self.S["na"]
        if t.low is None:
            return f"{self.ratio(t.ratio)} {self.S['no_interval']}"
        ci = f"[{t.low:.2f}, {t.high:.2f}]"
        if t.status == timing_.MEASURED:
            return f"{self.ratio(t.ratio)} {ci}"
        open_, close = ("（", "）") if self.lang == "ja" else (" (", ")")
        return f"{self.S['not_measurable']}{open_}{self.ratio(t.ratio)} {ci}{close}"


def _model_line(t: timing_.Timing | None, inputs: ReportInputs, S: dict, F: _Fmt) -> str:
    """Which model the training measurements are of: the reader's own, or the reference; with mismatch warnings."""
    if t is None:
        return f"<p class='model warn'>{_e(S['model_none'])}</p>"
    p = {"model": f"\x01{t.model}\x02", "shape": "×".join(map(str, t.input_shape)), "batch": t.batch_size,
         "sparsity": F.pct(t.sparsity), "device": f"\x01{t.device}\x02", "date": t.date[:10]}
    text = S["model_reader" if t.reader else "model_reference"].format(**p)
    warns = []
    if abs(t.sparsity - inputs.sparsity) > 1e-6:
        warns.append(S["warn_sparsity"].format(probe=F.pct(t.sparsity), report=F.pct(inputs.sparsity)))
    if inputs.train_batch_size and inputs.train_batch_size != t.batch_size:
        warns.append(S["warn_batch"].format(probe=t.batch_size, batch=inputs.train_batch_size))
    if t.left_dense:
        warns.append(S["warn_dense"].format(n=len(t.left_dense), eff=F.pct(t.effective_sparsity or 0.0)))
    out = f"<p class='model'>{_marked(text)}"
    if not t.reader:
        hint = S["model_reference_hint"].format(probe_cmd=f"\x03{PROBE_CMD}\x04", report_cmd=f"\x03{REPORT_CMD}\x04")
        out += f"{S['sp']}{_marked(hint)}"
    out += "</p>"
    if warns:
        out += "".join(f"<p class='model warn'>{_e(w)}</p>" for w in warns)
    return out


def blocker_texts(rec: Recommendation, ws: Worksheet, lang: str) -> list[str]:
    """Every blocker of the recommendation as a sentence in ``lang`` (for go: the one sentence saying why)."""
    S, F = _strings(lang), _Fmt(lang, ws.deployment.currency)
    o, dep = rec.option, ws.deployment
    if o is None:
        return [S["no_records"]]
    ci = o.acc_ci_pp
    p = {"change": F.pp(o.acc_change_pp), "low": F.pp(ci.low if ci else None), "high": F.pp(ci.high if ci else None),
         "tol": ty.signed(-dep.tolerance_pp, 1), "materiality": F.money(dep.materiality),
         "saving": F.money(o.saving_abs), "upper": F.money(o.upper_saving), "loss": F.money(-o.saving_abs)}
    if not rec.blockers:
        return [S["go_because"].format(**p)]
    loss = S["blockers_loss"] if o.saving_abs < 0 else {}
    return [loss.get(b, S["blockers"][b]).format(**p) for b in rec.blockers]


def next_step(rec: Recommendation, lang: str) -> str:
    """What the reader can do next about the blockers ('' when there is nothing to add)."""
    S = _strings(lang)
    key = "money_unproven" if "money_unproven" in rec.blockers else rec.blockers[0] if rec.blockers else ""
    return S["next"].get(key, "")


def _headline(rec: Recommendation, ws: Worksheet, S: dict, F: _Fmt) -> str:
    lead = f"<b>{_e(S['lead'][rec.verdict])}</b> " if S["lead"].get(rec.verdict) else ""
    texts = blocker_texts(rec, ws, F.lang)
    if not rec.blockers or rec.option is None:
        return f"{lead}{_e(' '.join(texts))}"
    items = "".join(f"<li>{_e(t)}</li>" for t in texts)
    nxt = next_step(rec, F.lang)
    tail = f"<span>{_e(nxt.strip())}</span>" if nxt else ""
    return f"{lead}{_e(S['blocked_by'])}<ul class='blk'>{items}</ul>{tail}"


def _reasons(rec: Recommendation, ws: Worksheet, gain: dict | None, sparsity: float, S: dict, F: _Fmt) -> str:
    o, dep, t = rec.option, ws.deployment, ws.timing
    if o is None:
        return ""
    out = []
    ci = o.acc_ci_pp
    out.append(S["r_acc"].format(change=F.pp(o.acc_change_pp), low=F.pp(ci.low if ci else None),
                                 high=F.pp(ci.high if ci else None), n=o.summary.n_seeds,
                                 tol=ty.signed(-dep.tolerance_pp, 1)))
    money = S["r_money_loss"] if o.saving_abs is not None and o.saving_abs < 0 else S["r_money"]
    out.append(money.format(saving=F.money(o.saving_abs), loss=F.money(abs(o.saving_abs or 0)),
                            materiality=F.money(dep.materiality), speedup=f"{dep.sparse_speedup:g}",
                            upper=F.money(o.upper_saving), flops=f"{o.flops_saving_pct or 0:.0f}"))
    if t is not None and o.train_time is not None:
        key = "r_train_measured" if o.train_time.status == timing_.MEASURED else "r_train_unmeasurable"
        out.append(S[key].format(who=S["who_reader" if t.reader else "who_reference"], time=F.time_cell(o.train_time),
                                 memory=F.ratio(o.train_memory_ratio)))
    else:
        out.append(S["r_train_none"])
    if gain is None:
        out.append(S["r_arms_none"].format(paper=F.pp(paper.gain(sparsity))))
    else:
        n = ty.interval_digits(gain["low"], gain["high"])  # a bound near zero keeps its sign visible
        pp = lambda x: ty.signed(x, n, S["na"])  # noqa: E731
        out.append(S["r_arms"].format(gain=pp(gain["gain"]), low=pp(gain["low"]), high=pp(gain["high"]),
                                      reading=reading_text(gain["reading"], F.lang),
                                      n=gain["n"], epochs=gain["epochs"], sparsity=F.pct(gain["sparsity"]),
                                      test=ty.number(gain["test"] or 0), paper=F.pp(paper.gain(gain["sparsity"]))))
    return "<ol>" + "".join(f"<li>{_e(r)}</li>" for r in out) + "</ol>"


def _option_rows(ws: Worksheet, opts: dict, S: dict, F: _Fmt) -> str:
    t, rows = ws.timing, []
    for key, o in opts.items():
        name = _e(method_name(key, S))
        if o is None:
            rows.append(f"<tr><td>{name}</td><td colspan='7'>{_e(S['not_run'])}</td></tr>")
            continue
        dense = o is ws.dense
        ci = o.acc_ci_pp
        acc = "±0" if dense else f"{F.pp(o.acc_change_pp)}<br><span class='sub'>[{F.pp(ci.low if ci else None)}, " \
                                 f"{F.pp(ci.high if ci else None)}]</span>"
        if dense:
            time, mem, size = F.ratio(1.0), F.ratio(1.0), F.ratio(1.0)
        else:
            time = _e(F.time_cell(o.train_time))
            if o.train_time is not None and o.train_time.status == timing_.MEASURED:
                time = time.replace(" [", "<br><span class='sub'>[").replace("]", "]</span>", 1)
            mem = F.ratio(o.train_memory_ratio)
            size = F.ratio(t.storage_ratio) if t is not None and t.storage_ratio else \
                F.ratio(1 - o.storage["saving_pct"] / 100) if o.storage else S["na"]
        saving = "—" if dense else f"{F.money(o.saving_abs)}<br><span class='sub'>{_e(S['upper_short'])} " \
                                   f"{F.money(o.upper_saving)}</span>"
        verdict = "—" if dense else f"<b class='v-{o.verdict}'>{_e(rule.verdict_label(o.verdict, F.lang))}</b>"
        cells = [f"{name}<br><span class='sub'>{_e(S['seeds'].format(n=o.summary.n_seeds))}</span>", acc, time, mem,
                 size, F.money(o.total_cost), saving, verdict]
        rows.append("<tr>" + "".join(f"<td{'' if i == 0 else ' class=n'}>{c}</td>" for i, c in enumerate(cells))
                    + "</tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in S["cols"])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _payback_html(pb: dict, S: dict, F: _Fmt) -> str:
    p = {"total": F.money(pb["total"]), "saving": F.money(pb["saving"]), "upper": F.money(pb["upper"]),
         "months": F.hours(pb["months"]) if pb["months"] is not None else S["na"],
         "upper_months": F.hours(pb["upper_months"]) if pb["upper_months"] is not None else S["na"]}
    p["loss"] = F.money(-pb["saving"]) if pb["saving"] is not None and pb["saving"] < 0 else None
    key = "payback_yes" if pb["months"] is not None else "payback_loss" if p["loss"] else "payback_no"
    text = S[key].format(**p)
    if pb["upper_months"] is not None:
        text += S["sp"] + S["payback_upper"].format(**p)
    return f"<p class='pay'><b>{_e(S['h_payback'])}</b>{S['colon']}{_e(text)}</p>"


def _plan_html(plan: dict, ws: Worksheet, inputs: ReportInputs, S: dict, F: _Fmt) -> str:
    dep, t = ws.deployment, ws.timing
    basis = S["plan_basis_probe" if t is not None else "plan_basis_records"].format(
        steps=ty.number(plan["steps"]), batch=t.batch_size if t else "?", scale=f"{dep.train_time_scale:g}")
    items = [S["plan"][k].format(runs=plan["runs"], seeds=plan["seeds"], hours=F.hours(plan["hours"]),
                                 compute=F.money(plan["compute"]), days=f"{plan['days']:g}",
                                 people=F.money(plan["people"]), total=F.money(plan["total"]),
                                 weeks=plan["weeks"], sparsity=f"{100 * inputs.sparsity:.0f}", basis=basis)
             for k in ("scope", "compute", "people", "total")]
    probe_cmd = "\x03python -m signin_lite probe\x04"
    crit = [S["criteria"][k].format(tol=ty.signed(-dep.tolerance_pp, 1), materiality=F.money(dep.materiality),
                                    sparsity=f"{100 * inputs.sparsity:.0f}", probe=probe_cmd)
            for k in ("acc", "money", "cost", "stop")]
    return (f"<div class='cols'><div><h2>{_e(S['h_plan'])}</h2><ul>{''.join(f'<li>{_e(x)}</li>' for x in items)}"
            f"</ul></div><div><h2>{_e(S['h_criteria'])}</h2><ul>{''.join(f'<li>{_marked(x)}</li>' for x in crit)}"
            "</ul></div></div>")


def _page(lang: str, title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _verdict_box(rec: Recommendation, ws: Worksheet, gain: dict | None, inputs: ReportInputs, S: dict,
                 F: _Fmt) -> str:
    return (f"<div class='rec'><span class='v v-{rec.verdict}'>{_e(S['verdict'].format(v=rec.label(F.lang)))}</span>"
            f"{S['sp']}{_headline(rec, ws, S, F)}{_reasons(rec, ws, gain, inputs.sparsity, S, F)}</div>")


def verdict_html(ws: Worksheet, inputs: ReportInputs, lang: str = "ja", four_arm=_DEFAULT) -> str:
    """Page 1's verdict, its blockers and its reasons as an HTML fragment (with its own style), for a notebook:
    the worksheet's live controls redraw it, so the verdict moves with the inputs, not only the figures."""
    S = _strings(lang)
    F = _Fmt(lang, ws.deployment.currency)
    gain = four_arm_gain(poc_inputs.four_arm() if four_arm is _DEFAULT else four_arm)
    box = _verdict_box(recommend(ws, inputs.sparsity), ws, gain, inputs, S, F)
    return f"<div class='signin-lite-verdict'><style>{_BOX_CSS}</style>{box}</div>"


def render_report(ws: Worksheet, inputs: ReportInputs, lang: str = "ja", appendix_href: str | None = None,
                  four_arm=_DEFAULT) -> str:
    """Page 1 as one self-contained HTML string. ``four_arm``: an :class:`signin_lite.evidence.arms.ArmTest` (default:
    the committed test in results/cpu_signin/runs; None: none)."""
    S = _strings(lang)
    if not isinstance(ws, Worksheet):
        raise TypeError(f"worksheet must be a poc.Worksheet (got {type(ws).__name__})")
    F = _Fmt(lang, ws.deployment.currency)
    test = poc_inputs.four_arm() if four_arm is _DEFAULT else four_arm
    gain = four_arm_gain(test)
    rec, opts, dep = recommend(ws, inputs.sparsity), _options(ws, inputs.sparsity), ws.deployment
    plan = poc_plan(ws, inputs)
    meta = S["meta"].format(date=ws.created[:10], sparsity=f"{100 * inputs.sparsity:.0f}")
    example = f"{S['sp']}<span class='example'>{_e(S['example'])}</span>" if inputs.example else ""
    hw = S["hardware"].format(hw="\x01" + value_text(dep.hardware, lang) + "\x02",
                             speedup=f"{dep.sparse_speedup:g}")
    appendix = appendix_href or "appendix"
    body = (f"<h1>{_e(S['title'])}</h1><p class='meta'>{_e(meta)}{example}</p>"
            f"{_verdict_box(rec, ws, gain, inputs, S, F)}"
            f"<h2>{_e(S['h_options'].format(sparsity=f'{100 * inputs.sparsity:.0f}'))}</h2>"
            f"{_option_rows(ws, opts, S, F)}{_model_line(ws.timing, inputs, S, F)}"
            f"<p class='sub'>{_marked(hw)}{S['sp']}{_e(S['table_note'])}</p>"
            f"{_payback_html(payback(plan, rec.option), S, F)}"
            f"{_plan_html(plan, ws, inputs, S, F)}"
            f'<p class="foot">{_e(S["foot"])} <a href="{_e(appendix)}">{_data(Path(appendix).name)}</a></p>')
    return _page(lang, S["title"], body)


def render_appendix(ws: Worksheet, inputs: ReportInputs, lang: str = "ja", probe: dict | None = None,
                    second: dict[str, str] | None = None) -> str:
    """The appendix: inputs, every assumption (the verdict rule among them), the probe record, the second test of
    Sign-In, and the provenance of every number. ``probe`` is the record behind ``ws.timing`` (default: the reference
    record); ``second``: :func:`signin_lite.decision.second_test.values` (default: of the committed records)."""
    S = _strings(lang)
    cur = ws.deployment.currency
    rows = "".join(f"<tr><td>{_e(S['fields'].get(n, n))}</td><td class=n>{_data(value_text(v, lang))}</td>"
                   f"<td>{_e(unit_text(u, cur, S))}</td></tr>" for n, v, u, _ in ws.deployment.inputs())
    rows += (f"<tr><td>{_e(S['fields']['sparsity'])}</td><td class=n>{100 * inputs.sparsity:.0f}%</td><td></td></tr>"
             f"<tr><td>{_e(S['fields']['source'])}</td><td>{_data(inputs.source)}</td><td></td></tr>")
    notes = "".join(f"<li>{note_text(n.key, n.params, S)}</li>" for n in ws.notes)
    prov = "".join(f"<tr><td>{_e(method_name(o.summary.method, S))}</td><td>{_data(', '.join(o.summary.run_ids))}"
                   f"</td><td>{_data(', '.join(sorted({d[:10] for d in o.summary.dates})))}</td>"
                   f"<td>{_data(', '.join(o.summary.device_names))}</td><td>{_data(', '.join(o.summary.data_sources))}"
                   f"</td></tr>" for o in ws.options)
    prov += "".join(f"<tr><td>{_e(S['measurement'])}</td><td>{_data(m['run_id'])}</td><td>{_data(str(m['date'])[:10])}"
                    f"</td><td>{_data(m['device'])}</td><td></td></tr>" for m in ws.measurements)
    if probe is None and ws.timing is not None and not ws.timing.reader:
        probe = poc_inputs.reference_probe()
    body = (f"<h1>{_e(S['appendix_title'])}</h1><p class='meta'>{_e(S['appendix_intro'])}</p>"
            f"<h2>{_e(S['h_inputs'])}</h2><table><tbody>{rows}</tbody></table>"
            f"<h2>{_e(S['h_assumptions'])}</h2><ol>{notes}</ol>{_probe_html(probe, ws.timing, S)}"
            f"{_second_html(second_test.values(lang) if second is None else second, S)}"
            f"<h2>{_e(S['h_provenance'])}</h2><table><thead><tr>"
            + "".join(f"<th>{_e(h)}</th>" for h in S["prov_cols"]) + f"</tr></thead><tbody>{prov}</tbody></table>"
            f"<p class='foot'>{_e(S['paper_note'].format(paper=_paper(inputs.sparsity)))}</p>")
    return _page(lang, S["appendix_title"], body)


def _second_html(v: dict[str, str], S: dict) -> str:
    """The second test of Sign-In (:mod:`signin_lite.decision.second_test`): what it is, its state or result, and
    why page 1 cites the first test."""
    keys = {k.removeprefix("bl_rg_"): x for k, x in v.items()}
    text = S["second"].format(**keys, folder=f"\x01results/{second_test.RUNS.as_posix()}\x02")
    if keys["mult_low"] != "—":
        text += S["sp"] + S["second_done"].format(**keys)
    return f"<h2>{_e(S['h_second'])}</h2><p>{_marked(text)}</p>"


def _paper(sparsity: float) -> str:
    a, b = paper.acc(sparsity, "pai"), paper.acc(sparsity, "pai_signin")
    return "—" if a is None or b is None else f"{100 * sparsity:.0f}%: PaI {a:.2f}%, PaI + Sign-In {b:.2f}%"


def _probe_html(probe: dict | None, t: timing_.Timing | None, S: dict) -> str:
    head = S["h_probe_reader" if t is not None and t.reader else "h_probe_reference"]
    if not probe or t is None:
        return f"<h2>{_e(head)}</h2><p>{_e(S['probe_none'])}</p>"
    m = probe["measurements"]
    lang = "ja" if S is STRINGS["ja"] else "en"
    F = _Fmt(lang, "")
    rows = "".join(f"<tr><td>{_e(S['probe_kinds'][k])}</td><td class=n>{1e3 * m[k]['step_time_s']:,.1f}</td>"
                   f"<td class=n>{'—' if k == 'dense' else _e(F.time_cell(t.time[k]))}</td>"
                   f"<td class=n>{_mib(m[k].get('peak_memory_bytes'))}</td></tr>" for k in timing_.VARIANTS)
    info = S["probe_info"].format(model="\x01" + probe["model"]["spec"] + "\x02", date=str(probe["date"])[:10],
                                  device="\x01" + probe["env"]["device_name"] + "\x02",
                                  shape="×".join(map(str, probe["input"]["shape"])), batch=probe["input"]["batch_size"],
                                  steps=probe["steps"], sparsity=f"{100 * probe['sparsity']:.0f}")
    extra = ""
    if t.effective_sparsity is not None:
        extra = S["probe_weights"].format(eff=f"{100 * t.effective_sparsity:.1f}", n=len(t.left_dense),
                                          names="\x01" + ", ".join(t.left_dense[:8])
                                          + (", …" if len(t.left_dense) > 8 else "") + "\x02" if t.left_dense else "—")
    return (f"<h2>{_e(head)}</h2><p>{_marked(info)}{S['sp']}{_marked(extra)}</p><table><thead><tr>"
            + "".join(f"<th>{_e(h)}</th>" for h in S["probe_cols"]) + f"</tr></thead><tbody>{rows}</tbody></table>")


def _mib(b: float | None) -> str:
    return "—" if not b else f"{b / 1e6:,.1f}"


def appendix_path(path: str | Path) -> Path:
    """Where :func:`write_report` puts the appendix of the page at ``path``."""
    path = Path(path)
    return path.with_name(re.sub(r"(\.html?)?$", "", path.name, count=1) + "_appendix.html")


def write_report(ws: Worksheet, inputs: ReportInputs, lang: str, path: str | Path,
                 probe: dict | None = None, four_arm=_DEFAULT) -> tuple[Path, Path]:
    """Write the page and its appendix (``<name>_appendix.html`` beside it); each replaces its file in one step.
    ``probe``: the record behind ``ws.timing`` when it is the reader's (for the appendix's table)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"--out {path} is a folder; give a file name such as {path / f'poc_report_{lang}.html'}")
    extra = appendix_path(path)
    texts = {path: render_report(ws, inputs, lang, appendix_href=extra.name, four_arm=four_arm),
             extra: render_appendix(ws, inputs, lang, probe)}
    path.parent.mkdir(parents=True, exist_ok=True)
    for p, text in texts.items():  # render both first: a failure leaves earlier files as they were
        tmp = p.with_name(f".{p.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
    return path, extra


def option_rows(ws: Worksheet, lang: str = "ja") -> list[dict[str, str]]:
    """One row per option of ``ws``: accuracy change against dense, the training step-time and peak-memory ratios (as
    measured, or the dash where nothing was measured), the monthly cost and the verdict, with ``lang``'s column names
    and typography, for the worksheet chapters' tables."""
    cols, S = OPTION_COLUMNS[lang], STRINGS[lang]
    rows = []
    for o in ws.options:
        dense = o is ws.dense
        step = o.train_time_ratio if dense else (o.train_time.ratio if o.train_time else None)
        values = (method_name(o.summary.method, S), ty.signed(o.acc_change_pp), ty.ratio(step, lang),
                  ty.ratio(o.train_memory_ratio, lang), ty.money(o.total_cost, lang, ws.deployment.currency,
                                                                 S["currencies"]),
                  "\u2014" if dense else rule.verdict_label(o.verdict, lang))
        rows.append(dict(zip(cols, values, strict=True)))
    return rows
