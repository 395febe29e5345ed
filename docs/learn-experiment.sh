#!/usr/bin/env bash
# The gradient route's experiment (docs/learn-results.md): plastic SNNs against the static
# SNN on the temporal tasks, trained by `propamine learn` (BPTT), 3 seeds each, one run at a
# time on one thread. Every run is resumable: rerunning skips finished runs and continues
# interrupted ones. PHASES picks what to run:
#   done     cue-reward, defaults (Hebb + simple modulation, 64 neurons, 800 iterations) and
#            the static SNN (--rule none) with the same budget
#   recall   the same pair on pair-recall
#   noise    both tasks at bit-flip noise 0.1 and 0.2 (plastic default and static), at
#            NOISE_ITERATIONS iterations (a reduced budget, to fit the machine's time)
#   matrix   cue-reward, every rule x modulation at MATRIX_ITERATIONS iterations (reduced)
# docs/learn-report.ts turns the run directories into the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/learn-exp}
SEEDS=${SEEDS:-"1 2 3"}
PHASES=${PHASES:-"done recall noise matrix"}
NOISE_ITERATIONS=${NOISE_ITERATIONS:-400}
MATRIX_ITERATIONS=${MATRIX_ITERATIONS:-300}
MATRIX_SEEDS=${MATRIX_SEEDS:-$SEEDS}
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
        run "pair-recall-hebb-simple-s$seed" 800 --task pair-recall --seed "$seed"
        run "pair-recall-static-s$seed" 800 --task pair-recall --rule none --seed "$seed" ;;
      noise)
        for task in cue-reward pair-recall; do
          for noise in 0.1 0.2; do
            run "$task-hebb-simple-n$noise-s$seed" "$NOISE_ITERATIONS" --task "$task" --noise "$noise" --seed "$seed"
            run "$task-static-n$noise-s$seed" "$NOISE_ITERATIONS" --task "$task" --noise "$noise" --rule none --seed "$seed"
          done
        done ;;
      matrix)
        case " $MATRIX_SEEDS " in *" $seed "*) ;; *) continue ;; esac
        for rule in hebb oja bcm; do
          for mod in none simple retroactive; do
            run "matrix-$rule-$mod-s$seed" "$MATRIX_ITERATIONS" --task cue-reward --rule "$rule" --modulation "$mod" --seed "$seed"
          done
        done ;;
    esac
  done
done
