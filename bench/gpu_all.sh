#!/usr/bin/env bash
# Every bench/ measurement on a GPU as ONE command (at most 8 minutes: the step limits add up to 480 s), all output into one file:
#
#   bash bench/gpu_all.sh                          # writes bench/results/gpu_<UTC time>.txt
#   bash bench/gpu_all.sh /some/where/gpu.txt
#
# Data: $SIGNIN_LITE_DATA, else data/cifar10-jpeg.zip (copy ../shared/data/cifar10-jpeg.zip there and carry
# `data` to the device machine), else ../shared/data/cifar10-jpeg.zip or shared/data/cifar10-jpeg.zip, else
# synthetic images of the same shapes (timings do not depend on pixel values; the header says which was used).
# Each step has its own time limit, so one slow step cannot eat the others' time; a step that hits its limit
# leaves what it printed so far in the file. Steps, in order: goal 1 (epoch time, with the textbook pipeline),
# goals 2+3 (Sign-In and mask overhead, memory, merged inference), goal 4 (k runs at once vs one after
# another; torch.compile vs eager).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results/gpu_$(date -u +%Y%m%dT%H%M%SZ).txt}"
mkdir -p "$(dirname "$out")"
if [[ -z "${SIGNIN_LITE_DATA:-}" ]]; then
  for c in data/cifar10-jpeg.zip ../shared/data/cifar10-jpeg.zip shared/data/cifar10-jpeg.zip; do
    if [[ -f "$c" ]]; then export SIGNIN_LITE_DATA="$PWD/$c"; break; fi
  done
fi
export SIGNIN_LITE_CACHE="${SIGNIN_LITE_CACHE:-$PWD/.cache/signin_lite}"  # .cache/ is git-ignored

step() {  # step <seconds> <command...>
  local limit=$1; shift
  echo "+ [limit ${limit}s] $*" | tee -a "$out"
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$@" 2>&1 | grep -v -E '^(USDT|ERROR:.*DeviceProperties)' | tee -a "$out"
  echo "+ exit ${PIPESTATUS[0]} after $((SECONDS - t0)) s" | tee -a "$out"
}

{ echo "bench/gpu_all.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC') | git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  nvidia-smi --query-gpu=name,memory.total,driver_version,utilization.gpu --format=csv 2>&1 || echo "nvidia-smi failed"
  python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"
  echo "SIGNIN_LITE_DATA=${SIGNIN_LITE_DATA:-<unset: synthetic images>}"
} 2>&1 | tee -a "$out"

G="--device cuda --train-per-class 2000 --test-per-class 1000"
step 50 python bench/epoch_time.py $G --prepare-only  # decode + cache the data, make the image folder (untimed)
step 100 python bench/epoch_time.py $G --repeats 5 --textbook-workers 8 2
step 90 python bench/overheads.py $G --repeats 5 --inference-repeats 10
step 90 python bench/parallel_runs.py --device cuda --k 4 --epochs 3 --train-per-class 2000 --test-per-class 100 --repeats 1
step 150 python bench/compile_vs_eager.py --device cuda --train-per-class 2000 --repeats 3 --methods dense pai_signin
echo "wrote $out" | tee -a "$out"
