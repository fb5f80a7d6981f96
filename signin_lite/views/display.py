"""Conclusions that read well in the book and in JupyterLab: tables and sentences as HTML that wraps, not as
fixed-width code output that clips and scrolls sideways; and labels that mark smoke-profile live runs as what
they are, a check that the pipeline runs, not a result.

    from signin_lite.views.display import show_lines, show_table, smoke_title
    show_table(rows, ["method", "sparsity", "test acc (%)"])   # an HTML table whose long cells wrap
    show_lines([summary.verdict(r) for r in gains])           # a bullet list of sentences
    fig.update_layout(title=smoke_title("Live runs: accuracy vs sparsity", PROFILE))

Each output also carries a ``text/plain`` version (the same table in fixed width, the same lines), which
terminals, text diffs and nbval see.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from signin_lite.decision import typography
from signin_lite.evidence import chapter_times

__all__ = ["lines_html", "show_chapter_time", "show_lines", "show_table", "smoke_note", "smoke_title", "table_html",
           "table_text"]

_TABLE_STYLE = "border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; max-width: 100%;"
_CELL_STYLE = "padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; white-space: normal;"


def _cell(value: Any, float_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return float_format.format(value)
    return str(value)


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    return list(dict.fromkeys(k for row in rows for k in row))


def table_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
               float_format: str = "{:.4g}") -> str:
    """The rows as a fixed-width text table (the ``text/plain`` part)."""
    if not rows:
        return "(no rows)"
    cols = _columns(rows, columns)
    cells = [[_cell(row.get(c), float_format) for c in cols] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
               float_format: str = "{:.4g}", caption: str | None = None) -> str:
    """The rows as an HTML table whose cells wrap; numbers are right-aligned."""
    cols = _columns(rows, columns)
    head = "".join(f'<th style="{_CELL_STYLE} text-align: left;">{html.escape(c)}</th>' for c in cols)
    body = []
    for row in rows:
        tds = []
        for c in cols:
            value = row.get(c)
            align = "right" if isinstance(value, (int, float)) and not isinstance(value, bool) else "left"
            tds.append(f'<td style="{_CELL_STYLE} text-align: {align};">'
                       f"{html.escape(_cell(value, float_format))}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption style=\"caption-side: bottom; color: #666; font-size: 0.9em;\">{html.escape(caption)}</caption>" \
        if caption else ""
    return (f'<table class="signin-lite-table" style="{_TABLE_STYLE}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def lines_html(lines: Iterable[str]) -> str:
    """Sentences as an HTML bullet list (they wrap with the page)."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul class="signin-lite-lines" style="margin: 0.5em 0;">{items}</ul>'


def show_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
               float_format: str = "{:.4g}", caption: str | None = None) -> None:
    """Display `rows` (dicts) as a table that wraps in the book and in JupyterLab."""
    from IPython.display import display  # deferred: IPython only inside a notebook

    text = table_text(rows, columns, float_format) + (f"\n{caption}" if caption else "")
    display({"text/html": table_html(rows, columns, float_format, caption) if rows else "<p>(no rows)</p>",
             "text/plain": text}, raw=True)


def show_lines(lines: Iterable[str]) -> None:
    """Display sentences (e.g. verdicts) as a bullet list that wraps, not as clipped code output; a hyphen that
    stands for a minus sign (-0.76 pp) is written as U+2212, as on every page (``decision.typography``)."""
    from IPython.display import display  # deferred: IPython only inside a notebook

    lines = [typography.minus(line) for line in lines]
    display({"text/html": lines_html(lines), "text/plain": "\n".join(f"- {line}" for line in lines)}, raw=True)


def show_chapter_time(notebook: str) -> None:
    """The line at the top of a chapter: how long it takes under each measured profile (from the timing records,
    :mod:`signin_lite.evidence.chapter_times`)."""
    show_lines([chapter_times.chapter_line(notebook)])


def smoke_title(title: str, profile: str) -> str:
    """`title`, marked as a smoke check when `profile` is ``smoke`` (tiny runs whose numbers mean nothing)."""
    return f"Smoke check, not a result: {title}" if profile == "smoke" else title


def smoke_note(profile: str) -> str:
    """The caption text for a figure of live runs in `profile`."""
    if profile == "smoke":
        return "smoke check: the pipeline ran on a few hundred images; its accuracies mean nothing"
    return f"live runs ({profile} profile)"
