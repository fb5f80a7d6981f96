"""One verdict rule and one vocabulary everywhere (issue 20): go / not yet / no-go = 実施 / 時期尚早 / 見送り, from
``rule.decide`` and ``rule.VERDICT_LABELS``, on page 1, in the appendix (which states the rule), in the worksheet
and in both executive summaries. No page may use another word for a verdict."""

import html
import json
import re
from pathlib import Path

import pytest

from signin_lite.decision import bottom_line, poc_inputs, report, rule

ROOT = Path(__file__).resolve().parents[1]
OTHER_WORDS = {"en": re.compile(r"\binconclusive\b|\bNOT YET\b|\bNO-GO\b|\bGO\b"),
               "ja": re.compile(r"判断保留|保留|見合わせ")}
SOURCES = ["book/executive_summary_en.md", "book/executive_summary_ja.md", "notebooks/06_poc_worksheet.ipynb",
           "notebooks/06_poc_worksheet_ja.ipynb", "signin_lite/decision/report_text.py",
           "signin_lite/decision/notes.py"]


@pytest.fixture(scope="module")
def example():
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)
    return inp, ws, report.recommend(ws, inp.sparsity)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_one_appendix_and_summary_say_the_same_verdict_in_the_same_words(example, lang):
    inp, ws, rec = example
    label = rule.verdict_label(rec.verdict, lang)
    page = html.unescape(report.render_report(ws, inp, lang, appendix_href="a.html"))
    appendix = html.unescape(report.render_appendix(ws, inp, lang))
    signin = next(o for o in ws.options if o.summary.method == "pai_signin" and o.summary.sparsity == inp.sparsity)
    assert rec.verdict == signin.verdict and label in page                        # the table's verdict is page 1's
    stated = next(n for n in ws.notes if n.key == "verdict_rule")
    assert stated is not None
    for word in rule.VERDICTS:                                                     # the appendix states the rule
        assert rule.verdict_label(word, lang) in appendix
    assert bottom_line.values(lang)["bl_verdict"] == label                       # the executive summary
    for text in (page, appendix):
        assert not OTHER_WORDS[lang].findall(text)


def test_every_verdict_of_the_worksheet_is_one_of_three():
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)
    assert {o.verdict for o in ws.options[1:]} <= set(rule.VERDICTS) and ws.options[0].verdict == "baseline"
    assert set(rule.VERDICT_LABELS["ja"].values()) >= {"実施", "時期尚早", "見送り"}


@pytest.mark.parametrize("path", SOURCES)
def test_no_other_verdict_words_in_the_sources(path):
    p = ROOT / path
    if not p.exists():
        pytest.skip(f"{path} not written yet")
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    lang = "ja" if "_ja" in p.name else None
    for L in ([lang] if lang else ["en", "ja"]):
        assert not OTHER_WORDS[L].findall(text), (path, OTHER_WORDS[L].findall(text)[:3])


def test_the_check_catches_an_old_word():
    assert OTHER_WORDS["ja"].findall("「実施／判断保留／見送り」")
    assert OTHER_WORDS["en"].findall("a go / inconclusive reading")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_number_the_summaries_glue_is_computed(lang):
    keys = set(re.findall(r"\{glue:text\}`([a-z_]+)`", (ROOT / f"book/executive_summary_{lang}.md").read_text()))
    values = bottom_line.values(lang)
    assert keys <= set(values), sorted(keys - set(values))
    assert values["bl_verdict"] in rule.VERDICT_LABELS[lang].values()
