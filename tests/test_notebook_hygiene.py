"""What the chapters' sources promise before anything runs: papermill can read every parameters cell, and the
live widget cells (run in JupyterLab only) give their labels room."""

from __future__ import annotations

import logging
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
