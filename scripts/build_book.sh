#!/usr/bin/env bash
# Install everything, execute every chapter (profile from SIGNIN_LITE_PROFILE, default smoke) and build the
# book into _build/html. Fails on any notebook error or build warning.
#   bash scripts/build_book.sh
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,4p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
source scripts/setup_env.sh
jupyter-book build --all -W -n --keep-going .  # --all: re-execute even when only results/ changed
echo "open _build/html/index.html"
