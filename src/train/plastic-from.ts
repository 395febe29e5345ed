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
 * acts exactly as the static one; rule and modulator at their initial values) and restarts
 * the strategy around it. The policy a run reports (its tests' centers, best.json, replays,
 * `eval --checkpoint`) is always the config's plastic network: during the static stage, the
 * static center grown (with alpha 0, it acts as the static network does).
 */
import { mixSeed, Rng } from '../../core/rng.ts';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import { layoutSize, policyLayout, type PolicyConfig } from '../../policies/index.ts';
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

/** Whether the static stage's center is grown into the plastic network as generation `gen` starts. */
export function growsAt(config: Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init'>, gen: number): boolean {
  return gen === config.plasticFrom && staticStagePolicy(config) !== null;
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
