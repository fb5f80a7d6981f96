"""What a reader sees on every page of the built book (issue 19): checks that read the built HTML.

Each check is a pure function of one page's HTML (in tests/bookpages.py: stdlib ``html.parser``, no browser) that
returns the defects it finds; each has unit tests on small synthetic pages that show it catches its defect and
passes a clean page, so the checks are tested without a build. The ``test_full_book_*`` tests run them on every
page of ``_build/html`` (or ``$SIGNIN_LITE_BOOK_HTML``), which ``scripts/run_tests.sh`` builds first; without a
build they skip, except with ``CI`` set, where they fail (as in tests/test_book_render.py).

The rules:

(a) ``raw_markdown_tables``: no line of text outside code cells' inputs and math looks like a Markdown table: a row
    ``| a | b |`` (starts and ends with ``|``, at least two cells) or a separator ``|---|:--|`` (notebook Markdown
    *output* is CommonMark, which has no tables, so a Markdown table displayed by code shows as pipes).
(b) ``figure_defects``: every plotly figure (the JSON that ``signin_lite.views.plotting.figure_html`` hands to
    ``Plotly.newPlot``, or plotly's own ``Plotly.newPlot("id", data, layout)``) has a title; every numeric
    cartesian axis (``type`` linear or log, or no type and numbers, numeric strings or an implicit index as its
    data) has a title, unless it is hidden or shows no tick labels (a shared axis); and no two legend entries
    (traces with a name and ``showlegend`` not false) shown at once (initially, or at any slider or menu step)
    share a name, where the figure has a legend (``layout.showlegend`` not false, and two traces or more).
(c) ``missing_what_we_found`` / ``exercises_without_hint``: every chapter page has an h2 section with id
    ``what-we-found``; on every page, each exercise of an h2 section titled Exercises / 演習 / 練習問題 has a
    collapsible hint after it and before the next exercise: an admonition with class ``dropdown`` titled
    Hint... / ヒント..., or a ``<details>`` whose summary starts so. An exercise is an h3 sub-section of the
    Exercises section where it has any (References / 参考文献 excepted), otherwise an item of an ordered list in
    the section that is not nested in another list item, an admonition, a ``<details>`` or a code cell.
(d) ``smoke_in_summary_tables``: a *summary table* is a table whose caption, or the title of any section around
    it, says summary / Summary / 要約 / まとめ / サマリー (the executive summaries are summary pages, chapter 7's
    "The summary table" is one). No row of a summary table (header included) nor its caption contains the word
    "smoke" or スモーク, and the rest of the code-cell output that shows it holds no smoke label ("smoke check",
    what ``views.display.smoke_note`` / ``smoke_title`` write on smoke outputs; a line such as "this chapter ran in
    39 s (smoke profile)" is not one): smoke-profile numbers are pipeline checks, not results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from test_book_render import FULL_BUILD, full_book_pages  # the built book, found once
from bookpages import (exercises_without_hint, figure_defects, figure_problems, missing_what_we_found,
                       plotly_figures, raw_markdown_tables, smoke_in_summary_tables)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("01", "02", "03", "035", "04", "05", "07")  # notebooks/<prefix>_*.html need "What we found"


# ----------------------------------------------------------------------------- unit tests, synthetic pages
def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title><style>p {{}}</style></head><body>{body}</body></html>"


def section(sid: str, title: str, body: str, level: int = 2) -> str:
    return (f'<section id="{sid}"><h{level}>{title}<a class="headerlink" href="#{sid}">#</a></h{level}>'
            f"{body}</section>")


def plot(fig: dict) -> str:
    from signin_lite.views.plotting import figure_html  # deferred: plotly only for the figure tests
    return figure_html(fig)


def test_raw_markdown_table_is_caught_in_markdown_output_and_in_text():
    md_output = ('<div class="cell_output"><div class="output text_markdown"><p>| Sparsity | PaI | Gain |\n'
                 "|---|---|---|\n| 90% | 86.25 | +1.58 |</p></div></div>")
    assert raw_markdown_tables(page(md_output)) == ["| Sparsity | PaI | Gain |", "|---|---|---|",
                                                    "| 90% | 86.25 | +1.58 |"]
    assert raw_markdown_tables(page("<pre>a | b\n:--|--:\n1 | 2</pre>")) == [":--|--:"]


def test_rendered_tables_code_and_math_are_not_raw_tables():
    clean = ("<table><tr><td>| a |</td><td>b</td></tr></table><p>absolute value <span class='math'>\\(|a| + |b|"
             "\\)</span> and</p><div class='cell_input'><pre>print('| a | b |')</pre></div>"
             "<p>a | b is a pipe</p><script>var s = '| a | b |';</script><p>|x|</p>")
    assert raw_markdown_tables(page(clean)) == []


GOOD_FIG = {"data": [{"type": "scatter", "x": [0.8, 0.9], "y": [86.0, 87.0], "name": "PaI"},
                     {"type": "scatter", "x": [0.8, 0.9], "y": [87.0, 88.0], "name": "Sign-In"}],
            "layout": {"title": {"text": "Accuracy"}, "xaxis": {"title": {"text": "sparsity"}},
                       "yaxis": {"title": {"text": "test accuracy (%)"}}}}


def test_a_good_figure_passes_in_both_html_forms():
    import plotly.io as pio  # deferred: plotly only for the figure tests
    assert figure_defects(page(plot(GOOD_FIG))) == []
    own = pio.to_html(pio.from_json(json.dumps(GOOD_FIG)), include_plotlyjs=False, full_html=False)
    assert [f["layout"]["title"]["text"] for f in plotly_figures(page(own))] == ["Accuracy"]
    assert figure_defects(page(own)) == []


def test_figure_without_title_or_axis_title_is_caught():
    fig = json.loads(json.dumps(GOOD_FIG))
    del fig["layout"]["title"], fig["layout"]["yaxis"]
    fig["data"].append({"type": "bar", "x": ["a", "b"], "y": ["1", "2"], "xaxis": "x2", "yaxis": "y2"})
    fig["layout"]["xaxis2"] = {"type": "category"}  # categories need no title; numbers do
    fig["layout"]["yaxis3"] = {"type": "log", "title": ""}
    fig["layout"]["xaxis3"] = {"type": "linear", "showticklabels": False}  # a shared axis
    assert figure_defects(page(plot(fig))) == ["'untitled figure': no title",
                                               "'untitled figure': numeric axis yaxis has no title",
                                               "'untitled figure': numeric axis yaxis2 has no title",
                                               "'untitled figure': numeric axis yaxis3 has no title"]
    implicit = {"data": [{"type": "histogram", "x": [1, 2, 2]}], "layout": {"title": "h", "xaxis": {"title": "v"}}}
    assert figure_problems(implicit) == ["'h': numeric axis yaxis has no title"]


def test_duplicate_legend_names_are_caught_also_at_a_slider_step():
    seeds = {"data": [{"x": [1], "y": [1], "name": "seed 0"}, {"x": [1], "y": [2], "name": "seed 0"}],
             "layout": {**GOOD_FIG["layout"], "title": "seeds"}}
    assert figure_problems(seeds) == ["'seeds': legend entries share a name: ['seed 0']"]
    seeds["data"][1]["showlegend"] = False
    assert figure_problems(seeds) == []
    slider = {"data": [{"x": [1], "y": [1], "name": "PaI", "visible": True},
                       {"x": [1], "y": [1], "name": "Sign-In", "visible": True},
                       {"x": [1], "y": [1], "name": "PaI", "visible": False},
                       {"x": [1], "y": [1], "name": "PaI", "visible": False}],
              "layout": {**GOOD_FIG["layout"], "sliders": [{"steps": [
                  {"args": [{"visible": [True, True, False, False]}]},
                  {"args": [{"visible": [False, False, True, True]}]}]}]}}
    assert figure_problems(slider) == ["'Accuracy': legend entries share a name: ['PaI']"]
    slider["data"][3]["name"] = "Sign-In"
    assert figure_problems(slider) == []  # the same names at different steps are fine


def test_what_we_found_is_an_h2_section():
    assert not missing_what_we_found(page(section("what-we-found", "What we found", "<p>x</p>")))
    assert missing_what_we_found(page(section("summary", "Summary", "<p>What we found</p>")))
    assert missing_what_we_found(page(section("what-we-found", "What we found", "", level=3)))


HINT_HTML = ('<div class="admonition dropdown"><p class="admonition-title">{}</p><p>Look at section 5.</p></div>')


def test_every_exercise_needs_its_own_hint():
    items = "".join(f"<ol start='{i}'><li><p>Exercise {i}</p>{HINT_HTML.format('Hint') if i != 2 else ''}</li></ol>"
                    for i in (1, 2, 3))
    assert exercises_without_hint(page(section("exercises", "Exercises", items))) == ["Exercise 2"]
    one_list = ("<ol><li>Change p.</li><li>Raise β.</li></ol>" + HINT_HTML.format("Hint")
                + '<div class="cell"><div class="cell_output"><ol><li>output</li></ol></div></div>')
    assert exercises_without_hint(page(section("exercises", "Exercises", one_list))) == ["Change p."]
    after = ("<ol><li>Change p.</li></ol>" + HINT_HTML.format("ヒント") + "<ol start='2'><li>Raise β.</li></ol>"
             + '<details><summary>Hint</summary><p>see the glossary</p></details>')
    assert exercises_without_hint(page(section("id3", "演習", after))) == []


def test_hints_must_be_collapsible_and_subheadings_count_as_exercises():
    plain = '<div class="admonition hint"><p class="admonition-title">Hint</p></div>'
    assert exercises_without_hint(page(section("exercises", "Exercises", f"<ol><li>Do it.</li></ol>{plain}"))) \
        == ["Do it."]
    solution = HINT_HTML.format("Solution")
    subs = (section("ex1", "1. Masks", HINT_HTML.format("Hint"), 3) + section("ex2", "2. Signs", solution, 3)
            + section("references", "References", "", 3))
    assert exercises_without_hint(page(section("exercises", "Exercises", "<ol><li>x</li></ol>" + subs))) \
        == ["2. Signs"]
    assert exercises_without_hint(page(section("summary", "Summary", "<ol><li>no hint needed</li></ol>"))) == []


def _table(rows: list[list[str]], caption: str = "") -> str:
    cap = f"<caption>{caption}</caption>" if caption else ""
    return "<table>" + cap + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) \
        + "</table>"


def test_smoke_rows_in_summary_tables_are_caught():
    smoke_row = _table([["profile", "acc"], ["smoke", "12.0"], ["cpu", "80.1"]])
    assert smoke_in_summary_tables(page(section("the-summary-table", "The summary table", smoke_row))) \
        == ["smoke 12.0"]
    assert smoke_in_summary_tables(page(_table([["cpu", "80.1"]], caption="Summary (profile smoke)"))) \
        == ["Summary (profile smoke)"]
    labelled = ('<div class="cell_output"><div class="output">' + _table([["pai", "12.0"]]) + "</div>"
                '<div class="output"><ul><li>smoke check: the pipeline ran</li></ul></div></div>')
    assert smoke_in_summary_tables(page(section("id1", "まとめ", labelled)))
    assert smoke_in_summary_tables(page(section("runs", "Live runs", smoke_row))) == []  # not a summary table
    assert smoke_in_summary_tables(page(section("summary", "Summary", _table([["cpu", "80.1"]])))) == []
    timed = ('<div class="cell_output"><div class="output">' + _table([["cpu", "80.1"]]) + "</div>"
             "<pre>this chapter ran in 39 s (smoke profile)</pre></div>")
    assert smoke_in_summary_tables(page(section("summary", "Summary", timed))) == []


# ----------------------------------------------------------------------------- the built book
def _offenders(check: Callable[[str], object], pages: list[Path] | None = None) -> dict[str, object]:
    out = {}
    for p in pages if pages is not None else full_book_pages():
        found = check(p.read_text(encoding="utf-8"))
        if found:
            out[str(p.relative_to(FULL_BUILD))] = found
    return out


def test_full_book_has_no_raw_markdown_tables():
    offenders = _offenders(raw_markdown_tables)
    assert not offenders, f"Markdown tables shown as text (display them as HTML): {offenders}"


def test_full_book_figures_have_titles_axis_titles_and_distinct_legend_names():
    offenders = _offenders(figure_defects)
    assert not offenders, f"figures a reader cannot read: {offenders}"


def test_full_book_chapters_say_what_they_found():
    chapters = [p for p in full_book_pages() if p.parent.name == "notebooks" and p.stem.split("_")[0] in CHAPTERS]
    assert sorted({p.stem.split("_")[0] for p in chapters}) == sorted(CHAPTERS), "a chapter page is missing"
    offenders = _offenders(missing_what_we_found, chapters)
    assert not offenders, f"chapters without a '## What we found' section: {sorted(offenders)}"


def test_full_book_exercises_have_hints():
    offenders = _offenders(exercises_without_hint)
    assert not offenders, f"exercises without a collapsible hint: {offenders}"


def test_full_book_summary_tables_hold_no_smoke_numbers():
    offenders = _offenders(smoke_in_summary_tables)
    assert not offenders, f"smoke-profile numbers in summary tables: {offenders}"


def test_the_intro_glues_only_computed_values():
    """The introduction's 'What the book found' glues the executive summaries' bottom line: every key it uses exists,
    and no digit is typed into that section's prose."""
    from signin_lite.decision import bottom_line  # deferred: reads the run records

    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    found = intro[intro.index("## What the book found"):]
    keys = set(re.findall(r"\{glue:text\}`(\w+)`", found))
    assert keys and keys <= set(bottom_line.values("en")), sorted(keys - set(bottom_line.values("en")))
    prose = re.sub(r"```.*?```|\{glue:text\}`\w+`|\([^()]*\.(?:ipynb|md)\)", "", found, flags=re.S)
    prose = re.sub(r"chapter \d+½?|section \d+|95% interval", "", prose)  # names and the interval's level
    assert not re.findall(r"\d", prose), "a number typed into the intro's findings"


def test_full_book_japanese_worksheet_labels_its_code_toggles_in_japanese():
    """The Japanese worksheet's hidden code cells open with a Japanese label (the notebook's ``mystnb`` metadata),
    not myst-nb's "Show code cell source"."""
    (ja,) = [p for p in full_book_pages() if p.name == "06_poc_worksheet_ja.html"]
    text = ja.read_text(encoding="utf-8")
    body = text[text.index("<article"):text.index("</article>")]
    assert "コードを表示" in body and not re.search(r"(Show|Hide) code cell", body)
