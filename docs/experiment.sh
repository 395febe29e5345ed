#!/usr/bin/env bash
# The adaptation experiment: plastic SNN variants (Hebb, Oja, BCM with simple modulation;
# Hebb with retroactive modulation), the static SNN and the MLP, trained with the same
# budget (the quick preset: 32 members x 300 steps per generation, GENERATIONS generations;
# 80 generations = 768,000 env steps) on the same training distribution (suite "train"),
# 3 seeds each, then stressed on the held-out suite (conditions never sampled in training).
# Every run is resumable: rerunning skips finished runs and continues interrupted ones, and
# a larger GENERATIONS continues finished runs to the larger budget. Reports go to
# <run>/stress-<GENERATIONS>/<suite>.{json,md}; docs/experiment-report.ts aggregates them.
#
# CONDITIONS picks the training distribution (default "train"; "train-damage" trains with
# damage that strikes mid-episode), STRESS_SUITES the suites each run is stressed on
# (default "heldout"; "heldout heldout-onset" adds the held-out conditions striking at step
# 100), OUT the directory, VARIANTS_ORDER and SEEDS which runs. INIT_FROM fine-tunes: each
# run starts from the run of the same name under INIT_FROM (its best center and normalizer)
# instead of random parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/experiment}
SEEDS=${SEEDS:-"1 2 3"}
GENERATIONS=${GENERATIONS:-80}
CONDITIONS=${CONDITIONS:-train}
STRESS_SUITES=${STRESS_SUITES:-heldout}
declare -A VARIANTS=(
  [hebb-simple]="--policy snn --rule hebb --modulation simple"
  [oja-simple]="--policy snn --rule oja --modulation simple"
  [bcm-simple]="--policy snn --rule bcm --modulation simple"
  [hebb-retro]="--policy snn --rule hebb --modulation retroactive"
  [static]="--policy static-snn"
  [mlp]="--policy mlp --hidden 32"
)
for seed in $SEEDS; do
  for v in ${VARIANTS_ORDER:-hebb-simple oja-simple bcm-simple hebb-retro static mlp}; do
    name="$v-s$seed"
    dir="$OUT/$name"
    if [ -f "$dir/checkpoints/latest.json" ]; then
      npx propamine train --resume "$dir" --generations "$GENERATIONS" --quiet
    else
      if [ -n "${INIT_FROM:-}" ]; then
        npx propamine train --out "$OUT" --name "$name" --seed "$seed" --generations "$GENERATIONS" --conditions "$CONDITIONS" --init-from "$INIT_FROM/$name" --quiet
      else
        npx propamine train --out "$OUT" --name "$name" --seed "$seed" --generations "$GENERATIONS" --conditions "$CONDITIONS" ${VARIANTS[$v]} --quiet
      fi
    fi
    for suite in $STRESS_SUITES; do
      [ -f "$dir/stress-$GENERATIONS/$suite.json" ] || npx propamine stress "$dir" --suite "$suite" --episodes 5 --max-steps 300 --no-replays --out "$dir/stress-$GENERATIONS" > /dev/null
    done
  done
done
