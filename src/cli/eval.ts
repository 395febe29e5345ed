/**
 * `propamine eval`: runs a saved policy on fresh episodes and prints return and distance.
 */
import { parseArgs } from 'node:util';
import { validateCondition, NOMINAL } from '../../envs/conditions.ts';
import { CliError, type Command } from './command.ts';
import { loadPolicy } from '../policy-source.ts';
import { evaluatePolicy, type EvaluationReport } from '../evaluate.ts';
import { num } from './flags.ts';
import { poolForWorkers } from './workers-arg.ts';
import { hasPlasticity, policyLayout } from '../../policies/index.ts';
import { withoutPlasticityArg } from './no-plasticity-arg.ts';
import { ANT_IO } from '../train/policy-file.ts';

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
  --no-plasticity   a plastic SNN with every alpha set to 0 (W_eff = W): beside the
                    same command without it, what the network's plasticity adds
  --json            print one JSON object instead of text
  -h, --help        this help`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'run a saved policy on fresh episodes and report return and distance',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { episodes: { type: 'string' }, seed: { type: 'string' }, 'max-steps': { type: 'string' }, condition: { type: 'string' }, workers: { type: 'string' }, checkpoint: { type: 'boolean' }, 'no-plasticity': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(HELP);
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
    const loaded = loadPolicy(positionals[0]!, { checkpoint: values.checkpoint ?? false });
    let p = loaded;
    // With --no-plasticity: 'removed', or 'already-zero' for a network whose alphas were all 0 (e.g. a center grown from a static SNN).
    let removed: 'removed' | 'already-zero' | null = null;
    if (values['no-plasticity']) {
      p = withoutPlasticityArg(loaded, positionals[0]!);
      removed = hasPlasticity(policyLayout(loaded.policy, ANT_IO.obsSize, ANT_IO.actSize), loaded.params) ? 'removed' : 'already-zero';
    }
    const pool = poolForWorkers(values.workers, episodes, io);
    let r: EvaluationReport;
    try {
      r = await evaluatePolicy(p, { episodes, seed, maxSteps, condition }, pool);
    } finally {
      await pool.close();
    }
    if (values.json) {
      const { speedMean: _speed, ...rest } = r;
      io.out(JSON.stringify({ source: p.source, ...(removed ? { plasticity: removed } : {}), ...rest }));
    } else {
      // One episode has no spread to give an interval from.
      const pm = (ci: number, d: number) => (episodes === 1 ? '' : ` ± ${ci.toFixed(d)}`);
      const n = episodes === 1 ? ' (n = 1, no interval)' : '';
      io.out(`${episodes} episode${episodes === 1 ? '' : 's'}: return ${r.returnMean.toFixed(1)}${pm(r.returnCI95, 1)}, forward distance ${r.distanceMean.toFixed(2)}${pm(r.distanceCI95, 2)} m${n}, mean speed ${r.speedMean.toFixed(2)} m/s, steps ${r.steps.join(' ')}`);
      io.out(`joint limits: worst violation ${r.limitWorst.toFixed(2)}°, ${(100 * r.limitPast5Fraction).toFixed(3)}% of joint-steps more than 5° past a limit`);
      const note = removed === 'removed' ? ', plasticity removed (alpha = 0)' : removed === 'already-zero' ? ', every alpha already 0 (nothing removed: the network as trained)' : '';
      io.out(`policy: ${positionals[0]!}, ${p.source}${note}`);
    }
    return 0;
  },
};
