/**
 * `propamine eval`: runs a saved policy on fresh episodes and prints return and distance.
 */
import { parseArgs } from 'node:util';
import type { RolloutTask } from '../../workers/types.ts';
import { mixSeed } from '../../core/rng.ts';
import { validateCondition, NOMINAL } from '../../envs/conditions.ts';
import { CliError, type Command } from './command.ts';
import { loadPolicyArg } from './policy-arg.ts';
import { num } from './train.ts';
import { poolForWorkers } from './workers-arg.ts';
import { meanCI } from '../stats.ts';

const HELP = `Usage: propamine eval <run directory | policy file> [options]

Runs a trained policy (a run's best.json, or the latest checkpoint's center with
--checkpoint) on fresh nominal episodes and prints its return and forward distance.

Options:
  --episodes N      episodes (default 5)
  --seed N          episode seeds derive from it (default 12345)
  --max-steps N     control steps per episode (default 1000)
  --condition JSON  a condition, e.g. '{"friction":0.3}' (default nominal)
  --workers N       worker threads (default 2; at most one per core and per episode)
  --checkpoint      use the latest checkpoint's center instead of best.json
  --json            print one JSON object instead of text
  -h, --help        this help`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'run a saved policy on fresh episodes and report return and distance',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { episodes: { type: 'string' }, seed: { type: 'string' }, 'max-steps': { type: 'string' }, condition: { type: 'string' }, workers: { type: 'string' }, checkpoint: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError('eval needs exactly one run directory or policy file (see propamine eval --help)');
    const episodes = num(values.episodes, 'episodes') ?? 5;
    if (!Number.isInteger(episodes) || episodes < 1) throw new CliError(`--episodes must be a whole number >= 1 (got ${values.episodes})`);
    const seed = num(values.seed, 'seed') ?? 12345;
    const maxSteps = num(values['max-steps'], 'max-steps') ?? 1000;
    let condition = NOMINAL;
    if (values.condition) {
      let raw: unknown;
      try {
        raw = JSON.parse(values.condition);
      } catch {
        throw new CliError(`--condition must be JSON, e.g. '{"friction":0.3}' (got ${values.condition})`);
      }
      condition = validateCondition(raw, '--condition');
    }
    // The flags are checked before the policy is loaded, so a typo costs no waiting.
    const p = await loadPolicyArg(positionals[0]!, values.checkpoint ?? false);
    const pool = poolForWorkers(values.workers, episodes);
    const tasks: RolloutTask[] = Array.from({ length: episodes }, (_, i) => ({
      index: i, runId: 'eval', generation: 0, center: p.params, scale: null, members: [{ seed: 0, sign: 0 }],
      policy: p.policy, world: { maxSteps }, episodes: [{ seed: mixSeed(seed, i), condition }], normalizer: p.normalizer, collectObsStats: false,
    }));
    let results;
    try {
      results = await pool.runAll(tasks);
    } finally {
      await pool.close();
    }
    const returns = results.map((r) => r.returns[0]!);
    const distances = results.map((r) => r.distances[0]!);
    const steps = results.map((r) => r.steps[0]!);
    const ret = meanCI(returns);
    const dist = meanCI(distances);
    const speed = distances.map((d, i) => d / (steps[i]! * 0.05));
    const limitWorst = Math.max(...results.map((r) => r.limitWorst[0]!));
    const limitPast5Fraction = results.reduce((a, r) => a + r.limitPast5[0]!, 0) / (8 * steps.reduce((a, b) => a + b, 0));
    if (values.json) {
      console.log(JSON.stringify({ episodes, returns, distances, steps, returnMean: ret.mean, returnCI95: ret.ci95, distanceMean: dist.mean, distanceCI95: dist.ci95, limitWorst, limitPast5Fraction }));
    } else {
      // One episode has no spread to give an interval from.
      const pm = (ci: number, d: number) => (episodes === 1 ? '' : ` ± ${ci.toFixed(d)}`);
      const n = episodes === 1 ? ' (n = 1, no interval)' : '';
      console.log(`${episodes} episode${episodes === 1 ? '' : 's'}: return ${ret.mean.toFixed(1)}${pm(ret.ci95, 1)}, forward distance ${dist.mean.toFixed(2)}${pm(dist.ci95, 2)} m${n}, mean speed ${(speed.reduce((a, b) => a + b, 0) / episodes).toFixed(2)} m/s, steps ${steps.join(' ')}`);
      console.log(`joint limits: worst violation ${limitWorst.toFixed(2)}°, ${(100 * limitPast5Fraction).toFixed(3)}% of joint-steps more than 5° past a limit`);
    }
    return 0;
  },
};
