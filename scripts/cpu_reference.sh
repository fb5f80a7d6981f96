#!/usr/bin/env bash
# The CPU reference sweep of results/cpu/ (ResNet-20, CIFAR-10 subset, `cpu` profile). Resumable: run the
# same command again after an interruption; finished runs are skipped and a cut run resumes from its checkpoint.
#
#   bash scripts/cpu_reference.sh            # everything, in order
#   bash scripts/cpu_reference.sh --help
#
# Steps: (1) choose Sign-In's beta and rescaling period p on the held-out validation split (never the test set);
# (2) seed 0 of the main grid; (3) the lottery-ticket and sign-transplant runs; (4) seeds 1 and 2;
# (5) a convergence check at 90% with twice the epochs: PaI and PaI + Sign-In (3 seeds), dense (does the gain change?);
# (6) gradual magnitude pruning (dense-to-sparse) with and without Sign-In (optional: chapter 5 shows it if present).
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,11p' "$0"; exit 0; fi
cd "$(dirname "$0")/.."
source scripts/offline_data.sh
OUT=results/cpu
RUN="python -m signin_lite"
SPARSITIES="0.9 0.8 0.95 0.98"  # 90% first: the chapters lean on it most

# (1) tuning: ERK 90%, seed 0, Sign-In with (beta, p) in a small grid; chosen by final validation accuracy.
for bp in "1 1" "0.25 1" "4 1"; do
  set -- $bp
  $RUN train --profile cpu --mask erk --sparsity 0.9 --signin --beta "$1" --rescale-every "$2" --seed 0 \
    --results "$OUT/runs" --work-dir runs/cpu --no-progress
done
read -r BETA P < <(python -m signin_lite choose --results "$OUT/runs" --sparsity 0.9 --seed 0)
echo "chosen on the validation split: beta=$BETA p=$P"

# (2) seed 0 of the main grid: dense, PaI (ERK), PaI + Sign-In, and PaI with doubled weight decay (the control).
$RUN sweep --profile cpu --methods dense pai pai_signin pai_wd2x --sparsities $SPARSITIES --seeds 0 \
  --mask erk --beta "$BETA" --rescale-every "$P" --results "$OUT/runs" --work-dir runs/cpu --no-progress

# (3) supporting runs for the lottery-ticket chapter (seed 0); a failure here does not stop the seeds below.
$RUN lottery --profile cpu --sparsity 0.9 --rounds 3 --seed 0 --results "$OUT/lottery" --work-dir runs/cpu \
  --no-progress || echo "lottery step failed; rerun this script to retry"
# the rounds' masks and the tickets' weights beside their records, so that chapter 2 loads them (reference_runs)
python scripts/reference_checkpoints.py --runs runs/cpu --rerun-results "$OUT/lottery" \
  || echo "reference checkpoints not written; see the message above"

# (4) seeds 1 and 2 of the main grid.
$RUN sweep --profile cpu --methods dense pai pai_signin pai_wd2x --sparsities $SPARSITIES --seeds 1 2 \
  --mask erk --beta "$BETA" --rescale-every "$P" --results "$OUT/runs" --work-dir runs/cpu --no-progress
# (5) convergence check: the same settings with twice the epochs (24 instead of the profile's 12) at 90%:
#     PaI and PaI + Sign-In over seeds 0-2 (a gain with a CI at the longer budget), dense for seed 0.
$RUN sweep --profile cpu --epochs 24 --methods dense pai pai_signin --sparsities 0.9 --seeds 0 \
  --mask erk --beta "$BETA" --rescale-every "$P" --results "$OUT/runs" --work-dir runs/cpu --no-progress
$RUN sweep --profile cpu --epochs 24 --methods pai pai_signin --sparsities 0.9 --seeds 1 2 \
  --mask erk --beta "$BETA" --rescale-every "$P" --results "$OUT/runs" --work-dir runs/cpu --no-progress
# (6) dense-to-sparse runs for chapter 5: gradual magnitude pruning with and without Sign-In.
$RUN sweep --profile cpu --methods gmp gmp_signin --sparsities $SPARSITIES --seeds 0 1 2 \
  --mask erk --beta "$BETA" --rescale-every "$P" --results "$OUT/runs" --work-dir runs/cpu --no-progress
echo "CPU reference sweep complete"
