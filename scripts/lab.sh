#!/usr/bin/env bash
# Open the chapters in JupyterLab (the live widgets), with the virtual environment, profile and data set of
# scripts/setup_env.sh. Listens on 127.0.0.1 only and prints a link with a token; as root it adds --allow-root.
#   bash scripts/lab.sh                                  # then open the printed http://127.0.0.1:8888/lab?token=... link
#   SIGNIN_LITE_PROFILE=cpu bash scripts/lab.sh --port 8890   (extra arguments go to `jupyter lab`)
# From another machine, forward the port first: ssh -L 8888:127.0.0.1:8888 user@host
# SIGNIN_LITE_SETUP=0 skips the set-up and uses the Python on PATH as it is (tests/test_lab_live.py does).
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,7p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
if [[ "${SIGNIN_LITE_SETUP:-1}" != 0 ]]; then
  source scripts/setup_env.sh
fi
export SIGNIN_LITE_PROFILE="${SIGNIN_LITE_PROFILE:-smoke}"
args=(--ip=127.0.0.1 --ServerApp.default_url=/lab/tree/notebooks)  # root: the repository (cwd)
if [[ $(id -u) -eq 0 ]]; then args+=(--allow-root); fi
echo "JupyterLab on the chapters: profile $SIGNIN_LITE_PROFILE, data ${SIGNIN_LITE_DATA:-the official CIFAR-10 download}; Ctrl-C stops it"
exec python -m jupyterlab "${args[@]}" "$@"
