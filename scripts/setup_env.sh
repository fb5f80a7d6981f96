# Sourced by build_book.sh and run_tests.sh: installs the pinned requirements and the library, Chromium for the
# offline-rendering tests, and sets the profile and data defaults.
python3 -m pip install -q -r requirements.txt
python3 -m pip install -q --no-build-isolation --no-deps -e .
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null || echo "warning: could not install chromium; the render tests will skip" >&2
  else
    echo "warning: chromium is missing (Debian: apt-get install chromium); the render tests will skip" >&2
  fi
fi
export SIGNIN_LITE_PROFILE="${SIGNIN_LITE_PROFILE:-smoke}"
if [[ -z "${SIGNIN_LITE_DATA:-}" && -f ../shared/data/cifar10-jpeg.zip ]]; then
  export SIGNIN_LITE_DATA="$(cd ../shared/data && pwd)/cifar10-jpeg.zip"
  echo "SIGNIN_LITE_DATA is unset: using the offline CIFAR-10 copy $SIGNIN_LITE_DATA (unset it to download the official release)"
fi
