"""The one-page report: its recommendation, its inputs file, and the page printed to PDF in headless Chromium."""

import html
import json
import shutil
import subprocess
from pathlib import Path

import re

import pytest

from signin_lite import cli
from signin_lite.decision import poc_inputs, report, report_text, rule, second_test, timing, typography
from signin_lite.decision.options import summarize
from signin_lite.decision.deployment import Deployment
from signin_lite.decision.poc import build_worksheet as evaluate

import recordkit
from test_poc import deploy_rec, dense_recs, probe_rec, rec, signin_recs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def inputs(**kw) -> poc_inputs.ReportInputs:
    base = dict(requests_per_month=3.6e6, hardware="Example GPU X1", price_per_hour=2.0, power_watts=500.0,
                electricity_price_per_kwh=0.2, baseline_throughput_rps=100.0, retrains_per_month=2.0,
                tolerance_pp=10.0, sparse_speedup=1.25, materiality=1.0, poc_engineer_days=10,
                engineer_cost_per_day=100.0)
    base.update(kw)
    return poc_inputs.ReportInputs(deployment=Deployment(**base), sparsity=0.9, poc_seeds=3, example=True)


def worksheet(inp, signin_accs=(0.89, 0.91), probe=None):
    recs = dense_recs() + signin_recs(signin_accs) + [rec("pai", 0, 0.90, 3600.0), rec("pai", 1, 0.92, 3600.0)]
    t = timing.from_probe(probe, reader=True) if probe else None
    return evaluate(inp.deployment, summarize(recs), storage=deploy_rec(), inference=deploy_rec(), timing=t)


# ------------------------------------------------------------------------------------ the recommendation
@pytest.mark.parametrize("kw,accs,verdict,blockers", [
    ({}, (0.89, 0.91), "go", ()),                                                   # within 10 pp, saving > 1
    ({"sparse_speedup": 1.0}, (0.89, 0.91), "not-yet", ("money_unproven",)),      # no realized speed-up
    ({"materiality": 1e9}, (0.89, 0.91), "no-go", ("money_none",)),               # even the upper bound is small
    ({"tolerance_pp": 1.0}, (0.50, 0.51), "no-go", ("acc_below",)),              # 40 pp lost, interval far below
    ({"tolerance_pp": 1.0}, (0.89, 0.91), "not-yet", ("acc_unclear",)),          # interval crosses -1 pp
    ({"tolerance_pp": 1.0, "sparse_speedup": 1.0}, (0.89, 0.91), "not-yet", ("acc_unclear", "money_unproven")),
])
def test_recommendation(kw, accs, verdict, blockers):
    inp = inputs(**kw)
    ws = worksheet(inp, accs)
    r = report.recommend(ws, 0.9)
    assert (r.verdict, r.blockers) == (verdict, blockers)
    signin = next(o for o in ws.options if o.summary.method == "pai_signin")
    assert r.verdict == signin.verdict                      # page 1's verdict is the table's, by the one rule
    assert len(report.blocker_texts(r, ws, "en")) == max(1, len(blockers))


def test_materiality_keeps_a_few_yen_from_flipping_the_option_verdict():
    # speed-up 1.0 and no controlled timing: no difference at all, no saving
    ws = worksheet(inputs(sparse_speedup=1.0, materiality=5.0))
    pai = next(o for o in ws.options if o.summary.method == "pai")
    assert pai.saving_abs == pytest.approx(0.0, abs=1e-6) and pai.verdict == "not-yet"
    ws = worksheet(inputs(sparse_speedup=1.001, materiality=5.0))    # a tiny gain is still below the threshold
    pai = next(o for o in ws.options if o.summary.method == "pai")
    assert 0 < pai.saving_abs <= 5.0 and (pai.verdict, pai.reason) == ("not-yet", "money_unproven")
    # the upper bound (90% of 21.0 of inference a month) is 18.9: below a threshold of 50, no-go
    pai = next(o for o in worksheet(inputs(materiality=50.0)).options if o.summary.method == "pai")
    assert (pai.verdict, pai.blockers) == ("no-go", ("money_none",))


NOISE_CASE = dict(  # issue 20: a reader's case that said "go" on a sweep record's noise
    requests_per_month=500e6, hardware="A100", price_per_hour=600.0, power_watts=400.0, electricity_price_per_kwh=31.0,
    baseline_throughput_rps=40.0, sparse_speedup=1.0, retrains_per_month=4.0, tolerance_pp=3.5, materiality=10_000.0,
    train_time_scale=400.0, currency="JPY")


@pytest.mark.parametrize("probe", ["reference", "none", "noisy"])
def test_the_noise_case_does_not_say_go(probe):
    """Sign-In "trained 38% faster" than dense in the sweep's wall-clock times (a shared machine): that must not
    produce a saving. With the reference probe, with no probe, or with a reader's probe whose rounds disagree."""
    inp = poc_inputs.parse_inputs({**NOISE_CASE, "sparsity": 0.8}, "noise case")
    reader = probe_rec(signin=[0.4, 1.5, 0.5, 1.2], sparsity=0.8) if probe == "noisy" else None
    if probe == "none":
        ws = evaluate(inp.deployment, summarize(poc_inputs.report_records(
            recordkit_runs(), inp.sparsity)))
    else:
        ws = poc_inputs.report_worksheet(inp, probe=reader)
    r = report.recommend(ws, inp.sparsity)
    assert r.verdict != "go" and ({"money_unproven", "money_none"} & set(r.blockers))
    signin = r.option
    assert signin.saving_abs <= 0.0                       # nothing credited from noise
    assert signin.train_time_ratio >= 1.0                 # never "faster than dense" unless measured so
    if probe == "noisy":
        assert signin.train_time_status == "not_measurable" and signin.train_time_ratio == 1.0
    page = html.unescape(report.render_report(ws, inp, "ja", appendix_href="a.html"))
    assert "PoC：実施" not in page and rule.verdict_label(r.verdict, "ja") in page


# ------------------------------------------------------------------------------- "your model" only when it is
def pages(ws, inp):
    return {lang: html.unescape(report.render_report(ws, inp, lang, appendix_href="a.html", four_arm=None)
                                + report.render_appendix(ws, inp, lang)) for lang in ("en", "ja")}


def test_no_your_model_wording_without_the_readers_record():
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)                 # the project's reference probe record only
    assert ws.timing is not None and not ws.timing.reader
    p = pages(ws, inp)
    assert "your model" not in p["en"].lower() and "自社モデル" not in p["ja"]
    t = ws.timing
    assert "reference model (torchvision ResNet-18)" in p["en"] and "参照モデル" in p["ja"]
    for text in p.values():     # which model, input shape, batch and sparsity, on page 1
        assert t.model in text and "×".join(map(str, t.input_shape)) in text and f"batch {t.batch_size}" in \
            text.replace("バッチ ", "batch ") and "90%" in text
        assert report_text.PROBE_CMD in text                # the command, named in full


def test_the_readers_record_is_your_model_and_mismatches_are_warnings(tmp_path):
    reader = probe_rec(batch=8, sparsity=0.8)
    path = tmp_path / "probe_mine.json"
    path.write_text(json.dumps(reader))
    inp = poc_inputs.with_overrides(poc_inputs.load_inputs(), {"train_batch_size": 32, "probe": str(path)})
    got = poc_inputs.reader_probe(inp)
    assert got == reader and poc_inputs.reader_probe(inp, path) == reader
    ws = poc_inputs.report_worksheet(inp, probe=got)
    assert ws.timing.reader
    p = pages(ws, inp)
    assert "measured on your model" in p["en"] and "自社モデル" in p["ja"]
    assert "Warning: the probe measured 80% sparsity, this report compares 90%" in p["en"]
    assert "Warning: the probe measured batch 8; you train at batch 32" in p["en"]
    assert "注意：計測のスパース率は 80%" in p["ja"] and "バッチ 32" in p["ja"]
    # and on the command line, the reader names it with --probe
    out = tmp_path / "r.html"
    assert cli.main(["report", "--lang", "en", "--probe", str(path), "--out", str(out)]) == 0
    assert "measured on your model" in html.unescape(out.read_text(encoding="utf-8"))


# -------------------------------------------------------------------------- page 1 answers the question
def test_page_one_answers_the_managers_question():
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)
    test = poc_inputs.four_arm()
    gain = report.four_arm_gain(test)
    for lang in ("en", "ja"):
        S = report.STRINGS[lang]
        page = html.unescape(report.render_report(ws, inp, lang, appendix_href="a.html"))
        rec = report.recommend(ws, inp.sparsity)
        for blocker in report.blocker_texts(rec, ws, lang):             # every blocker, accuracy and money
            assert blocker in page
        assert {"acc_unclear", "money_unproven"} <= set(rec.blockers) or rec.verdict == "go"
        # Sign-In - PaI from the controlled four-arm test, and why it is trusted; never the older sweep's figure
        g = S["r_arms"].split("{gain}")[0]
        digits = typography.interval_digits(gain["low"], gain["high"])  # a bound near zero keeps its sign
        assert g in page and typography.signed(gain["gain"], digits) in page
        assert ("older sweep" if lang == "en" else "以前の条件比較") in page
        signin = rec.option
        t = ws.timing
        assert typography.ratio(signin.train_time.ratio, lang) in page                  # step time
        assert typography.ratio(signin.train_memory_ratio, lang) in page                # peak memory
        assert S["h_payback"] in page and f"{ws.deployment.train_steps:,.0f}" in page          # payback, PoC steps
        assert f"{t.batch_size}" in page
    assert gain["n"] == 6 and gain["reading"] == "borderline"


def recordkit_runs():
    from signin_lite.evidence import records
    return records.load_records(ROOT / "results" / "cpu" / "runs")


def test_poc_plan_costs_runs_and_people():
    inp = inputs()
    ws = worksheet(inp)
    plan = report.poc_plan(ws, inp)
    hours = 3 * sum(o.train_hours_per_run for o in ws.options)  # dense, pai, pai_signin x 3 seeds
    assert plan["runs"] == 9 and plan["hours"] == pytest.approx(hours)
    assert plan["compute"] == pytest.approx(hours * ws.deployment.hourly_cost)
    assert plan["people"] == 1000.0 and plan["total"] == pytest.approx(plan["compute"] + 1000.0)


def test_poc_hours_come_from_the_probe_step_time_and_the_stated_steps():
    inp = inputs(train_steps=36_000.0, train_time_scale=2.0)
    ws = worksheet(inp, probe=probe_rec())              # medians: dense 1.0 s, masked 1.0 s, Sign-In 1.3 s
    plan = report.poc_plan(ws, inp)
    assert plan["hours"] == pytest.approx(3 * 36_000 * 2.0 * (1.0 + 1.0 + 1.3) / 3600)
    pb = report.payback(plan, report.recommend(ws, 0.9).option)
    assert pb["months"] is None or pb["months"] == pytest.approx(plan["total"] / pb["saving"])


# ------------------------------------------------------------------------------------------ the pages
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_and_appendix_contents(lang):
    inp = inputs()
    ws = worksheet(inp)
    S = report.STRINGS[lang]
    page = html.unescape(report.render_report(ws, inp, lang, appendix_href="x_appendix.html"))
    assert page.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in page and "size: A4" in page
    assert S["verdict"].format(v=rule.verdict_label("go", lang)) in page and S["lead"]["go"] in page
    for key in ("dense", "pai", "pai_signin"):
        assert report_text.method_name(key, S) in page
    assert "<script" not in page and "<link " not in page and "x_appendix.html" in page
    assert S["example"] in page and S["h_plan"] in page and S["h_criteria"] in page and S["h_payback"] in page
    for col in S["cols"]:                                  # accuracy, step time, memory, size, cost, saving, verdict
        assert col in page
    appendix = html.unescape(report.render_appendix(ws, inp, lang))
    for rid in (recordkit.rid("dense", 0), recordkit.rid("pai_signin", 3), "meas00000001"):      # provenance
        assert rid in appendix
    assert appendix.count("<li>") == len(ws.notes) and "Example GPU X1" in appendix


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_appendix_states_the_second_test_and_why_page_one_cites_the_first(lang):
    """The second test of Sign-In (issue 21): its state while it runs; once it is read, its result, what doubling
    the decay alone did, and why page 1 cites the first test."""
    inp = inputs()
    ws = worksheet(inp)
    S = report.STRINGS[lang]
    running = second_test.values(lang, ROOT / "no-such-folder")
    appendix = html.unescape(report.render_appendix(ws, inp, lang, second=running))
    assert S["h_second"] in appendix and running["bl_rg_status"] in appendix and "results/cpu_regime/runs" in appendix
    assert S["second_done"][:12] not in appendix
    filled = {f"bl_rg_{k}": "0.50" for k in (*second_test.STEP_KEYS, *second_test.PART_KEYS)}
    done = {**running, **filled, "bl_rg_train_max": "56", "bl_rg_status": "RESULT."}
    appendix = html.unescape(report.render_appendix(ws, inp, lang, second=done))
    assert "RESULT." in appendix and S["second_done"].format(**{k[6:]: v for k, v in done.items()}) in appendix
    assert ("changed accuracy by 0.50 pp against PaI" if lang == "en" else "PaI の差は 0.50ポイント") in appendix


def test_every_string_exists_in_both_languages():
    en, ja = report.STRINGS["en"], report.STRINGS["ja"]
    assert set(en) == set(ja)
    for key, value in en.items():
        if isinstance(value, dict) and key not in ("currencies", "units", "words"):
            assert set(value) == set(ja[key]), key


def test_write_report_writes_both_files_and_keeps_old_ones_on_error(tmp_path):
    inp = inputs()
    ws = worksheet(inp)
    page, appendix = report.write_report(ws, inp, "en", tmp_path / "r.html")
    assert appendix == tmp_path / "r_appendix.html" and appendix.exists()
    assert 'href="r_appendix.html"' in page.read_text(encoding="utf-8")
    before = page.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="unknown lang 'de'"):
        report.write_report(ws, inp, "de", page)
    assert page.read_text(encoding="utf-8") == before
    with pytest.raises(ValueError, match="is a folder"):
        report.write_report(ws, inp, "en", tmp_path)


# -------------------------------------------------------------------------------------- the inputs file
def test_example_inputs_toml_and_json_agree_and_are_labelled():
    toml_in = poc_inputs.load_inputs(ROOT / "examples" / "poc_inputs.toml")
    json_in = poc_inputs.load_inputs(ROOT / "examples" / "poc_inputs.json")
    assert toml_in.deployment == json_in.deployment and toml_in.example and json_in.example
    assert poc_inputs.load_inputs().deployment == toml_in.deployment            # the default
    ws = poc_inputs.report_worksheet(toml_in)
    # a real budget line (over a million yen a month), and a threshold far above a few yen of timing noise
    assert ws.dense.total_cost > 1e6 and 1000 < toml_in.deployment.materiality < ws.dense.total_cost / 20


@pytest.mark.parametrize("change,match", [
    ({"price_per_hour": -1}, "price_per_hour must be >= 0"),
    ({"price_per_hour": "cheap"}, "price_per_hour must be a finite number"),
    ({"materiality": -5}, "materiality must be >= 0"),
    ({"sparsity": 1.5}, "field 'sparsity' must be a number in"),
    ({"poc_seeds": 1}, "field 'poc_seeds' must be an integer >= 2"),
    ({"requests_per_mnth": 5}, "unknown field.*'requests_per_mnth'"),
    ({"hardware": None}, "missing field.*'hardware'"),
])
def test_bad_inputs_name_the_field(tmp_path, change, match):
    data = json.loads((ROOT / "examples" / "poc_inputs.json").read_text())
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=match):
        poc_inputs.load_inputs(path)


def test_cli_report_errors_and_success(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "examples" / "poc_inputs.toml").read_text().replace("power_watts = 400.0",
                                                                              "power_watts = -3"))
    out = tmp_path / "r.html"
    assert cli.main(["report", "--lang", "en", "--inputs", str(bad), "--out", str(out)]) == 2
    assert "power_watts must be > 0" in capsys.readouterr().err and not out.exists()
    assert cli.main(["report", "--lang", "ja", "--inputs", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err       # Japanese under --lang ja, the field named as in the file
    assert err.startswith("エラー：") and "power_watts（消費電力）は、0より大きい数値" in err and not out.exists()
    (tmp_path / "broken.toml").write_text("requests_per_month = = 3")
    assert cli.main(["report", "--lang", "en", "--inputs", str(tmp_path / "broken.toml"), "--out", str(out)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert cli.main(["report", "--lang", "en", "--out", str(out)]) == 0
    assert "recommendation:" in capsys.readouterr().out and out.exists() and (tmp_path / "r_appendix.html").exists()
    assert cli.main(["report", "--lang", "en", "--probe", str(tmp_path), "--out", str(out)]) == 2
    assert "is a folder; name the record file" in capsys.readouterr().err


def test_an_unmeasured_latency_batch_is_rejected_in_the_readers_language(tmp_path, capsys):
    bad = tmp_path / "b4.toml"
    example = (ROOT / "examples" / "poc_inputs.toml").read_text()
    bad.write_text(example.replace("latency_batch = 1 ", "latency_batch = 4 "))
    with pytest.raises(poc_inputs.InputError, match="latency_batch = 4 was not measured.*1, 128"):
        poc_inputs.report_worksheet(poc_inputs.load_inputs(bad))
    out = tmp_path / "r.html"
    assert cli.main(["report", "--lang", "ja", "--inputs", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー：latency_batch = 4 は計測されていません") and "1, 128" in err and not out.exists()


def test_latency_left_out_for_load_is_measured_not_unmeasured():
    ws = poc_inputs.report_worksheet(poc_inputs.load_inputs())
    keys = [n.key for n in ws.notes]
    if "latency_discarded" in keys:          # the committed records were timed on a loaded machine
        assert "latency_not_measured" not in keys
        assert "measured, not used" in "\n".join(ws.assumptions)
        appendix = html.unescape(report.render_appendix(ws, poc_inputs.load_inputs(), "ja"))
        assert "未計測" not in appendix and "負荷のため不使用" in appendix


# ------------------------------------------------------------------------------- printed: one A4 page
def print_pdf(page: Path, pdf: Path, tmp_path: Path) -> None:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
           f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
           page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert pdf.exists(), proc.stderr[-2000:]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("reader", [False, True])
def test_report_prints_to_exactly_one_a4_page(tmp_path, lang, reader):
    pypdf = pytest.importorskip("pypdf")
    inp = poc_inputs.load_inputs()
    if reader:    # the reader's own record, with every warning page 1 can show
        inp = poc_inputs.with_overrides(inp, {"train_batch_size": 64})
        mine = probe_rec(sparsity=0.8)
        mine["weights"] = {"effective_sparsity": 0.7, "left_dense": [{"name": "emb.weight", "numel": 10}]}
    ws = poc_inputs.report_worksheet(inp, probe=mine if reader else None)
    page, _ = report.write_report(ws, inp, lang, tmp_path / f"poc_report_{lang}.html")
    pdf = tmp_path / f"{lang}.pdf"
    print_pdf(page, pdf, tmp_path)
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4 in mm
    text = "".join(reader.pages[0].extract_text().split())
    verdict = report.STRINGS[lang]["verdict"].format(v=report.recommend(ws, inp.sparsity).label(lang))
    assert "".join(verdict.split()) in text


# ------------------------------------------------------------------------------------ the built book
BOOK = ROOT / "_build" / "html"


@pytest.mark.skipif(not (BOOK / "notebooks" / "06_poc_worksheet.html").exists(),
                    reason="the full book is not built (bash scripts/build_book.sh)")
def test_built_book_ships_and_links_both_reports():
    page = (BOOK / "notebooks" / "06_poc_worksheet.html").read_text(encoding="utf-8")
    for name in ("poc_report_ja", "poc_report_ja_appendix", "poc_report_en", "poc_report_en_appendix"):
        assert f'href="../{name}.html"' in page and (BOOK / f"{name}.html").exists(), name


def test_interval_bound_near_zero_keeps_its_sign():
    """A bound that rounds to 0 at one decimal gets more decimals, so "excludes zero" never sits beside +0.0."""
    assert typography.interval_digits(-6.2, 0.6) == 1
    assert typography.interval_digits(0.04, 0.99) == 2
    assert typography.interval_digits(0.001, 0.99) == 3
    assert typography.interval_digits(0.0, 0.99) == 1 and typography.interval_digits(None, 1.0) == 1


def test_negative_saving_reads_as_a_loss():
    """A negative saving is worded as a loss (no "−211 JPY saving"), under the same blocker."""
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)
    rec = report.recommend(ws, inp.sparsity)
    if rec.option is None or rec.option.saving_abs >= 0 or "money_unproven" not in rec.blockers:
        pytest.skip("the example inputs give no measured loss")
    for lang, word in (("en", "a loss"), ("ja", "損失")):
        text = " ".join(report.blocker_texts(rec, ws, lang))
        assert word in text and typography.number(-rec.option.saving_abs) in text
        page = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", report.render_report(ws, inp, lang)))
        assert page.count(word) >= 2, f"{lang}: the reasons list should word the loss too"
        prose = page.split("Payback" if lang == "en" else "回収期間")[1][:200]
        assert not re.search(r"\u2212\s?[\d,]+\s?(JPY|円)", prose), f"{lang}: payback with a negative saving"


def test_input_rows_name_units_and_currency():
    """The worksheet chapters' inputs table: thousands separators, units with the currency named, Japanese values."""
    from signin_lite.decision import report_text

    inp = poc_inputs.load_inputs()
    en = {r["Input"]: r["Value"] for r in report_text.input_rows(inp.deployment, inp.sparsity, "en")}
    ja = {r["項目"]: r["値"] for r in report_text.input_rows(inp.deployment, inp.sparsity, "ja")}
    assert en["Hardware price"].endswith("JPY/h") and "currency units" not in " ".join(en.values())
    assert en["Inference requests"].startswith("2,600,000,000")
    assert ja["ハードウェア利用料"] == "250円／時間" and ja["月間推論リクエスト数"] == "2,600,000,000件／月"
    assert "example" not in " ".join(ja.values()) and not typography.JA_UNIT_SPACE.search(" ".join(ja.values()))


def test_estimate_interval_is_one_format():
    """Findings, the reference tables and the planted table write an estimate and its interval one way."""
    assert typography.estimate_interval(0.5, 0.0, 0.99, unit="pp") == "+0.50 pp [+0.00, +0.99]"
    assert typography.estimate_interval(-0.106, -0.121, -0.09, 3) == "\u22120.106 [\u22120.121, \u22120.090]"
    assert typography.estimate_interval(-0.28, None, None) == "\u22120.28 (no interval)"
