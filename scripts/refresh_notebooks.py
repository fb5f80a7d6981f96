"""Execute notebooks in the smoke profile and keep only the outputs that nbval checks.

Cells marked ``# NBVAL_CHECK_OUTPUT`` keep their outputs (nbval compares them in CI); every other output,
execution count and widget state is dropped, so committed notebooks stay small and diff cleanly.

    python scripts/refresh_notebooks.py notebooks/03_toy_sign_dynamics.ipynb
    python scripts/refresh_notebooks.py            # every notebook in notebooks/
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path, timeout: int = 900) -> float:
    """Execute ``path`` in place (cwd = its folder) and strip unchecked outputs; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    kept = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if MARK in cell.source:  # nbval compares these; it needs an execution count beside stored outputs
            kept += 1
            cell.execution_count = kept
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = kept
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SIGNIN_LITE_PROFILE", "smoke")
    paths = args.paths or sorted(Path(__file__).resolve().parent.parent.glob("notebooks/*.ipynb"))
    for path in paths:
        print(f"{path}: {refresh(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
