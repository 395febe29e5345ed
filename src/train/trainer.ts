/**
 * The trainer wires ask -> evaluate -> tell and nothing else: it draws the generation's
 * episode seeds and conditions, hands fixed chunks of members to the rollout backend,
 * merges returns and observation statistics in task order, tests the center on separate
 * nominal seeds every `testEvery` generations, and emits one plain status record per
 * generation to its observers (stdout, metrics.jsonl, checkpoints, replays).
 *
 * Everything random derives from the config's seed and the generation number, or lives in
 * the strategy's state, so a run resumed from a checkpoint continues bit for bit.
 *
 * Generations are counted from 1 everywhere (records, checkpoints, replays, messages):
 * generation g is the g-th update, "after generation g" is the state once g generations are
 * done, and generation 0 is the starting point. Only the episode seeds are drawn from the
 * 0-based index g - 1, as they always were, so runs of every version draw the same episodes.
 */
import { OBS_SIZE, ACT_SIZE } from '../../envs/ant-sim.ts';
import { Rng, mixSeed } from '../../core/rng.ts';
import { NOMINAL, changesAnything } from '../../envs/conditions.ts';
import { simWorld } from '../../envs/sim-settings.ts';
import { sampleConditionIndex, type Suite } from '../../envs/suites.ts';
import { createPolicy, initParams, isPlastic } from '../../policies/index.ts';
import type { RolloutBackend } from '../../workers/pool.ts';
import type { RolloutResult, RolloutTask, TaskEpisode } from '../../workers/types.ts';
import type { MaximizerState, Population } from '../es/index.ts';
import { maximizerFor, type TrainMaximizer } from './maximizer.ts';
import type { TrainConfig } from './config.ts';
import { ObsNormalizer } from './normalizer.ts';
import { growsAt, policyGenome, searchedPolicy, searchSize, staticStagePolicy } from './plastic-from.ts';
import { restartsAt, stageAt, stageIndex, stageStrategies } from './stages.ts';
import { bestStartContinuesAt, startBegins, startEnds, startOf } from './starts.ts';
import type { GenerationRecord } from './metrics.ts';

export type { GenerationRecord };

export interface TrainerEvents {
  /** After every generation, with the state a checkpoint needs. */
  generation?(rec: GenerationRecord, t: Trainer): void | Promise<void>;
  /** After each center test. */
  test?(gen: number, center: Float64Array, t: Trainer): void | Promise<void>;
}

/** What a checkpoint holds, beyond the config. */
export interface TrainerSnapshot {
  /** Generations done: the state is the one after this generation. */
  generation: number;
  maximizer: MaximizerState;
  normalizer: ObsNormalizer;
  bestTest: { return: number; fitness: number; generation: number; params: Float64Array; normalizer: ReturnType<ObsNormalizer['toJSON']> } | null;
  totalSteps: number;
  wallTime: number;
  /** With `config.starts`: the start whose center tested best so far, its state at its end (starts.ts); null before the first ends and after the starts. */
  bestStart: BestStart | null;
}

/** A start that ended: which (from 0), its center's test fitness, and the strategy state and observation statistics it continues with. */
export interface BestStart {
  start: number;
  fitness: number;
  state: MaximizerState;
  normalizer: ObsNormalizer;
}

export const TEST_SEED_SALT = 0x7e57;

export function testEpisodes(config: TrainConfig): TaskEpisode[] {
  return Array.from({ length: config.testEpisodes }, (_, k) => ({ seed: mixSeed(config.seed, TEST_SEED_SALT, k), condition: NOMINAL }));
}

/** Generation `gen`'s episodes (from 1): seeds and conditions drawn from (seed, gen - 1) alone. */
export function generationEpisodes(config: TrainConfig, suite: Suite, gen: number): TaskEpisode[] {
  const rng = new Rng(mixSeed(config.seed, 0xe915, gen - 1));
  return Array.from({ length: config.episodesPerMember }, () => {
    const seed = rng.nextU32();
    return { seed, condition: suite.conditions[sampleConditionIndex(suite, rng)]! };
  });
}

/** The number of parameters of the config's policy (for the ant). */
export function policySize(config: TrainConfig): number {
  return createPolicy(config.policy, OBS_SIZE, ACT_SIZE).numParams;
}

/** The most rollout tasks one call of a run runs at once: a generation's, or the center test's (one per episode). */
export function tasksAtOnce(config: TrainConfig): number {
  const members = Math.max(...stageStrategies(config, config.generations).map((strategy) => {
    const m = maximizerFor(strategy);
    return m.ask(m.init(new Float64Array(policySize(config)), 0)).population.members.length;
  }));
  return Math.max(Math.ceil(members / config.membersPerTask), config.testEpisodes);
}

/**
 * Mean fitness over the given (result, entry) pairs of rollout results, as `config.fitness` defines it
 * ('return': summed return minus the shift times summed steps, in that order, as before the
 * other kinds existed, so that runs rank their members bit for bit as they did; 'onset-recovery':
 * the distance after the onset plus its speed change, last third minus first, which is the middle
 * third once and the last third twice).
 */
export function meanFitness(c: Pick<TrainConfig, 'fitness' | 'fitnessShift'>, entries: readonly { r: RolloutResult; k: number }[]): number {
  let ret = 0;
  let steps = 0;
  let dist = 0;
  for (const { r, k } of entries) {
    ret += r.returns[k]!;
    steps += r.steps[k]!;
    dist += c.fitness === 'distance' ? r.distances[k]! : r.onsetDistances[k]!;
    if (c.fitness === 'onset-recovery') dist += r.onsetThirds[3 * k + 2]! - r.onsetThirds[3 * k]!;
  }
  return (c.fitness === 'return' ? ret - c.fitnessShift * steps : dist) / entries.length;
}

/**
 * Refuses an objective the suite cannot serve: the fitnesses after the onset need a condition
 * that strikes mid-episode (without one onset-distance ranks as 'distance' does, onset-recovery
 * by thirds of the whole episode, and onset-adaptation would spend twice the rollouts on it).
 */
export function checkObjective(config: Pick<TrainConfig, 'fitness' | 'conditions'>, suite: Suite): void {
  if (config.fitness.startsWith('onset-') && suite.conditions.every((x) => x.onset === undefined)) {
    throw new Error(`config.fitness ${config.fitness} needs damage that strikes mid-episode, and no condition of the suite ${JSON.stringify(config.conditions)} has an onset (give one that does, e.g. --conditions train-damage)`);
  }
}

/**
 * A member's 'onset-adaptation' fitness over its episodes (entries k0 .. k0 + episodes.length - 1
 * of `r`, as trained, and of `frozen`, the same episodes with plasticity frozen at the onset; null
 * for a policy without plasticity, which freezing cannot change). Per episode: the distance after
 * the onset d, plus (d - d_frozen) when the episode's condition changes the ant, minus |d - d_frozen|
 * when it has an onset and changes nothing; episodes without an onset count d. So plasticity that
 * is only part of the gait gains nothing, and plasticity that moves the intact gait pays for it.
 */
export function adaptationFitness(episodes: readonly TaskEpisode[], r: RolloutResult, frozen: RolloutResult | null, k0: number): number {
  let sum = 0;
  episodes.forEach((e, i) => {
    const d = r.onsetDistances[k0 + i]!;
    sum += d;
    if (!frozen || e.condition.onset === undefined) return;
    const gain = d - frozen.onsetDistances[k0 + i]!;
    sum += changesAnything(e.condition) ? gain : -Math.abs(gain);
  });
  return sum / episodes.length;
}

export class Trainer {
  state: MaximizerState;
  normalizer: ObsNormalizer;
  /** Generations done (the next one is `generation + 1`). */
  generation = 0;
  totalSteps = 0;
  wallTime = 0;
  bestTest: TrainerSnapshot['bestTest'] = null;
  lastTest: { return: number; distance: number; fitness: number } | null = null;
  bestStart: BestStart | null = null;
  private stopRequested = false;
  /** The number of parameters of the config's policy (a static stage searches fewer: plastic-from.ts). */
  readonly numParams: number;

  /** `init` replaces the random initial parameters and the empty normalizer of a new run (see init-from.ts). */
  constructor(readonly config: TrainConfig, readonly suite: Suite, readonly backend: RolloutBackend, readonly runId: string, snapshot?: TrainerSnapshot, init?: { params: Float64Array; normalizer: ObsNormalizer }) {
    checkObjective(config, suite);
    this.numParams = policySize(config);
    if (snapshot) {
      this.state = snapshot.maximizer;
      this.normalizer = snapshot.normalizer;
      this.generation = snapshot.generation;
      this.totalSteps = snapshot.totalSteps;
      this.wallTime = snapshot.wallTime;
      this.bestTest = snapshot.bestTest;
      this.bestStart = snapshot.bestStart;
      const size = searchSize(config, this.generation);
      if (this.state.core.mean.length !== size) throw new Error(`checkpoint has ${this.state.core.mean.length} parameters but the policy needs ${size}`);
    } else if (init) {
      if (init.params.length !== this.numParams) throw new Error(`the initial policy has ${init.params.length} parameters but the policy needs ${this.numParams}`);
      this.state = this.maximizerAt(1).init(Float64Array.from(init.params), mixSeed(config.seed, 0x5eed));
      this.normalizer = init.normalizer.copy(config.obsClip);
    } else {
      const params = initParams(staticStagePolicy(config) ?? config.policy, OBS_SIZE, ACT_SIZE, new Rng(mixSeed(config.seed, 0x1417)));
      this.state = this.maximizerAt(1).init(Float64Array.from(params), mixSeed(config.seed, 0x5eed));
      this.normalizer = new ObsNormalizer(OBS_SIZE, config.obsClip);
    }
  }

  /** The strategy of generation `gen` (its stage's: stages.ts); the state after generation g is its stage's. */
  maximizerAt(gen: number): TrainMaximizer {
    const g = Math.max(1, gen);
    const k = stageIndex(this.config, g);
    let m = this.maximizers.get(k);
    if (!m) this.maximizers.set(k, (m = maximizerFor(stageAt(this.config, g).strategy)));
    return m;
  }

  /**
   * The strategy the state after `generation` belongs to, for reading its center and serializing
   * it (neither depends on the stage's parameters, so within a step, after the restart or the
   * tell and before the generation count moves on, the previous stage's serves as well).
   */
  get maximizer(): TrainMaximizer {
    return this.maximizerAt(this.generation);
  }

  private readonly maximizers = new Map<number, TrainMaximizer>();

  /** Ask to stop after the current generation (Ctrl-C). */
  requestStop(): void {
    this.stopRequested = true;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** The center as the config's policy (a static stage's center grown: plastic-from.ts). */
  center(): Float64Array {
    return policyGenome(this.config, this.searchCenter());
  }

  /** The center of the search distribution (during a static stage, the static network's genome). */
  searchCenter(): Float64Array {
    return this.maximizer.center(this.state);
  }

  snapshot(): TrainerSnapshot {
    return { generation: this.generation, maximizer: this.state, normalizer: this.normalizer, bestTest: this.bestTest, totalSteps: this.totalSteps, wallTime: this.wallTime, bestStart: this.bestStart };
  }

  private tasksFor(pop: Population, gen: number, episodes: TaskEpisode[]): RolloutTask[] {
    const c = this.config;
    const norm = this.normalizer.snapshot();
    const tasks: RolloutTask[] = [];
    for (let start = 0, index = 0; start < pop.members.length; start += c.membersPerTask, index++) {
      tasks.push({
        index, runId: this.runId, generation: gen, center: pop.mean, scale: pop.scale,
        members: pop.members.slice(start, start + c.membersPerTask),
        policy: searchedPolicy(c, gen), world: { maxSteps: stageAt(c, gen).maxSteps, ...simWorld(c.sim) }, episodes, normalizer: norm, collectObsStats: true,
      });
    }
    // The adaptation objective also runs every member's episodes with plasticity frozen at the onset.
    if (c.fitness !== 'onset-adaptation' || !isPlastic(searchedPolicy(c, gen))) return tasks;
    return [...tasks, ...tasks.map((t) => ({ ...t, index: t.index + tasks.length, collectObsStats: false, freezeAtOnset: true }))];
  }

  /** Evaluates the center on the fixed nominal test seeds (one task per episode, run in parallel). */
  /** Mean return, distance and fitness (what members are ranked by, config.fitness: what training maximises). */
  async testCenter(gen: number): Promise<{ return: number; distance: number; fitness: number }> {
    const center = this.searchCenter();
    const norm = this.normalizer.snapshot();
    const tasks: RolloutTask[] = testEpisodes(this.config).map((e, index) => ({
      index, runId: this.runId, generation: gen, center, scale: null, members: [{ seed: 0, sign: 0 }],
      policy: searchedPolicy(this.config, gen), world: { maxSteps: stageAt(this.config, gen).maxSteps, ...simWorld(this.config.sim) }, episodes: [e], normalizer: norm, collectObsStats: false,
    }));
    const res = await this.backend.runAll(tasks);
    let ret = 0;
    let dist = 0;
    for (const r of res) {
      ret += r.returns[0]!;
      dist += r.distances[0]!;
    }
    return { return: ret / res.length, distance: dist / res.length, fitness: meanFitness(this.config, res.map((r) => ({ r, k: 0 }))) };
  }

  /**
   * With `config.starts` (starts.ts), as generation `gen` begins: a new start searches from its
   * own random network, with a fresh strategy and observation statistics; once the starts are
   * done, the one that tested best continues from where it ended.
   */
  private switchStart(gen: number): void {
    const c = this.config;
    if (startBegins(c, gen)) {
      const k = startOf(c, gen)!;
      const params = initParams(c.policy, OBS_SIZE, ACT_SIZE, new Rng(mixSeed(c.seed, 0x1417, k)));
      this.state = this.maximizerAt(gen).init(Float64Array.from(params), mixSeed(c.seed, 0x5eed, gen));
      this.normalizer = new ObsNormalizer(OBS_SIZE, c.obsClip);
    } else if (bestStartContinuesAt(c, gen)) {
      if (!this.bestStart) throw new Error(`no start was tested by generation ${gen - 1}`);
      this.state = this.bestStart.state;
      this.normalizer = this.bestStart.normalizer;
      this.bestStart = null;
    }
  }

  /** Runs one generation and returns its record. */
  async step(events: TrainerEvents = {}): Promise<GenerationRecord> {
    const c = this.config;
    const gen = this.generation + 1;
    const t0 = performance.now();
    const maximizer = this.maximizerAt(gen);
    this.switchStart(gen);
    // A stage starts, or the static stage ends: the strategy restarts around the center (grown into the plastic network).
    if (restartsAt(c, gen)) {
      // The static stage's center is grown only where plasticity starts; a stage before it restarts the static search.
      const around = growsAt(c, gen) ? this.center() : this.searchCenter();
      this.state = maximizer.init(around, mixSeed(c.seed, 0x5eed, gen));
    }
    const { population, state } = maximizer.ask(this.state);
    const episodes = generationEpisodes(c, this.suite, gen);
    const tasks = this.tasksFor(population, gen, episodes);
    const tr0 = performance.now();
    const results = await this.backend.runAll(tasks);
    let rolloutMs = performance.now() - tr0;
    checkResults(results, tasks);

    const n = population.members.length;
    const ne = episodes.length;
    // `returns` as the env reports them; `fitness` (what is ranked) has the per-step shift removed.
    const returns = new Float64Array(n);
    const fitness = new Float64Array(n);
    let steps = 0;
    let distSum = 0;
    let limitWorst = 0;
    let past5 = 0;
    // The adaptation objective's frozen runs (the tasks after the population's) count in steps and joint limits only.
    const asTrained = tasks.filter((t) => !t.freezeAtOnset).length;
    for (const r of results) {
      for (let k = 0; k < r.limitWorst.length; k++) {
        limitWorst = Math.max(limitWorst, r.limitWorst[k]!);
        past5 += r.limitPast5[k]!;
        steps += r.steps[k]!;
      }
      if (r.index >= asTrained) continue;
      const frozen = results[r.index + asTrained] ?? null;
      for (let m = 0; m < tasks[r.index]!.members.length; m++) {
        let ret = 0;
        for (let e = 0; e < ne; e++) {
          ret += r.returns[m * ne + e]!;
          distSum += r.distances[m * ne + e]!;
        }
        const i = r.index * c.membersPerTask + m;
        returns[i] = ret / ne;
        fitness[i] = c.fitness === 'onset-adaptation' ? adaptationFitness(episodes, r, frozen, m * ne) : meanFitness(c, Array.from({ length: ne }, (_, e) => ({ r, k: m * ne + e })));
      }
    }
    const told = maximizer.tell(state, population, fitness);
    this.state = told.state;
    for (const r of results) if (r.obsStats) this.normalizer.merge(r.obsStats);

    let testReturn: number | null = null;
    let testDistance: number | null = null;
    const isLast = gen >= c.generations;
    const endsStart = startEnds(c, gen);
    if ((c.testEvery > 0 && (gen % c.testEvery === 0 || isLast || gen === 1)) || endsStart) {
      const tt0 = performance.now();
      const t = await this.testCenter(gen);
      rolloutMs += performance.now() - tt0;
      testReturn = t.return;
      testDistance = t.distance;
      this.lastTest = t;
      // The tested center as the config's policy (grown once during a static stage).
      const center = this.center();
      // The best center is judged by the objective training maximises, not the raw return.
      // Only tests of the same episode length compare: a stage that changes it starts best.json anew.
      const sameLength = this.bestTest !== null && stageAt(c, this.bestTest.generation).maxSteps === stageAt(c, gen).maxSteps;
      if (!this.bestTest || !sameLength || t.fitness > this.bestTest.fitness) {
        this.bestTest = { return: t.return, fitness: t.fitness, generation: gen, params: Float64Array.from(center), normalizer: this.normalizer.toJSON() };
      }
      if (endsStart && (!this.bestStart || t.fitness > this.bestStart.fitness)) {
        this.bestStart = { start: startOf(c, gen)!, fitness: t.fitness, state: this.state, normalizer: this.normalizer.copy() };
      }
      await events.test?.(gen, center, this);
    }

    let mean = 0;
    let max = -Infinity;
    let min = Infinity;
    for (const f of returns) {
      mean += f / n;
      if (f > max) max = f;
      if (f < min) min = f;
    }
    let v = 0;
    for (const f of returns) v += (f - mean) ** 2 / n;
    const elapsed = (performance.now() - t0) / 1000;
    this.totalSteps += steps;
    this.wallTime += elapsed;
    this.generation = gen;
    const rec: GenerationRecord = {
      generation: gen,
      returnMean: mean,
      returnMax: max,
      returnMin: min,
      returnStd: Math.sqrt(v),
      distanceMean: distSum / (n * episodes.length),
      testReturn,
      testDistance,
      testFitness: this.lastTest && testReturn !== null ? this.lastTest.fitness : null,
      bestTestReturn: this.bestTest?.return ?? null,
      steps,
      totalSteps: this.totalSteps,
      wallTime: this.wallTime,
      stepsPerSec: steps / elapsed,
      overheadFraction: Math.max(0, 1 - rolloutMs / 1000 / elapsed),
      limitWorst,
      limitPast5Fraction: past5 / (8 * Math.max(1, steps)),
      strategy: told.metrics.strategy,
      ...(startOf(c, gen) !== null ? { start: startOf(c, gen)! + 1 } : {}),
    };
    await events.generation?.(rec, this);
    return rec;
  }

  /** Runs until `config.generations` or a stop request. */
  async run(events: TrainerEvents = {}): Promise<'done' | 'stopped'> {
    while (this.generation < this.config.generations) {
      if (this.stopRequested) return 'stopped';
      await this.step(events);
    }
    return 'done';
  }
}

/** Results must belong to this run and generation, one per task. */
function checkResults(results: RolloutResult[], tasks: RolloutTask[]): void {
  if (results.length !== tasks.length) throw new Error(`expected ${tasks.length} rollout results, got ${results.length}`);
  results.forEach((r, i) => {
    const t = tasks[i]!;
    if (r.index !== t.index || r.runId !== t.runId || r.generation !== t.generation) {
      throw new Error(`rollout result ${i} belongs to run ${r.runId} generation ${r.generation} task ${r.index}, not to this generation`);
    }
  });
}
