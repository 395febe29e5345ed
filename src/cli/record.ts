/**
 * `propamine record`: writes replays of a saved policy into a run's replays/ folder (or
 * another folder), on nominal and any named conditions, for the viewer.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadRapier } from '../../envs/rapier.ts';
import { simWorld } from '../../envs/sim-settings.ts';
import { simOf } from '../train/policy-file.ts';
import { recordEpisode } from '../../workers/record.ts';
import { describePolicy } from '../../policies/index.ts';
import { writeReplay } from '../replays.ts';
import { CliError, type Command } from './command.ts';
import { loadPolicy } from '../policy-source.ts';
import { loadSuite } from '../suites.ts';
import { num } from './flags.ts';

const HELP = `Usage: propamine record <run directory | policy file> [options]

Records episodes of a trained policy as replay files (replays/*.json and replays/index.json)
that propamine view plays back.

Options:
  --suite NAME|FILE   record one episode per condition of a suite (default: nominal)
  --seed N            episode seed (default 12345)
  --max-steps N       control steps (default 1000)
  --out DIR           replay folder (default: <run>/replays)
  --checkpoint        use the latest checkpoint's center instead of best.json
  -h, --help          this help`;

export const recordCommand: Command = {
  name: 'record',
  summary: 'record replays of a saved policy for the viewer',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { suite: { type: 'string' }, seed: { type: 'string' }, 'max-steps': { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError('record needs exactly one run directory or policy file (see propamine record --help)');
    const p = loadPolicy(positionals[0]!, { checkpoint: values.checkpoint ?? false });
    const out = values.out ?? (p.runDir ? join(p.runDir, 'replays') : null);
    if (!out) throw new CliError('--out is required when recording from a policy file');
    const suite = loadSuite(values.suite ?? 'nominal');
    const seed = num(values.seed, 'seed') ?? 12345;
    const maxSteps = num(values['max-steps'], 'max-steps') ?? 1000;
    const R = await loadRapier();
    for (const [i, c] of suite.conditions.entries()) {
      const replay = recordEpisode(R, {
        policy: p.policy, params: p.params, normalizer: p.normalizer, episode: { seed, condition: c }, world: { maxSteps, ...simWorld(simOf(p)) },
        meta: { label: `${c.name ?? `condition ${i}`}`, policy: describePolicy(p.policy), ...(p.meta.generation !== undefined ? { generation: p.meta.generation } : {}) },
      });
      const name = `record-${suite.name}-${String(i).padStart(2, '0')}`;
      const path = writeReplay(out, name, replay);
      io.out(`${path}: ${c.name ?? 'condition'}: return ${replay.summary.return.toFixed(1)}, distance ${replay.summary.distance.toFixed(2)} m, ${replay.summary.steps} steps${replay.summary.terminated ? ' (fell)' : ''}`);
    }
    return 0;
  },
};
