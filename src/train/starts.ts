/**
 * Several starts (`config.starts`): the run's first count × generations generations are
 * `count` searches from different random networks, `generations` each; the one whose center
 * tests best at its end (by `config.fitness`, on the run's test episodes) continues for the
 * rest of the run, with its strategy state and its observation statistics, as if it had run
 * alone.
 *
 * Why: which gait family a search settles into is decided in its first few dozen generations,
 * and differs more between seeds than the policies differ from one another (docs/snn-learning.md,
 * rounds 10 and 11): a search's test distance at generation 40 ranks the quick preset's runs
 * nearly as they end at generation 160. Spending the first generations on several starts and
 * keeping the best is the usual restart remedy of evolution strategies (as in IPOP-CMA-ES),
 * applied the same way to every policy.
 *
 * Start 1 is the run without starts (the same random network and strategy seed), so its
 * generations are the plain run's. Start k + 1 draws its network and strategy seed from the
 * run's seed and k; everything stays a function of the seed and the generation, so the run is
 * the same whatever the number of workers, and a resumed one continues bit for bit (the
 * checkpoint keeps the best start so far: checkpoint.ts).
 */
/** `config.starts` (written out here: the config's schema checks it with checkStarts, below). */
export type Starts = { count: number; generations: number } | null;

type StartsFields = { starts: Starts };

/** The last generation of the starts (0: the run has none). */
export function startsEnd(config: StartsFields): number {
  return config.starts ? config.starts.count * config.starts.generations : 0;
}

/** The start (from 0) generation `gen` belongs to, or null after the starts. */
export function startOf(config: StartsFields, gen: number): number | null {
  return gen <= startsEnd(config) ? Math.floor((gen - 1) / config.starts!.generations) : null;
}

/** Whether a start other than the first begins with generation `gen` (a new random network). */
export function startBegins(config: StartsFields, gen: number): boolean {
  const k = startOf(config, gen);
  return k !== null && k > 0 && gen === k * config.starts!.generations + 1;
}

/** Whether generation `gen` ends a start (its center is tested and may become the one that continues). */
export function startEnds(config: StartsFields, gen: number): boolean {
  return startOf(config, gen) !== null && gen % config.starts!.generations === 0;
}

/** Whether the best start continues as generation `gen` begins. */
export function bestStartContinuesAt(config: StartsFields, gen: number): boolean {
  return config.starts !== null && gen === startsEnd(config) + 1;
}

/**
 * The strategy's own generation count once `done` (at least 1) generations of a run with starts
 * are done, no stage having restarted it since: within a start, the generations of that start;
 * after the starts, the best start's generations continue.
 */
export function strategyGenerationsOfStarts(starts: NonNullable<Starts>, done: number): number {
  const end = starts.count * starts.generations;
  const g = starts.generations;
  if (done <= end) return done - Math.floor((done - 1) / g) * g;
  return done - end + g;
}

/** `4 starts of 20 generations from different random networks; the one that tests best continues` ('' without starts) */
export function describeStarts(config: StartsFields): string {
  const s = config.starts;
  return s ? `${s.count} starts of ${s.generations} generations from different random networks; the one that tests best continues` : '';
}

/** Cross-field checks of a config with starts (config-schema.ts); messages name the field. */
export function checkStarts<C extends StartsFields & { generations: number; stages: { from: number }[]; plasticFrom: number; init: string | null }>(config: C): C {
  const s = config.starts;
  if (!s) return config;
  const end = startsEnd(config);
  if (end >= config.generations) {
    throw new Error(`.starts: count × generations (${s.count} × ${s.generations} = ${end}) must be less than config.generations (${config.generations}): the best start continues after them`);
  }
  const early = config.stages.findIndex((st) => st.from <= end);
  if (early >= 0) throw new Error(`.stages[${early}].from must be after the starts, which end at generation ${end} (got ${config.stages[early]!.from})`);
  if (config.plasticFrom > 1) throw new Error(`.starts cannot be combined with plasticFrom ${config.plasticFrom}: each start is plastic from its first generation (set plasticFrom to 1, or starts to null)`);
  if (config.init !== null) throw new Error('.starts draw their own random networks: config.init must be null (a run started from a trained policy has one start)');
  return config;
}
