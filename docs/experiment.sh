#!/usr/bin/env bash
# The adaptation experiment: plastic SNN variants (Hebb, Oja, BCM with simple modulation;
# Hebb with retroactive modulation), the static SNN and the MLP, trained with the same
# budget (the quick preset: 32 members x 300 steps per generation, GENERATIONS generations;
# 80 generations = 768,000 env steps) on the same training distribution (suite "train"),
# 3 seeds each, then stressed on the held-out suite (conditions never sampled in training).
# Every run is resumable: rerunning skips finished runs and continues interrupted ones, and
# a larger GENERATIONS continues finished runs to the larger budget. Reports go to
# <run>/stress-<GENERATIONS>/heldout.{json,md}; docs/experiment-report.ts aggregates them.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/experiment}
SEEDS=${SEEDS:-"1 2 3"}
GENERATIONS=${GENERATIONS:-80}
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
      npx propamine train --out "$OUT" --name "$name" --seed "$seed" --generations "$GENERATIONS" ${VARIANTS[$v]} --quiet
    fi
    [ -f "$dir/stress-$GENERATIONS/heldout.json" ] || npx propamine stress "$dir" --suite heldout --episodes 5 --max-steps 300 --no-replays --out "$dir/stress-$GENERATIONS" > /dev/null
  done
done
