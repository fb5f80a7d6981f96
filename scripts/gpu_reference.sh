#!/usr/bin/env bash
# The GPU reference sweep of results/gpu/: full CIFAR-10, ResNet-20, the `gpu` profile with a SHORTENED schedule
# (EPOCHS, default 30 — not the paper's 160), sparsities 0.8/0.9/0.95 with and without Sign-In, plus dense; all runs
# at once on the one GPU (--jobs). Records go to $RESULTS (default results/gpu/runs).
#
#   bash scripts/gpu_reference.sh                        # on a CUDA machine
#   PROFILE=smoke EPOCHS=1 JOBS=2 bash scripts/gpu_reference.sh   # a rehearsal on a CPU (tests/test_scripts.py)
#   DRY_RUN=1 bash scripts/gpu_reference.sh              # list the runs, train nothing
#
# With the device tool: copy ../shared/data/cifar10-jpeg.zip to .device_data/ (git-ignored), carry it, and run
#   SIGNIN_LITE_DATA=.device_data/cifar10-jpeg.zip RESULTS=$OUT/runs bash scripts/gpu_reference.sh
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,13p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-gpu}
EPOCHS=${EPOCHS:-30}
JOBS=${JOBS:-7}
RESULTS=${RESULTS:-results/gpu/runs}
WORK=${WORK:-runs/gpu}
BETA=${BETA:-1}
P=${P:-1}
SPARSITIES=${SPARSITIES:-0.8 0.9 0.95}
if [[ -n "${DRY_RUN:-}" ]]; then DRY=(--dry-run); else DRY=(); fi
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"
start=$(date +%s)
python3 -m signin_lite sweep --profile "$PROFILE" --epochs "$EPOCHS" --methods dense pai pai_signin \
  --sparsities $SPARSITIES --seeds 0 --mask random --beta "$BETA" --rescale-every "$P" \
  --jobs "$JOBS" --results "$RESULTS" --work-dir "$WORK" --no-progress "${DRY[@]}"
[[ -n "${DRY_RUN:-}" ]] && exit 0
echo "sweep wall time: $(( $(date +%s) - start )) s"
python3 -m signin_lite table "$RESULTS"
