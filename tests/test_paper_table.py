"""The paper's table as the book shows it: styled by the theme, padded, with a one-line caption."""

import re

import pytest

from signin_lite.evidence import paper


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_paper_table_is_styled_with_a_short_caption(lang: str) -> None:
    out = paper.table(lang)
    assert '<table class="table' in out  # pydata-sphinx-theme's table class: padding and zebra rows
    cells = re.findall(r"<t[dh]( [^>]*)?>", out)
    assert cells and all("padding" in c for c in cells)  # padded even without the theme's CSS
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", out).group(1)
    assert len(caption) <= 60 and "160" not in caption  # one line; the setting follows in a sentence
    note = out.split("</table>")[1]
    assert "160" in note and "ResNet-20" in note


def test_paper_table_holds_the_reported_numbers() -> None:
    out = paper.table("en")
    for s, a in paper.PAPER["test_acc"].items():
        assert f"{a['pai']:.2f}" in out and f"{a['pai_signin']:.2f}" in out and f"{paper.gain(s):+.2f}" in out
