# Sourced by build_book.sh, run_tests.sh and lab.sh: makes (once) and activates a virtual environment, installs the
# pinned requirements (about 6 GB: torch ships CUDA libraries even for CPU use) and the library, Chromium and its
# driver for the browser tests, and sets the profile and data defaults.
#   SIGNIN_LITE_VENV=DIR   where the environment lives (default .venv; an already active one is used as it is)
if [[ -z "${VIRTUAL_ENV:-}" ]]; then
  venv="${SIGNIN_LITE_VENV:-.venv}"
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating the virtual environment $venv (stock Debian refuses system-wide pip installs, PEP 668)"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
        (apt-get update -qq && apt-get install -y -qq python3-venv) >/dev/null
        rm -rf "$venv"; python3 -m venv "$venv"
      else
        echo "error: python3 -m venv failed; install it (Debian: sudo apt-get install python3-venv) and rerun" >&2
        return 1 2>/dev/null || exit 1
      fi
    fi
  fi
  # shellcheck disable=SC1091
  source "$venv/bin/activate"
fi
stamp="$VIRTUAL_ENV/.signin_lite_requirements"
if ! cmp -s requirements.txt "$stamp"; then
  echo "installing the pinned requirements into $VIRTUAL_ENV (about 6 GB the first time)"
  python -m pip install -q --upgrade pip setuptools wheel
  python -m pip install -q -r requirements.txt
  cp requirements.txt "$stamp"
fi
python -m pip install -q --no-build-isolation --no-deps -e .
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-noto-cjk) >/dev/null \
      || echo "warning: could not install chromium and chromium-driver" >&2
  else
    echo "warning: chromium or chromedriver is missing (Debian: sudo apt-get install chromium chromium-driver fonts-noto-cjk)" >&2
  fi
fi
export SIGNIN_LITE_PROFILE="${SIGNIN_LITE_PROFILE:-smoke}"
source scripts/offline_data.sh
