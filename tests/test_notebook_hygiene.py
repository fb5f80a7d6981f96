"""What the chapters' sources promise before anything runs: papermill can read every parameters cell, the
live widget cells (run in JupyterLab only) give their labels room, and code cells only call the library: figures
come from builders in ``signin_lite.views``, no lambda stands in for a function, and no code line is wider than the
book's page (88 characters)."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import nbformat
import pytest
from papermill.translators import PythonTranslator

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_parses_every_parameter(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: exactly one cell tagged 'parameters'"
    with caplog.at_level(logging.WARNING, logger="papermill"):
        names = {p.name for p in PythonTranslator.inspect(cells[0])}
    assert not caplog.records, f"{path.name}: {[r.getMessage() for r in caplog.records]}"
    assert "PROFILE" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_labels_get_room(path: Path) -> None:
    """ipywidgets cut a description to about 80 px ("weight de…") unless its style says otherwise."""
    for cell in nbformat.read(path, as_version=4).cells:
        if "skip-execution" in cell.metadata.get("tags", []) and "description=" in cell.source:
            assert "description_width" in cell.source, f"{path.name}: {cell.source[:80]!r}"


def code_cells(path: Path) -> list[tuple[int, str]]:
    return [(i, c.source) for i, c in enumerate(nbformat.read(path, as_version=4).cells) if c.cell_type == "code"]


# What building a plotly figure looks like; a notebook calls a builder of signin_lite.views, label() and show()
INLINE_FIGURE = re.compile(r"\b(import plotly|from plotly|go\.\w+|make_subplots|slider_figure)\b|"
                           r"\.(add_(trace|scatter|heatmap|bar|box|hline|vline|hrect)|update_(layout|xaxes|yaxes|traces))\(|"
                           r"\bfig\.layout\.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_come_from_builders(path: Path) -> None:
    inline = [f"cell {i}: {match.group(0)!r} in {line.strip()!r}" for i, source in code_cells(path)
              for line in source.splitlines() for match in INLINE_FIGURE.finditer(line)]
    assert not inline, (f"{path.name} builds figures inline; move them into a builder in signin_lite/views/:\n"
                        + "\n".join(inline))


def named_lambdas(source: str) -> list[str]:
    """``name = lambda ...`` (or an annotated or walrus assignment of a lambda) in one cell's code."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and isinstance(node.value, ast.Lambda):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [ast.unparse(t) for t in targets]
    return found


def test_named_lambdas_are_found():
    assert named_lambdas("f = lambda x: x\ng: object = lambda: 1\nprint((h := lambda: 2))\n%time 1") == \
        ["f", "g", "h"]
    assert named_lambdas("sorted(xs, key=lambda x: -x)\ntimeit.repeat(lambda: f(1))") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_lambda_stands_in_for_a_function(path: Path) -> None:
    named = [f"cell {i}: {name}" for i, source in code_cells(path) for name in named_lambdas(source)]
    assert not named, f"{path.name} assigns lambdas to names; make them library functions: {named}"


CODE_WIDTH = 88  # the built book shows code cells this wide without a sideways scroll bar


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(path: Path) -> None:
    wide = [f"cell {i}: {line[:60]}..." for i, source in code_cells(path) for line in source.splitlines()
            if len(line) > CODE_WIDTH]
    assert not wide, f"{path.name}: code lines over {CODE_WIDTH} characters scroll sideways in the book: {wide}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_an_id(path: Path) -> None:
    """nbformat 4.5 cell ids: without them every read warns, and future nbformat versions refuse the notebook."""
    import json

    cells = json.loads(path.read_text())["cells"]
    ids = [c.get("id") for c in cells]
    assert None not in ids and len(set(ids)) == len(ids), f"{path.name}: cells without an id or with a repeated one"
