#!/usr/bin/env bash
# Issue 11's CPU test of Sign-In (plan and hypotheses: results/README.md). ResNet-20, uniform random mask at 90%,
# 5,000 training images, 40 epochs, weight decay 5e-4, beta = 1, p = 1 epoch; the four arms pai, pai_signin,
# pai_wd2x_masked (the matching control) and pai_signin_noreset; seeds 0-5; per-epoch test on 1,000 images, the
# final test on all 10,000. Step 2 repeats it with the first conv and the classifier dense. Records go to
# results/cpu_signin/runs. Resumable: run the same command again after an interruption.
#
#   bash scripts/cpu_signin_test.sh            # both steps, two single-threaded workers
#   DRY_RUN=1 bash scripts/cpu_signin_test.sh  # list the runs and estimate the time from the existing cpu records
#   JOBS=1 STEPS=1 bash scripts/cpu_signin_test.sh   # one worker, step 1 only
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,10p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
source scripts/offline_data.sh
export OMP_NUM_THREADS=1  # one torch thread per run; JOBS runs side by side
JOBS=${JOBS:-2}
STEPS=${STEPS:-"1 2"}
RESULTS=${RESULTS:-results/cpu_signin/runs}
WORK=${WORK:-runs/cpu_signin}
EPOCHS=${EPOCHS:-40}
SEEDS=${SEEDS:-"0 1 2 3 4 5"}
METHODS="pai pai_signin pai_wd2x_masked pai_signin_noreset"
COMMON=(--profile cpu --epochs "$EPOCHS" --mask random --sparsities 0.9 --seeds $SEEDS --methods $METHODS
        --train-per-class 500 --val-per-class 0 --test-per-class 100 --final-test-per-class all
        --weight-decay 5e-4 --beta 1 --rescale-every 1 --jobs "$JOBS" --results "$RESULTS" --work-dir "$WORK"
        --no-progress)
if [[ -n "${DRY_RUN:-}" ]]; then
  for step in $STEPS; do
    extra=(); [[ $step == 2 ]] && extra=(--dense-first-last)
    python -m signin_lite sweep "${COMMON[@]}" "${extra[@]}" --dry-run
  done
  python - "$EPOCHS" "$JOBS" $STEPS <<'PY'
import glob, json, statistics, sys
epochs, jobs, steps = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
times = [json.load(open(p))["cost"]["epoch_time_s_median"] for p in glob.glob("results/cpu/runs/*.json")
         if json.load(open(p))["config"].get("depth") == 20]
if times:
    t = statistics.median(times)
    runs = 24 * len(steps)
    print(f"estimate: {runs} runs x {epochs} epochs x {t:.0f} s (median epoch of {len(times)} cpu records, "
          f"two workers side by side) / {jobs} jobs = {runs * epochs * t / jobs / 3600:.1f} h")
PY
  exit 0
fi
start=$(date +%s)
for step in $STEPS; do
  extra=(); [[ $step == 2 ]] && extra=(--dense-first-last)
  echo "step $step: $(date -u +%FT%TZ)"
  python -m signin_lite sweep "${COMMON[@]}" "${extra[@]}"
done
echo "wall time: $(( $(date +%s) - start )) s"
python -m signin_lite table "$RESULTS"
