/**
 * Plasticity from a later generation (`config.plasticFrom`): evolution strategies first search
 * the spiking network without plasticity, then the network grown into the plastic one.
 *
 * Why: ES on the plastic SNN spends its perturbations on alpha, the rule and the modulator
 * before a gait exists for them to shape, and learns slower than the same network without
 * them (docs/snn-learning.md, round 3). So generations 1 .. plasticFrom - 1 search the static
 * network (the config's policy with rule 'none'); at generation plasticFrom the trainer grows
 * the center into the config's plastic network exactly as `--init-from` grows a static run
 * (init-from.ts: every weight copied, alpha = 0, so W + alpha H = W and the grown network
 * acts exactly as the static one; rule and modulator at their initial values) and the
 * strategy carries on around it: its state for the trained weights (Adam's moments,
 * per-parameter sigmas, counters) continues, the new parameters start from their initial
 * state (`carriedState`). The policy a run reports (its tests' centers, best.json, replays,
 * `eval --checkpoint`) is always the config's plastic network: during the static stage, the
 * static center grown (with alpha 0, it acts as the static network does).
 */
import { mixSeed, Rng } from '../../core/rng.ts';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import { layoutSize, policyLayout, type PolicyConfig } from '../../policies/index.ts';
import { SliceIndex } from '../../policies/layout.ts';
import type { TrainConfig } from './config.ts';
import { grownGenome } from './init-from.ts';

const GROW_SALT = 0x9a0f;

/** The static network searched before `plasticFrom`, or null when the policy is plastic from the start. */
export function staticStagePolicy(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init'>): PolicyConfig | null {
  const p = config.policy;
  // A network without plasticity has no static stage, nor one whose weights are drawn anew every
  // episode (only its plasticity learns); a run grown from a trained policy starts from that policy.
  if (config.plasticFrom <= 1 || p.type !== 'snn' || p.rule === 'none' || p.weights !== 'evolved' || config.init !== null) return null;
  return { ...p, rule: 'none', modInputs: [] };
}

/** The network searched at generation `gen` (from 1). */
export function searchedPolicy(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init'>, gen: number): PolicyConfig {
  return (gen < config.plasticFrom && staticStagePolicy(config)) || config.policy;
}

/** The genome length the search state has once `generationsDone` generations are done. */
export function searchSize(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init'>, generationsDone: number): number {
  // The switch happens as generation plasticFrom starts: the state is static until it is done.
  return layoutSize(policyLayout(searchedPolicy(config, generationsDone), OBS_SIZE, ACT_SIZE));
}

/**
 * The config's policy genome for a center of the search: the static stage's center grown
 * (alpha 0; rule and modulator at their initial values, drawn from the run's seed, the same
 * every time), any other center as it is.
 */
export function policyGenome(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init' | 'seed'>, center: Float64Array): Float64Array {
  const stat = staticStagePolicy(config);
  if (!stat || center.length !== layoutSize(policyLayout(stat, OBS_SIZE, ACT_SIZE))) return center;
  const grown = grownGenome(stat, center, config.policy, new Rng(mixSeed(config.seed, GROW_SALT)));
  if (!grown) throw new Error('config.policy cannot be grown from its static stage');
  return grown;
}

/** Where each entry of the static stage's genome sits in the config's policy genome. */
export function grownIndex(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init'>): Int32Array {
  const stat = staticStagePolicy(config);
  if (!stat) throw new Error('the config has no static stage');
  const to = new SliceIndex(policyLayout(config.policy, OBS_SIZE, ACT_SIZE));
  const from = policyLayout(stat, OBS_SIZE, ACT_SIZE);
  const index = new Int32Array(layoutSize(from));
  for (const s of from) {
    const t = to.get(s.name);
    for (let k = 0; k < s.length; k++) index[s.offset + k] = t.offset + k;
  }
  return index;
}

/**
 * The search state carried into the grown network's genome: `fresh` is the strategy's initial
 * state around the grown center; every per-parameter vector of `old` (the center, Adam's
 * moments, per-parameter sigmas, evolution paths, the best member) is copied to its entries'
 * new places and the new entries keep their initial values, and everything else (generation
 * counters, step counts, global sigma and learning rate, the generator) continues from `old`.
 * So the weights the static stage trained go on being searched as they were, and only the
 * plasticity parameters start afresh.
 */
export function carriedState<T>(old: T, fresh: T, index: Int32Array, grownCenter: Float64Array): T {
  const d = index.length;
  const D = grownCenter.length;
  const walk = (o: unknown, f: unknown): unknown => {
    if (o instanceof Float64Array && o.length === d) {
      const out = f instanceof Float64Array && f.length === D ? Float64Array.from(f) : Float64Array.from(grownCenter);
      for (let i = 0; i < d; i++) out[index[i]!] = o[i]!;
      return out;
    }
    if (o && f && typeof o === 'object' && typeof f === 'object' && !ArrayBuffer.isView(o) && !Array.isArray(o)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o)) out[k] = walk((o as Record<string, unknown>)[k], (f as Record<string, unknown>)[k]);
      return out;
    }
    return o;
  };
  return walk(old, fresh) as T;
}
