#!/usr/bin/env bash
# Install everything, lint, build the book (smoke profile) and run the test suite: unit tests, the live JupyterLab test,
# the render tests of the freshly built book, and every notebook under nbval.
#   bash scripts/run_tests.sh            (extra arguments go to pytest, e.g. -x or -k toy; --help: this text)
#   SIGNIN_LITE_BOOK=0 bash scripts/run_tests.sh   skips the book build (a quick local run: the full-book render
#                                        tests then skip, or fail when CI is set)
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,6p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
source scripts/setup_env.sh
ruff check .   # lint first (pyflakes, bugbear; pyproject.toml [tool.ruff]): seconds, and it names the line
if [[ "${SIGNIN_LITE_BOOK:-1}" != 0 ]]; then
  # the render tests (tests/test_book_render.py::test_full_book_*) check this build, so it comes first
  start=$(date +%s)
  jupyter-book build --all -W -n --keep-going .
  echo "book built in $(( $(date +%s) - start )) s (profile $SIGNIN_LITE_PROFILE)"
fi
python3 -m pytest --nbval-lax tests notebooks "$@" && status=0 || status=$?
if [[ $status -eq 5 ]]; then
  echo "error: pytest collected no tests (exit 5); the test suite must not be empty" >&2
  exit 1
fi
exit $status
