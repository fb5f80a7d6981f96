#!/usr/bin/env bash
# Issue 11 at the paper's scale, sized to one command of at most 9 minutes on one GPU (plan: results/README.md).
# Full CIFAR-10, ResNet-20, uniform random mask at 90%, wd 5e-4, beta = 1, p = 1 epoch, the four arms pai,
# pai_signin, pai_wd2x_masked, pai_signin_noreset; final test on all 10,000 images. (1) A one-epoch calibration of
# the four arms side by side; (2) scripts/gpu_plan.py picks seeds and epochs that fit what is left of BUDGET_S
# (160 epochs when they fit); (3) the sweep, cut by `timeout` before the budget ends. Records, the plan
# (plan.json) and the per-epoch histories of every run, cut ones included (partial/), go to $OUT.
#
#   OUT=$OUT SIGNIN_LITE_DATA=.device_data/cifar10-jpeg.zip bash scripts/gpu_reference.sh   # on the device
#   DRY_RUN=1 bash scripts/gpu_reference.sh           # list the largest plan's runs, train nothing
#   PROFILE=smoke BUDGET_S=300 MAX_EPOCHS=2 MAX_SEEDS=1 MIN_SEEDS=1 ... # a CPU rehearsal (tests/test_scripts.py)
# With the device tool: copy ../shared/data/cifar10-jpeg.zip to .device_data/ (git-ignored) and carry it.
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,12p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
t0=$(date +%s)
OUT=${OUT:-results/gpu_signin}
RESULTS=${RESULTS:-$OUT/runs}
WORK=${WORK:-runs/gpu}
PROFILE=${PROFILE:-gpu}
BUDGET_S=${BUDGET_S:-510}        # the whole script, start-up and calibration included (9 minutes less a margin)
MARGIN_S=${MARGIN_S:-30}         # left at the end for copying histories and the closing table
MAX_EPOCHS=${MAX_EPOCHS:-160}; MIN_EPOCHS=${MIN_EPOCHS:-10}
MAX_SEEDS=${MAX_SEEDS:-6}; MIN_SEEDS=${MIN_SEEDS:-3}
TEST_PER_CLASS=${TEST_PER_CLASS:-200}          # the per-epoch evaluation (2,000 images)
FINAL_TEST_PER_CLASS=${FINAL_TEST_PER_CLASS:-all}  # the final evaluation (all 10,000 images)
METHODS="pai pai_signin pai_wd2x_masked pai_signin_noreset"
COMMON=(--profile "$PROFILE" --methods $METHODS --mask random --sparsities 0.9 --weight-decay 5e-4 --beta 1
        --rescale-every 1 --test-per-class "$TEST_PER_CLASS" --final-test-per-class "$FINAL_TEST_PER_CLASS" --no-progress)
if [[ -n "${DRY_RUN:-}" ]]; then
  python3 -m signin_lite sweep "${COMMON[@]}" --epochs "$MAX_EPOCHS" --seeds $(seq 0 $((MAX_SEEDS - 1))) \
    --results "$RESULTS" --work-dir "$WORK" --dry-run
  exit 0
fi
mkdir -p "$OUT/partial"
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"

copy_partials() {  # every run's history so far (written after each epoch) into $OUT/partial/<run>.json
  for f in "$WORK"/*/partial.json; do [[ -f "$f" ]] && cp "$f" "$OUT/partial/$(basename "$(dirname "$f")").json"; done
  return 0
}
( while sleep 10; do copy_partials; done ) &
copier=$!
trap 'kill $copier 2>/dev/null || true; copy_partials' EXIT

# (1) calibration: the four arms side by side for one epoch (their own folders; not results)
python3 -m signin_lite sweep "${COMMON[@]}" --epochs 1 --seeds 0 --jobs 4 --final-test-per-class 0 \
  --results "$OUT/calibration" --work-dir "$WORK/calibration"
# (2) the plan for the time that is left
left=$(( BUDGET_S - MARGIN_S - ($(date +%s) - t0) ))
read -r SEEDS EPOCHS JOBS < <(python3 scripts/gpu_plan.py --calibration "$OUT/calibration" --seconds-left "$left" \
  --max-seeds "$MAX_SEEDS" --min-seeds "$MIN_SEEDS" --max-epochs "$MAX_EPOCHS" --min-epochs "$MIN_EPOCHS" \
  --out "$OUT/plan.json")
echo "plan: $SEEDS seeds x 4 arms, $EPOCHS epochs (of $MAX_EPOCHS), $JOBS runs at once; ${left} s left"
# (3) the sweep, cut before the budget ends; cut runs leave their history in $OUT/partial
left=$(( BUDGET_S - MARGIN_S - ($(date +%s) - t0) ))
status=0
timeout "$left" python3 -m signin_lite sweep "${COMMON[@]}" --epochs "$EPOCHS" --seeds $(seq 0 $((SEEDS - 1))) \
  --jobs "$JOBS" --results "$RESULTS" --work-dir "$WORK" || status=$?
[[ $status == 124 ]] && echo "the sweep was cut at the budget; partial histories are in $OUT/partial"
copy_partials
echo "sweep wall time: $(( $(date +%s) - t0 )) s (status $status)"
python3 -m signin_lite table "$RESULTS" || true
