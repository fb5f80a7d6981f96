# Sourced by the scripts from the repository root: when SIGNIN_LITE_DATA is unset and the offline CIFAR-10 copy sits
# beside the checkout (../shared/data/cifar10-jpeg.zip), use it (unset the variable's value to download instead).
if [[ -z "${SIGNIN_LITE_DATA:-}" && -f ../shared/data/cifar10-jpeg.zip ]]; then
  SIGNIN_LITE_DATA="$(cd ../shared/data && pwd)/cifar10-jpeg.zip"
  export SIGNIN_LITE_DATA
  echo "SIGNIN_LITE_DATA is unset: using the offline CIFAR-10 copy $SIGNIN_LITE_DATA"
fi
