#!/usr/bin/env bash
# The gradient route's experiment (docs/learn-results.md): plastic SNNs against the static
# SNN on the temporal tasks, trained by `propamine learn` (BPTT), 3 seeds each, one run at a
# time on one thread. Every run is resumable: rerunning skips finished runs and continues
# interrupted ones. PHASES picks what to run:
#   done     cue-reward, defaults (Hebb + simple modulation, 64 neurons, 800 iterations) and
#            the static SNN (--rule none) with the same budget
#   recall   the same pair on pair-recall, at RECALL_ITERATIONS iterations
#   noise    NOISE_TASKS at bit-flip noise NOISE_LEVELS (0 0.1 0.2; plastic default and
#            static), at NOISE_ITERATIONS iterations, seeds NOISE_SEEDS
#   matrix   cue-reward, every rule x modulation at MATRIX_ITERATIONS iterations, seeds MATRIX_SEEDS
# The budgets below the defaults' 800 iterations fit the experiment into the time a shared
# 2-core machine had (docs/learn-results.md says which runs used which).
# docs/learn-report.ts turns the run directories into the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/learn-exp}
SEEDS=${SEEDS:-"1 2 3"}
PHASES=${PHASES:-"done recall noise matrix"}
RECALL_ITERATIONS=${RECALL_ITERATIONS:-800}
NOISE_ITERATIONS=${NOISE_ITERATIONS:-400}
NOISE_SEEDS=${NOISE_SEEDS:-$SEEDS}
NOISE_TASKS=${NOISE_TASKS:-"cue-reward pair-recall"}
NOISE_LEVELS=${NOISE_LEVELS:-"0 0.1 0.2"}
MATRIX_ITERATIONS=${MATRIX_ITERATIONS:-300}
MATRIX_SEEDS=${MATRIX_SEEDS:-$SEEDS}

# Whether seed $1 is among the seeds listed in $2.
among() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
PROPAMINE=${PROPAMINE:-npx propamine}

run() { # name, iterations, flags...
  local name=$1 iters=$2
  shift 2
  if [ -f "$OUT/$name/checkpoints/latest.json" ]; then
    $PROPAMINE learn --resume "$OUT/$name" --iterations "$iters" --quiet
  else
    $PROPAMINE learn --out "$OUT" --name "$name" --iterations "$iters" --quiet "$@"
  fi
}

for phase in $PHASES; do
  for seed in $SEEDS; do
    case $phase in
      done)
        run "cue-reward-hebb-simple-s$seed" 800 --task cue-reward --seed "$seed"
        run "cue-reward-static-s$seed" 800 --task cue-reward --rule none --seed "$seed" ;;
      recall)
        run "pair-recall-hebb-simple-s$seed" "$RECALL_ITERATIONS" --task pair-recall --seed "$seed"
        run "pair-recall-static-s$seed" "$RECALL_ITERATIONS" --task pair-recall --rule none --seed "$seed" ;;
      noise)
        among "$seed" "$NOISE_SEEDS" || continue
        for task in $NOISE_TASKS; do
          for noise in $NOISE_LEVELS; do
            run "$task-hebb-simple-n$noise-s$seed" "$NOISE_ITERATIONS" --task "$task" --noise "$noise" --seed "$seed"
            run "$task-static-n$noise-s$seed" "$NOISE_ITERATIONS" --task "$task" --noise "$noise" --rule none --seed "$seed"
          done
        done ;;
      matrix)
        among "$seed" "$MATRIX_SEEDS" || continue
        for rule in hebb oja bcm; do
          for mod in none simple retroactive; do
            run "matrix-$rule-$mod-s$seed" "$MATRIX_ITERATIONS" --task cue-reward --rule "$rule" --modulation "$mod" --seed "$seed"
          done
        done ;;
    esac
  done
done
