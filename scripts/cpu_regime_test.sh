#!/usr/bin/env bash
# Issue 21's second CPU test of Sign-In, in the paper's regime (plan, hypotheses and reading rule: results/README.md,
# "Issue 21"; the design's numbers: signin_lite/experiments/regime_test.py). ResNet-20, uniform random mask at 90%,
# 5,000 training images, 25 epochs, batch 32, weight decay 8e-3, beta = 0.1 (1 on the classifier), reset every 1/6
# epoch (26 steps); five arms:
# pai, pai_signin, pai_wd2x_masked, pai_wd2x_masked_step, pai_signin_noreset_step; seeds 0-11; per-epoch test on 1,000
# images, the final test on all 10,000. Records go to results/cpu_regime/runs. Resumable: run it again after a cut.
#
#   bash scripts/cpu_regime_test.sh             # the sweep, one single-threaded run at a time
#   DRY_RUN=1 bash scripts/cpu_regime_test.sh   # list the runs, print the regime and power numbers, estimate the time
#   PILOT=1 bash scripts/cpu_regime_test.sh     # the pilot: seed 0, every arm, to results/cpu_regime/pilot
#   JOBS=2 SEEDS="0 1" RESULTS=/abs/path bash scripts/cpu_regime_test.sh   # two runs at once, some seeds, elsewhere
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,12p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
source scripts/offline_data.sh
export OMP_NUM_THREADS=1  # one torch thread per run; JOBS runs side by side
JOBS=${JOBS:-1}
if [[ -n "${PILOT:-}" ]]; then
  SEEDS=${SEEDS:-0}; RESULTS=${RESULTS:-results/cpu_regime/pilot}; WORK=${WORK:-runs/cpu_regime_pilot}
else
  SEEDS=${SEEDS:-"0 1 2 3 4 5 6 7 8 9 10 11"}; RESULTS=${RESULTS:-results/cpu_regime/runs}; WORK=${WORK:-runs/cpu_regime}
fi
EPOCH_S=${EPOCH_S:-16}  # measured: one epoch of this design, one thread, an otherwise idle core (results/README.md)
METHODS="pai pai_signin pai_wd2x_masked pai_wd2x_masked_step pai_signin_noreset_step"
ARGS=(--profile cpu --epochs 25 --mask random --sparsities 0.9 --seeds $SEEDS --methods $METHODS
      --train-per-class 500 --val-per-class 0 --test-per-class 100 --final-test-per-class all
      --batch-size 32 --lr 0.1 --momentum 0.9 --weight-decay 8e-3 --beta 0.1 --beta-output 1 --rescale-every 0.1667
      --warmup-epochs 1 --jobs "$JOBS" --results "$RESULTS" --work-dir "$WORK" --no-progress)
if [[ -n "${DRY_RUN:-}" ]]; then
  python -m signin_lite sweep "${ARGS[@]}" --dry-run
  python -c "from signin_lite.experiments import regime_test; print(regime_test.plan_numbers())"
  runs=$(( $(wc -w <<< "$SEEDS") * 5 ))
  echo "estimate: $runs runs x (25 epochs x ${EPOCH_S} s + about 15 s for the final test) / $JOBS jobs =" \
       "$(( runs * (25 * EPOCH_S + 15) / JOBS / 60 )) min"
  exit 0
fi
start=$(date +%s)
echo "start: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), results $RESULTS"
python -m signin_lite sweep "${ARGS[@]}"
echo "end: $(date -u +%FT%TZ), wall time: $(( $(date +%s) - start )) s"
python -m signin_lite table "$RESULTS"
