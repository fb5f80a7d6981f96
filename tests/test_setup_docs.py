"""The README's set-up section and the book's introduction give the same recipe, and it is the one that works on
stock Debian 12 (a virtual environment, made by the scripts; no system-wide pip install)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP = README[README.index("## Set-up"):README.index("## The library")]
INTRO = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
INTRO_RUN = INTRO[INTRO.index("## How to run the book"):INTRO.index("## The argument")]


@pytest.mark.parametrize("text", [SETUP, INTRO_RUN], ids=["README", "intro"])
def test_both_give_the_same_commands_and_facts(text: str) -> None:
    for needle in ("bash scripts/build_book.sh", "bash scripts/run_tests.sh", "bash scripts/lab.sh", "`.venv`",
                   "6 GB", "Python 3.11", "127.0.0.1", "--allow-root"):
        assert needle in text, needle
    assert not re.search(r"^\s*(python3? -m )?pip install", text, re.M), "a bare pip install fails on Debian 12"


def test_every_script_the_docs_name_exists() -> None:
    named = set(re.findall(r"scripts/[\w.]+\.(?:sh|py)", SETUP + INTRO_RUN + README))
    assert named and all((ROOT / n).is_file() for n in named), named


def test_setup_env_makes_a_venv_and_installs_the_browser() -> None:
    text = (ROOT / "scripts" / "setup_env.sh").read_text(encoding="utf-8")
    assert "python3 -m venv" in text and "chromium-driver" in text
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^jupyterlab==", requirements, re.M) and re.search(r"^selenium==", requirements, re.M)
