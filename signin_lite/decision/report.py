"""The one-page PoC report (Japanese or English): self-contained HTML that prints on exactly one A4 page,
plus an appendix file with every assumption and where each number came from.

    from signin_lite.decision import poc_inputs, report
    inp = poc_inputs.load_inputs("examples/poc_inputs.toml")
    ws = poc_inputs.report_worksheet(inp)
    page, appendix = report.write_report(ws, inp, "ja", "poc_report_ja.html", probe=poc_inputs.latest_probe())

Or: ``python -m signin_lite report --lang ja --inputs FILE --out poc_report_ja.html``.

Page 1 holds the recommendation (PoC go / no-go / not yet) with its three reasons, the three options that
matter (dense, sparse, sparse + Sign-In at the chosen sparsity), their monthly cost and accuracy change with
intervals, the savings kept apart by kind, the PoC's own cost and duration, and the go/no-go criteria to agree
on before it starts. No network: inline CSS and an inline SVG figure. Wording lives in :mod:`report_text`.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

from signin_lite.evidence import paper, summary
from signin_lite.foundations import methods
from signin_lite.decision.options import accuracy_change
from signin_lite.decision.poc import OptionResult, Worksheet
from signin_lite.decision.poc_inputs import ReportInputs
from signin_lite.decision.report_text import ALLOWED_LATIN, STRINGS, method_name, note_text

__all__ = ["ALLOWED_LATIN", "Recommendation", "recommend", "poc_plan", "render_report",
           "render_appendix", "write_report", "appendix_path"]


@dataclass(frozen=True)
class Recommendation:
    """``verdict`` is ``go`` (run the PoC), ``no-go`` or ``not-yet``; ``reasons`` are (key, params) x 3."""

    verdict: str
    headline: str
    reasons: list[tuple[str, dict]]


def _options(ws: Worksheet, sparsity: float) -> dict[str, OptionResult | None]:
    out: dict[str, OptionResult | None] = {"dense": ws.dense, "pai": None, "pai_signin": None}
    for o in ws.options[1:]:
        if o.summary.method in out and abs(o.summary.sparsity - sparsity) < 1e-6:
            out[o.summary.method] = o
    return out


def upper_bound_saving(ws: Worksheet, o: OptionResult) -> float:
    """Monthly saving if inference realized the whole FLOPs saving (the compute upper bound)."""
    f = (o.flops_saving_pct or 0.0) / 100.0
    return ws.dense.total_cost - (ws.dense.inference_cost * (1.0 - f) + o.retraining_cost)


def _accuracy_state(o: OptionResult, tol: float) -> str:
    ci = o.acc_ci_pp
    if ci is None:
        return "unknown"
    return "ok" if ci.low >= -tol else "bad" if ci.high < -tol else "unclear"


def _signin_vs_pai(signin: OptionResult, pai: OptionResult | None) -> dict:
    """The project's own Sign-In gain over PaI (pp, 95% interval paired by seed where the seeds pair) beside the
    paper's."""
    out = {"gain": None, "gain_low": None, "gain_high": None, "paper": paper.gain(signin.summary.sparsity)}
    if pai is not None:
        a, b = signin.summary, pai.summary
        out["gain"] = 100.0 * (a.test_acc_mean - b.test_acc_mean)
        ci = accuracy_change(a, b)
        if ci.available:
            out["gain_low"], out["gain_high"] = ci.low, ci.high
    return out


def recommend(ws: Worksheet, sparsity: float, probe: dict | None = None) -> Recommendation:
    """PoC go / no-go / not yet, from the Sign-In option at ``sparsity`` against dense.

    no-go: the accuracy loss is clearly beyond the tolerance, or even the compute upper bound saves no more than
    the materiality threshold. go: accuracy within tolerance and a material saving under the stated assumptions.
    not yet: anything else (the saving rests on an unmeasured speed-up, or the interval is too wide).
    """
    opts = _options(ws, sparsity)
    s, dep = opts["pai_signin"] or opts["pai"], ws.deployment
    if s is None:
        return Recommendation("not-yet", "no_records", [("r_no_records", {"sparsity": sparsity})] * 1)
    acc = _accuracy_state(s, dep.tolerance_pp)
    upper = upper_bound_saving(ws, s)
    material = s.saving_abs > dep.materiality
    if acc == "bad" or upper <= dep.materiality:
        verdict, headline = "no-go", "h_nogo_acc" if acc == "bad" else "h_nogo_money"
    elif acc == "ok" and material:
        verdict, headline = "go", "h_go"
    else:
        verdict, headline = "not-yet", "h_wait_speed" if not material else "h_wait_acc"
    ci = s.acc_ci_pp
    r1 = ("r_acc_" + acc, {"change": s.acc_change_pp, "low": ci.low if ci else None, "high": ci.high if ci else None,
                           "tol": dep.tolerance_pp, **_signin_vs_pai(s, opts["pai"])})
    r2 = ("r_money_yes" if material else "r_money_no",
          {"saving": s.saving_abs, "materiality": dep.materiality, "speedup": dep.sparse_speedup, "upper": upper,
           "flops": s.flops_saving_pct or 0.0})
    r3 = ("r_measured_probe" if probe else "r_measured_ref", _measured(s, ws.dense, probe))
    return Recommendation(verdict, headline, [r1, r2, r3])


def _measured(s: OptionResult, dense: OptionResult, probe: dict | None) -> dict:
    p = {"storage": -s.storage["saving_pct"] if s.storage else None,
         "time": 100.0 * (s.summary.train_time_s_mean / dense.summary.train_time_s_mean - 1.0),
         "memory": s.train_memory_change_pct}
    if probe:
        m = probe["measurements"]
        p.update(model=f"\x01{probe['model']['spec']}\x02", time=100.0 * (m["masked_signin"]["step_time_s"]
                                                            / m["dense"]["step_time_s"] - 1.0),
                 memory=_ratio_pct(m["masked_signin"].get("peak_memory_bytes"), m["dense"].get("peak_memory_bytes")),
                 storage=_ratio_pct(probe["storage"]["merged_sparse_bytes"], probe["storage"]["dense_bytes"]))
    return p


def _ratio_pct(a: float | None, b: float | None) -> float | None:
    return None if not a or not b else 100.0 * (a / b - 1.0)


def poc_plan(ws: Worksheet, inputs: ReportInputs) -> dict:
    """Cost and duration of the PoC: seeds x (dense, sparse, sparse + Sign-In) runs on the target hardware
    (measured times x ``train_time_scale``), plus the engineering effort (an input)."""
    dep = ws.deployment
    runs = [o for o in _options(ws, inputs.sparsity).values() if o is not None]
    hours = inputs.poc_seeds * sum(o.train_hours_per_run for o in runs)
    compute = hours * dep.hourly_cost
    people = dep.poc_engineer_days * dep.engineer_cost_per_day
    return {"runs": inputs.poc_seeds * len(runs), "seeds": inputs.poc_seeds, "hours": hours, "compute": compute,
            "days": dep.poc_engineer_days, "people": people, "total": compute + people,
            "weeks": max(1, math.ceil((dep.poc_engineer_days + hours / 24.0) / 5.0))}


# ------------------------------------------------------------------------------------------------ HTML
_CSS = """
@page { size: A4; margin: 11mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, "Helvetica Neue", Arial, sans-serif;
       color: #1f1f1f; font-size: 9pt; line-height: 1.45; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 14pt; margin: 0 0 1mm; } h2 { font-size: 10.5pt; margin: 3mm 0 1mm; border-bottom: 1.5px solid #333; }
.meta { color: #555; font-size: 7.5pt; } .example { color: #a86400; font-weight: bold; }
.rec { border: 2px solid #333; border-radius: 2mm; padding: 2mm 3mm; margin: 2mm 0; }
.rec .v { font-size: 13pt; font-weight: bold; } .v-go { color: #1e7b34; } .v-no-go { color: #b3261e; }
.v-not-yet { color: #a86400; } .rec ol { margin: 1mm 0 0 5mm; padding: 0; } .rec li { margin: 0.6mm 0; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 1mm 0; }
th, td { border: 1px solid #bbb; padding: 0.6mm 1.2mm; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.n { text-align: right; white-space: nowrap; } .sub { color: #666; font-size: 7pt; }
.cols { display: flex; gap: 4mm; } .cols > div { flex: 1; } ul { margin: 1mm 0 0 4mm; padding: 0; }
.foot { color: #555; font-size: 7.5pt; margin-top: 2mm; } svg { display: block; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _e(x) -> str:
    return html.escape(str(x))


def _data(x) -> str:
    """A value from the records or the inputs file (names, ids): kept as given, marked for the language check."""
    return f'<span class="data">{_e(x)}</span>'


def _money(x: float | None, S: dict, cur: str) -> str:
    if x is None:
        return S["na"]
    return S["money"].format(v=f"{x:,.0f}", cur=S["currencies"].get(cur, cur))


def _pct(x: float | None, S: dict, signed: bool = True) -> str:
    return S["na"] if x is None else (f"{x:+.0f}%" if signed else f"{x:.0f}%")


def _fmt_reason(key: str, p: dict, S: dict, cur: str) -> str:
    q = dict(p)
    for k in ("saving", "materiality", "upper"):
        if k in q:
            q[k] = _money(q[k], S, cur)
    for k in ("change", "low", "high", "gain", "gain_low", "gain_high", "paper"):
        if k in q:
            q[k] = summary.signed_text(q[k])
    for k in ("storage", "time", "memory"):
        if k in q:
            q[k] = _pct(q[k], S)
    if "flops" in q:
        q["flops"] = f"{p['flops']:.0f}"
    text = S["reasons"][key].format(**q)
    if key.startswith("r_acc") and p.get("gain") is not None:
        text += S["r_gain"].format(**q) if p.get("gain_low") is not None else S["r_gain_noci"].format(**q)
    return _e(text).replace("\x01", '<span class="data">').replace("\x02", "</span>")


def _option_rows(ws: Worksheet, opts: dict, S: dict) -> str:
    cur, rows = ws.deployment.currency, []
    for key, o in opts.items():
        if o is None:
            rows.append(f"<tr><td>{_e(method_name(key, S))}</td><td colspan='6'>{_e(S['not_run'])}</td></tr>")
            continue
        dense = o is ws.dense
        ci = o.acc_ci_pp
        acc = "±0" if dense else f"{summary.signed_text(o.acc_change_pp)} <span class='sub'>" \
                                 f"[{summary.signed_text(ci.low) if ci else '?'}, " \
                                 f"{summary.signed_text(ci.high) if ci else '?'}]</span>"
        cells = [f"{_e(method_name(key, S))}<br><span class='sub'>{_e(S['seeds'].format(n=o.summary.n_seeds))}</span>",
                 acc, _money(o.total_cost, S, cur),
                 "—" if dense else _money(o.saving_abs, S, cur),
                 "—" if dense else f"{_money(upper_bound_saving(ws, o), S, cur)}<br><span class='sub'>"
                                   f"{_e(S['flops_pct'].format(p=_pct(o.flops_saving_pct, S, False)))}</span>",
                 "—" if dense else _pct(o.storage["saving_pct"] if o.storage else None, S, False),
                 "—" if dense else _pct(100.0 * (o.summary.train_time_s_mean
                                                 / ws.dense.summary.train_time_s_mean - 1), S)]
        rows.append("<tr>" + "".join(f"<td{'' if i == 0 else ' class=n'}>{c}</td>" for i, c in enumerate(cells))
                    + "</tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in S["cols"])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _svg(opts: dict, tol: float, S: dict) -> str:
    """Accuracy change vs dense with 95% intervals, and the tolerance line (inline SVG, 340 px wide)."""
    bars = [(k, o) for k, o in opts.items() if o is not None and k != "dense" and o.acc_ci_pp is not None]
    if not bars:
        return ""
    lo = min([-tol] + [o.acc_ci_pp.low for _, o in bars]) - 0.5
    hi = max([0.0] + [o.acc_ci_pp.high for _, o in bars]) + 0.5
    x = lambda v: 110 + 200 * (v - lo) / (hi - lo)  # noqa: E731
    bottom = 16 + 22 * len(bars)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="340" height="{bottom + 14}" font-size="9" '
           f'role="img" aria-label="{_e(S["fig_title"])}">',
           f'<text x="{x(0):.1f}" y="9" text-anchor="middle">{_e(S["fig_zero"])}</text>',
           f'<line x1="{x(0):.1f}" y1="12" x2="{x(0):.1f}" y2="{bottom}" stroke="#333"/>',
           f'<line x1="{x(-tol):.1f}" y1="12" x2="{x(-tol):.1f}" y2="{bottom}" '
           f'stroke="#b3261e" stroke-dasharray="3,2"/>',
           f'<text x="{x(-tol):.1f}" y="{bottom + 11}" text-anchor="middle" fill="#b3261e">'
           f'{_e(S["fig_tol"].format(tol=tol))}</text>']
    for i, (k, o) in enumerate(bars):
        y, ci = 24 + 22 * i, o.acc_ci_pp
        out += [f'<text x="0" y="{y + 3}">{_e(method_name(k, S))}</text>',
                f'<line x1="{x(ci.low):.1f}" y1="{y}" x2="{x(ci.high):.1f}" y2="{y}" '
                f'stroke="#1f4e79" stroke-width="2"/>',
                f'<circle cx="{x(o.acc_change_pp):.1f}" cy="{y}" r="3" fill="#1f4e79"/>']
    return "".join(out) + "</svg>"


def _plan_html(plan: dict, ws: Worksheet, inputs: ReportInputs, S: dict) -> str:
    cur, dep = ws.deployment.currency, ws.deployment
    items = [S["plan"][k].format(runs=plan["runs"], seeds=plan["seeds"], hours=f"{plan['hours']:,.0f}",
                                 compute=_money(plan["compute"], S, cur), days=f"{plan['days']:g}",
                                 people=_money(plan["people"], S, cur), total=_money(plan["total"], S, cur),
                                 weeks=plan["weeks"], sparsity=f"{100 * inputs.sparsity:.0f}")
             for k in ("scope", "compute", "people", "total")]
    crit = [S["criteria"][k].format(tol=f"{dep.tolerance_pp:g}", materiality=_money(dep.materiality, S, cur),
                                    sparsity=f"{100 * inputs.sparsity:.0f}") for k in ("acc", "money", "cost", "stop")]
    return (f"<div class='cols'><div><h2>{_e(S['h_plan'])}</h2><ul>{''.join(f'<li>{_e(t)}</li>' for t in items)}"
            f"</ul></div><div><h2>{_e(S['h_criteria'])}</h2><ul>{''.join(f'<li>{_e(t)}</li>' for t in crit)}"
            "</ul></div></div>")


def _page(lang: str, title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _strings(lang: str) -> dict:
    if lang not in STRINGS:
        raise ValueError(f"unknown lang {lang!r}; known: {', '.join(methods.LANGS)}")
    return STRINGS[lang]


def render_report(ws: Worksheet, inputs: ReportInputs, lang: str = "ja", probe: dict | None = None,
                  appendix_href: str | None = None) -> str:
    """Page 1 as one self-contained HTML string (about 15 kB)."""
    S = _strings(lang)
    if not isinstance(ws, Worksheet):
        raise TypeError(f"worksheet must be a poc.Worksheet (got {type(ws).__name__})")
    rec, opts, cur = recommend(ws, inputs.sparsity, probe), _options(ws, inputs.sparsity), ws.deployment.currency
    reasons = "".join(f"<li>{_fmt_reason(k, p, S, cur)}</li>" for k, p in rec.reasons)
    meta = S["meta"].format(date=ws.created[:10], sparsity=f"{100 * inputs.sparsity:.0f}")
    example = f"{S['sp']}<span class='example'>{_e(S['example'])}</span>" if inputs.example else ""
    hw = S["hardware"].format(hw="\x01" + ws.deployment.hardware + "\x02", speedup=f"{ws.deployment.sparse_speedup:g}",
                              scale=f"{ws.deployment.train_time_scale:g}")
    hw = _e(hw).replace("\x01", '<span class="data">').replace("\x02", "</span>")
    appendix = appendix_href or "appendix"
    body = (f"<h1>{_e(S['title'])}</h1><p class='meta'>{_e(meta)}{example}</p>"
            f"<div class='rec'><span class='v v-{rec.verdict}'>{_e(S['verdict'][rec.verdict])}</span> "
            f"<b>{_e(S['headlines'][rec.headline])}</b><ol>{reasons}</ol></div>"
            f"<h2>{_e(S['h_options'].format(sparsity=f'{100 * inputs.sparsity:.0f}'))}</h2>"
            f"{_option_rows(ws, opts, S)}<p class='sub'>{hw}{S['sp']}{_e(S['table_note'])}</p>"
            f"<div class='cols'><div>{_svg(opts, ws.deployment.tolerance_pp, S)}</div>"
            f"<div class='sub'>{_e(S['fig_caption'])}</div></div>"
            f"{_plan_html(poc_plan(ws, inputs), ws, inputs, S)}"
            f'<p class="foot">{_e(S["foot"])} <a href="{_e(appendix)}">{_data(Path(appendix).name)}</a></p>')
    return _page(lang, S["title"], body)


def render_appendix(ws: Worksheet, inputs: ReportInputs, lang: str = "ja", probe: dict | None = None) -> str:
    """The appendix: inputs, every assumption, the probe record, and the provenance of every number."""
    S = _strings(lang)
    rows = "".join(f"<tr><td>{_e(S['fields'].get(n, n))}</td><td class=n>{_data(_value(v))}</td>"
                   f"<td>{_e(_unit(u, ws.deployment.currency, S))}</td></tr>" for n, v, u, _ in ws.deployment.inputs())
    rows += (f"<tr><td>{_e(S['fields']['sparsity'])}</td><td class=n>{100 * inputs.sparsity:.0f}%</td><td></td></tr>"
             f"<tr><td>{_e(S['fields']['source'])}</td><td>{_data(inputs.source)}</td><td></td></tr>")
    notes = "".join(f"<li>{note_text(n.key, n.params, S)}</li>" for n in ws.notes)
    prov = "".join(f"<tr><td>{_e(method_name(o.summary.method, S))}</td><td>{_data(', '.join(o.summary.run_ids))}"
                   f"</td><td>{_data(', '.join(sorted({d[:10] for d in o.summary.dates})))}</td>"
                   f"<td>{_data(', '.join(o.summary.device_names))}</td><td>{_data(', '.join(o.summary.data_sources))}"
                   f"</td></tr>" for o in ws.options)
    prov += "".join(f"<tr><td>{_e(S['measurement'])}</td><td>{_data(m['run_id'])}</td><td>{_data(str(m['date'])[:10])}"
                    f"</td><td>{_data(m['device'])}</td><td></td></tr>" for m in ws.measurements)
    body = (f"<h1>{_e(S['appendix_title'])}</h1><p class='meta'>{_e(S['appendix_intro'])}</p>"
            f"<h2>{_e(S['h_inputs'])}</h2><table><tbody>{rows}</tbody></table>"
            f"<h2>{_e(S['h_assumptions'])}</h2><ol>{notes}</ol>{_probe_html(probe, S)}"
            f"<h2>{_e(S['h_provenance'])}</h2><table><thead><tr>"
            + "".join(f"<th>{_e(h)}</th>" for h in S["prov_cols"]) + f"</tr></thead><tbody>{prov}</tbody></table>"
            f"<p class='foot'>{_e(S['paper_note'].format(paper=_paper(inputs.sparsity)))}</p>")
    return _page(lang, S["appendix_title"], body)


def _unit(unit: str, currency: str, S: dict) -> str:
    """A unit in the report's language, with the currency named (円/時間, not currency units/h)."""
    text = S["units"].get(unit, unit)
    cur = S["currencies"].get(currency, currency)
    return text.replace("通貨単位", cur).replace("currency units", cur) if currency != "currency units" else text


def _paper(sparsity: float) -> str:
    a, b = paper.acc(sparsity, "pai"), paper.acc(sparsity, "pai_signin")
    return "—" if a is None or b is None else f"{100 * sparsity:.0f}%: PaI {a:.2f}%, PaI + Sign-In {b:.2f}%"


def _value(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1000 else f"{v:,.6g}"


def _probe_html(probe: dict | None, S: dict) -> str:
    if not probe:
        return f"<h2>{_e(S['h_probe'])}</h2><p>{_e(S['probe_none'])}</p>"
    m = probe["measurements"]
    rows = "".join(f"<tr><td>{_e(S['probe_kinds'][k])}</td><td class=n>{1e3 * m[k]['step_time_s']:.1f}</td>"
                   f"<td class=n>{_mib(m[k].get('peak_memory_bytes'))}</td></tr>"
                   for k in ("dense", "masked", "masked_signin"))
    info = S["probe_info"].format(model="\x01" + probe["model"]["spec"] + "\x02", date=str(probe["date"])[:10],
                                  device="\x01" + probe["env"]["device_name"] + "\x02",
                                  shape="×".join(map(str, probe["input"]["shape"])), batch=probe["input"]["batch_size"],
                                  steps=probe["steps"], sparsity=f"{100 * probe['sparsity']:.0f}")
    info = _e(info).replace("\x01", '<span class="data">').replace("\x02", "</span>")
    return (f"<h2>{_e(S['h_probe'])}</h2><p>{info}</p><table><thead><tr>"
            + "".join(f"<th>{_e(h)}</th>" for h in S["probe_cols"]) + f"</tr></thead><tbody>{rows}</tbody></table>")


def _mib(b: float | None) -> str:
    return "—" if not b else f"{b / 2 ** 20:,.1f}"


def appendix_path(path: str | Path) -> Path:
    """Where :func:`write_report` puts the appendix of the page at ``path``."""
    path = Path(path)
    return path.with_name(re.sub(r"(\.html?)?$", "", path.name, count=1) + "_appendix.html")


def write_report(ws: Worksheet, inputs: ReportInputs, lang: str, path: str | Path,
                 probe: dict | None = None) -> tuple[Path, Path]:
    """Write the page and its appendix (``<name>_appendix.html`` beside it); each replaces its file in one step."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"--out {path} is a folder; give a file name such as {path / f'poc_report_{lang}.html'}")
    extra = appendix_path(path)
    texts = {path: render_report(ws, inputs, lang, probe, appendix_href=extra.name),
             extra: render_appendix(ws, inputs, lang, probe)}
    path.parent.mkdir(parents=True, exist_ok=True)
    for p, text in texts.items():  # render both first: a failure leaves earlier files as they were
        tmp = p.with_name(f".{p.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
    return path, extra
