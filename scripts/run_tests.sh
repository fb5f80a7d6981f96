#!/usr/bin/env bash
# Install everything and run the test suite: unit tests plus every notebook under nbval, in the smoke profile.
#   bash scripts/run_tests.sh            (extra arguments go to pytest, e.g. -x or -k toy)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_env.sh
python3 -m pytest --nbval-lax tests notebooks "$@" && status=0 || status=$?
if [[ $status -eq 5 ]]; then
  echo "error: pytest collected no tests (exit 5); the test suite must not be empty" >&2
  exit 1
fi
exit $status
