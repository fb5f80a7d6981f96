"""Japanese pages and the Japanese report, as rendered: no stray space between two Japanese characters (a
hard-wrapped line renders as a space), and no English words beyond the allow-list of names.

Markdown pages are rendered with the book's own MyST parser (markdown-it); the report is read as written.
Code, math, roles (citations, glued numbers) and values marked as data (names and ids from the records) are
not prose and are skipped.
"""

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from signin_lite.decision import poc_inputs, report, second_test, typography

ROOT = Path(__file__).resolve().parents[1]
JA = r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]"   # kana, kanji, Japanese and full-width punctuation
STRAY_SPACE = re.compile(rf"{JA}\s+{JA}")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
JA_PAGES = ["book/executive_summary_ja.md"]
JA_NOTEBOOKS = ["notebooks/06_poc_worksheet_ja.ipynb"]   # their markdown cells, rendered like a page
BILINGUAL_PAGES = ["book/glossary.md", "book/gpu.md"]   # Japanese beside English: stray spaces and typography only
GLUE_UNIT_SPACE = re.compile(r"\{glue:text\}`[a-z_]+`[ \u00a0\u3000]+(?:" + "|".join(typography.JA_UNITS) + ")")


class Prose(HTMLParser):
    """The text a reader sees, without code, math, roles or data values; line breaks count as spaces."""

    SKIP_TAGS = {"code", "pre", "script", "style", "math", "svg", "title"}
    BLOCK_TAGS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "div",
                  "br", "dt", "dd", "blockquote", "figure", "figcaption", "body", "section"}
    BLOCK, SKIPPED = "\x00", "§"   # a block boundary, and where skipped content stood (neither is a space)

    def __init__(self):
        super().__init__()
        self.skip, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag in self.SKIP_TAGS or {"data", "math", "bibtex-citation", "headerlink"} & set(cls) or self.skip:
            if not self.skip:
                self.parts.append(self.SKIPPED)
            if tag not in ("br",):
                self.skip.append(tag)
        elif tag in self.BLOCK_TAGS:
            self.parts.append(self.BLOCK)

    def handle_endtag(self, tag):
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()
        elif not self.skip and tag in self.BLOCK_TAGS:
            self.parts.append(self.BLOCK)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data.replace("\n", " "))

    @classmethod
    def of(cls, html_text: str) -> str:
        p = cls()
        p.feed(html_text)
        return "".join(p.parts)


def page_source(path: Path) -> str:
    """A page's MyST text; for a notebook, its markdown cells."""
    if path.suffix == ".ipynb":
        import json
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def render_myst(path: Path) -> str:
    """HTML of a MyST page as the book's parser makes it; code cells and front matter are not prose."""
    text = re.sub(r"\A---\n.*?\n---\n", "", page_source(path), flags=re.S)
    config = MdParserConfig(enable_extensions={"colon_fence", "dollarmath", "amsmath", "deflist", "substitution"})
    return create_md_parser(config, RendererHTML).render(text)


def stray_spaces(text: str) -> list[str]:
    return [text[max(0, m.start() - 12):m.end() + 12] for m in STRAY_SPACE.finditer(text)]


def english_words(text: str) -> list[str]:
    return sorted({w for w in LATIN_WORD.findall(text) if w not in report.ALLOWED_LATIN})


@pytest.fixture(scope="module")
def ja_report_pages():
    inp = poc_inputs.load_inputs()
    ws = poc_inputs.report_worksheet(inp)
    steps = {f"bl_rg_{k}": "0.10" for k in (*second_test.STEP_KEYS, *second_test.PART_KEYS)}
    done = {**second_test.values("ja"), "bl_rg_status": "（結果）", **steps}
    return {"report": report.render_report(ws, inp, "ja", appendix_href="a.html"),
            "appendix": report.render_appendix(ws, inp, "ja"),
            "appendix, second test done": report.render_appendix(ws, inp, "ja", second=done)}


def typography_breaks(text: str) -> list[str]:
    """Where a Japanese text breaks the one typography rule (signin_lite.decision.typography): a space between a
    number and its unit, or an ASCII hyphen standing for a minus sign."""
    found = [text[max(0, m.start() - 10):m.end() + 4] for m in typography.JA_UNIT_SPACE.finditer(text)]
    return found + [text[max(0, m.start() - 10):m.end() + 6] for m in typography.ASCII_MINUS.finditer(text)]


def existing(pages):
    return [p for p in pages if (ROOT / p).exists()]


@pytest.mark.parametrize("page", JA_PAGES + existing(JA_NOTEBOOKS) + BILINGUAL_PAGES)
def test_japanese_pages_have_no_stray_spaces(page):
    assert stray_spaces(Prose.of(render_myst(ROOT / page))) == []


@pytest.mark.parametrize("page", JA_PAGES + existing(JA_NOTEBOOKS))
def test_japanese_pages_use_only_allowed_english_names(page):
    assert english_words(Prose.of(render_myst(ROOT / page))) == []


@pytest.mark.parametrize("page", JA_PAGES + existing(JA_NOTEBOOKS) + BILINGUAL_PAGES)
def test_japanese_pages_follow_the_typography_rule(page):
    text = Prose.of(render_myst(ROOT / page))
    ja = "\x00".join(b for b in text.split(Prose.BLOCK) if re.search(JA, b)) \
        if page in BILINGUAL_PAGES else text          # bilingual pages: the Japanese blocks only
    assert typography_breaks(ja) == []
    assert GLUE_UNIT_SPACE.findall(page_source(ROOT / page)) == []     # a glued number and its unit, too


def test_japanese_report_follows_the_typography_rule(ja_report_pages):
    for which in ja_report_pages:
        assert typography_breaks(Prose.of(ja_report_pages[which])) == [], which


def test_the_typography_check_catches_both_mistakes():
    assert typography_breaks("精度は -2.8ポイント、費用は 1,285,589 円です")
    assert GLUE_UNIT_SPACE.findall("差は {glue:text}`bl_gain` ポイント")
    assert typography.signed(-2.8) == "\u22122.8" and typography.signed(0.04) == "+0.0"
    assert typography.ratio(1.35, "ja") == "1.35倍"
    assert typography.money(1e6, "ja", "JPY", {"JPY": "円"}) == "1,000,000円"


@pytest.mark.parametrize("which", ["report", "appendix", "appendix, second test done"])
def test_japanese_report_reads_as_japanese(ja_report_pages, which):
    text = Prose.of(ja_report_pages[which])
    assert "時期尚早" in text or "実施" in text or "見送り" in text
    assert stray_spaces(text) == []
    assert english_words(text) == []


def test_checker_catches_a_hard_wrapped_line_and_an_english_word(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# 見出し\n\n品質を問題になるほど\n落とさずに、weight decay を使う。`code ok` {cite}`x2025`\n",
                    encoding="utf-8")
    text = Prose.of(render_myst(page))
    found = stray_spaces(text)
    assert len(found) == 1 and "ほど 落とさずに" in found[0]
    assert english_words(text) == ["decay", "weight"]


# ------------------------------------------------------------------------- rendered by Jupyter Book itself
def build_small_book(tmp_path: Path) -> Path:
    """The Japanese summary and the glossary built as a book (their code cells run; glued numbers filled in)."""
    book = tmp_path / "book"
    (book / "book").mkdir(parents=True)
    for name in ("executive_summary_ja.md", "glossary.md", "references.bib"):
        shutil.copy(ROOT / "book" / name, book / "book" / name)
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = cfg.setdefault("sphinx", {})
    sphinx["local_extensions"] = {k: str((ROOT / v).resolve()) for k, v in sphinx["local_extensions"].items()}
    (book / "_config.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/executive_summary_ja\nchapters:\n"
                                   "  - file: book/glossary\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [shutil.which("jupyter-book"), "build", str(book), "--path-output", str(tmp_path / "out")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    html_dir = tmp_path / "out" / "_build" / "html" / "book"
    assert (html_dir / "executive_summary_ja.html").exists(), (proc.stdout + proc.stderr)[-3000:]
    return html_dir


def article(html_text: str) -> str:
    return html_text[html_text.index("<article"):html_text.index("</article>")]


@pytest.mark.skipif(shutil.which("jupyter-book") is None, reason="jupyter-book not installed")
def test_built_japanese_pages_read_cleanly(tmp_path):
    html_dir = build_small_book(tmp_path)
    summary = Prose.of(article((html_dir / "executive_summary_ja.html").read_text(encoding="utf-8")))
    assert "時期尚早" in summary or "実施" in summary or "見送り" in summary      # the glued recommendation
    assert "ポイント" in summary and "{glue" not in summary
    assert stray_spaces(summary) == []
    assert english_words(summary) == []
    assert typography_breaks(summary) == []          # the glued numbers too: U+2212, no space before a unit
    glossary = Prose.of(article((html_dir / "glossary.html").read_text(encoding="utf-8")))
    assert stray_spaces(glossary) == [] and "重みのうちゼロである割合" in glossary
