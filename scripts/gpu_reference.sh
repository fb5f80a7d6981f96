#!/usr/bin/env bash
# Issue 21's second test of Sign-In at the paper's scale, sized to one command of at most 9 minutes on one GPU.
# Full CIFAR-10, ResNet-20, uniform random mask at 90%, weight decay 5e-4, beta 0.1 (1 on the classifier), a reset
# every epoch, and the five arms of the CPU regime test: pai, pai_signin, pai_wd2x_masked, pai_wd2x_masked_step,
# pai_signin_noreset_step; final test on all 10,000 images. (1) A one-epoch calibration of the arms side by side;
# (2) scripts/gpu_plan.py picks seeds and epochs that fit what is left of BUDGET_S (160 when they fit), and the
# plan's regime numbers (python -m signin_lite regime) are printed; (3) the sweep, cut by `timeout` before the
# budget ends. Everything (records, plan, calibration, every run's per-epoch history, the console log) is staged
# in STAGE and packed into ONE archive, $OUT/gpu_signin.tar.gz, refreshed every 30 s, so a cut run still returns.
#
#   OUT=$OUT SIGNIN_LITE_DATA=.device_data/cifar10-jpeg.zip bash scripts/gpu_reference.sh   # on the device
#   python3 scripts/unpack_gpu.py <files_at>/gpu_signin.tar.gz   # here: into results/gpu_signin/
#   DRY_RUN=1 bash scripts/gpu_reference.sh           # list the largest plan's runs, train nothing
#   PROFILE=smoke BUDGET_S=300 MAX_EPOCHS=2 MAX_SEEDS=1 MIN_SEEDS=1 ... # a CPU rehearsal (tests/test_scripts.py)
# With the device tool: copy ../shared/data/cifar10-jpeg.zip to .device_data/ (git-ignored) and carry it. Needs only
# torch, torchvision, numpy, scipy, tqdm and pillow (the device's Python).
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,16p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
t0=$(date +%s)
OUT=${OUT:-runs/gpu_out}         # only the archive goes here
STAGE=${STAGE:-runs/gpu_signin}  # what the archive holds: runs/, partial/, calibration/, plan.json, console.log
ARCHIVE="$OUT/gpu_signin.tar.gz"
RESULTS="$STAGE/runs"
WORK=${WORK:-runs/gpu}
PROFILE=${PROFILE:-gpu}
BUDGET_S=${BUDGET_S:-510}        # the whole script, start-up and calibration included (9 minutes less a margin)
MARGIN_S=${MARGIN_S:-30}         # left at the end for the last archive and the closing table
MAX_EPOCHS=${MAX_EPOCHS:-160}; MIN_EPOCHS=${MIN_EPOCHS:-10}
MAX_SEEDS=${MAX_SEEDS:-6}; MIN_SEEDS=${MIN_SEEDS:-3}
TEST_PER_CLASS=${TEST_PER_CLASS:-200}          # the per-epoch evaluation (2,000 images)
FINAL_TEST_PER_CLASS=${FINAL_TEST_PER_CLASS:-all}  # the final evaluation (all 10,000 images)
METHODS=(pai pai_signin pai_wd2x_masked pai_wd2x_masked_step pai_signin_noreset_step)
CFG=(--profile "$PROFILE" --mask random --weight-decay 5e-4 --beta 0.1 --beta-output 1 --rescale-every 1
     --test-per-class "$TEST_PER_CLASS" --final-test-per-class "$FINAL_TEST_PER_CLASS")
SWEEP=(sweep "${CFG[@]}" --methods "${METHODS[@]}" --sparsities 0.9 --no-progress)
if [[ -n "${DRY_RUN:-}" ]]; then
  python3 -m signin_lite "${SWEEP[@]}" --epochs "$MAX_EPOCHS" --seeds $(seq 0 $((MAX_SEEDS - 1))) \
    --results "$RESULTS" --work-dir "$WORK" --dry-run
  exit 0
fi
mkdir -p "$OUT" "$STAGE/partial"
exec > >(tee -a "$STAGE/console.log") 2>&1
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"

pack() {  # every run's history so far into $STAGE/partial, then the whole stage into one archive (atomically)
  for f in "$WORK"/*/partial.json; do [[ -f "$f" ]] && cp "$f" "$STAGE/partial/$(basename "$(dirname "$f")").json"; done
  tar -czf "$ARCHIVE.tmp" -C "$STAGE" . && mv -f "$ARCHIVE.tmp" "$ARCHIVE"
  return 0
}
( while sleep 30; do pack; done ) &
packer=$!
trap 'kill $packer 2>/dev/null || true; pack' EXIT

# (1) calibration: the arms side by side for one epoch (their own folders; not results)
python3 -m signin_lite "${SWEEP[@]}" --epochs 1 --seeds 0 --jobs "${#METHODS[@]}" --final-test-per-class 0 \
  --results "$STAGE/calibration" --work-dir "$WORK/calibration"
# (2) the plan for the time that is left, and its regime numbers
left=$(( BUDGET_S - MARGIN_S - ($(date +%s) - t0) ))
read -r SEEDS EPOCHS JOBS < <(python3 scripts/gpu_plan.py --calibration "$STAGE/calibration" --seconds-left "$left" \
  --arms "${#METHODS[@]}" --max-seeds "$MAX_SEEDS" --min-seeds "$MIN_SEEDS" --max-epochs "$MAX_EPOCHS" \
  --min-epochs "$MIN_EPOCHS" --out "$STAGE/plan.json")
echo "plan: $SEEDS seeds x ${#METHODS[@]} arms, $EPOCHS epochs (of $MAX_EPOCHS), $JOBS runs at once; ${left} s left"
python3 -m signin_lite regime "${CFG[@]}" --epochs "$EPOCHS" --sparsity 0.9 --signin
pack
# (3) the sweep, cut before the budget ends; cut runs leave their history in $STAGE/partial
left=$(( BUDGET_S - MARGIN_S - ($(date +%s) - t0) ))
status=0
timeout "$left" python3 -m signin_lite "${SWEEP[@]}" --epochs "$EPOCHS" --seeds $(seq 0 $((SEEDS - 1))) \
  --jobs "$JOBS" --results "$RESULTS" --work-dir "$WORK" || status=$?
[[ $status == 124 ]] && echo "the sweep was cut at the budget; partial histories are in the archive's partial/"
echo "sweep wall time: $(( $(date +%s) - t0 )) s (status $status)"
python3 -m signin_lite table "$RESULTS" || true
