/**
 * `propamine stress`: a trained policy on a suite of conditions (nominal and held-out),
 * with a table of returns, distances, 95% intervals and degradation; JSON and Markdown
 * reports and one replay per condition for the viewer.
 */
import { parseArgs } from 'node:util';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, basename, dirname, resolve } from 'node:path';
import { loadRapier } from '../../envs/rapier.ts';
import { recordEpisode } from '../../workers/record.ts';
import { describePolicy } from '../../policies/index.ts';
import { atomicWriteFile, atomicWriteJson } from '../fsutil.ts';
import { writeReplay } from '../replays.ts';
import { runStress, stressMarkdown, stressSeeds, withNominal } from '../stress.ts';
import { compareStress, comparisonMarkdown, readStressReport } from '../stress-compare.ts';
import { CliError, type Command } from './command.ts';
import { loadPolicy } from '../policy-source.ts';
import { simOf } from '../train/policy-file.ts';
import { withoutPlasticityArg } from './no-plasticity-arg.ts';
import { simWorld } from '../../envs/sim-settings.ts';
import { loadSuite } from '../suites.ts';
import { num } from './flags.ts';
import { poolForWorkers } from './workers-arg.ts';

const HELP = `Usage: propamine stress <run directory | policy file> [options]
       propamine stress --compare <run directory | report.json> <...> [--suite NAME|FILE]

Evaluates a trained policy on every condition of a suite (nominal first) on the same
episode seeds, prints return and forward distance with 95% confidence intervals and the
degradation relative to nominal, writes stress/<suite>.json and .md, and records one
replay per condition (watch them side by side with propamine view).

Options:
  --suite NAME|FILE   built-in suite (heldout, heldout-onset, tiny, train, train-damage, nominal)
                      or a suite file (default heldout)
  --episodes N        episodes per condition (default 5)
  --seed N            episode seeds derive from it (default 777)
  --max-steps N       control steps per episode (default 1000)
  --workers N         worker threads (default 2; at most one per core and per condition)
  --out DIR           report folder (default <run>/stress)
  --no-replays        do not record replays
  --checkpoint        use the latest checkpoint's center instead of best.json
  --no-plasticity     a plastic SNN with every alpha set to 0 (W_eff = W) from the first step,
                      on the same episodes: beside the report as trained (--compare), what
                      the network's plasticity adds over whole episodes, where the adaptation
                      index measures what it adds after the onset; the report goes to
                      <run>/stress-no-plasticity unless --out says otherwise, its replays are
                      labelled "stress <suite> (no plasticity)"
  --compare           run nothing: print the stress reports of two or more policies side by
                      side (a run directory's stress/<suite>.json, or a report file), per
                      condition with the farthest in bold and the difference from the first
                      policy on the same episodes (a paired 95% interval), then each policy's
                      mean over the held-out conditions, the conditions it is farthest on,
                      those it is ahead of or behind the first on, its adaptation indices
                      above and below 0, its speed recoveries and speed changes, and the
                      episodes whose gait collapses after the onset (a plastic policy's
                      against the same episodes frozen at the onset), and those whose gait
                      stops (a third of 1 m or less) and of those walk again (a later third
                      of 5 m or more); the reports must share
                      the suite, episodes, seed and step limit
  -h, --help          this help

A suite file: {"name": "mine", "conditions": [{"name": "heavy", "massScale": [{"target": "front_left", "factor": 2}]}, ...]}
Condition fields: massScale, legLength, jointDamage, friction, gravity, actuatorNoise, sensorNoise,
and onset: the control step from which the condition applies (or a range [first, last] drawn
per episode), for damage that strikes mid-episode. With an onset the report adds the distance
covered after it (against nominal's over the same steps when nominal has the same onset), per
third of the remaining steps, the speed recovery (last third / first third) and the speed
change (last third − first third per episode, ± 95% CI). For a plastic
policy every condition with an onset also runs with plasticity frozen at the onset, and the
report gives the adaptation index: (distance after the onset as trained − frozen) on the
condition minus the same on nominal with the same onset, per episode, with its 95% interval
(above 0: the network's plasticity after the damage helps it more than on the intact body).`;

export const stressCommand: Command = {
  name: 'stress',
  summary: 'stress-test a trained policy on held-out conditions (table, JSON, Markdown, replays)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { suite: { type: 'string' }, episodes: { type: 'string' }, seed: { type: 'string' }, 'max-steps': { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' }, 'no-replays': { type: 'boolean' }, checkpoint: { type: 'boolean' }, 'no-plasticity': { type: 'boolean' }, compare: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    if (values.compare) {
      const running = ['episodes', 'seed', 'max-steps', 'workers', 'out', 'no-replays', 'checkpoint', 'no-plasticity'].filter((k) => values[k as keyof typeof values] !== undefined);
      if (running.length) throw new CliError(`--compare reads reports already written and runs nothing: --${running[0]} is for running a stress test`);
      if (positionals.length < 2) throw new CliError('--compare needs two or more run directories or stress report files');
      const suiteName = loadSuite(values.suite ?? 'heldout').name;
      const files = positionals.map((x) => {
        if (!(existsSync(x) && statSync(x).isDirectory())) return x;
        const dir = join(x, 'stress');
        const file = join(dir, `${suiteName}.json`);
        if (existsSync(file)) return file;
        const has = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
        throw new CliError(`stress report not found: ${file} (${has.length ? `${x} has stress reports for --suite ${has.join(', ')}` : `run propamine stress ${x} --suite ${suiteName} first`})`);
      });
      const reports = files.map((file) => ({ file, report: readStressReport(file) }));
      // Labels: the policy's name; where names repeat, the report's folder and its parent
      // (e.g. run/stress2400); where those repeat too, the path given.
      const unique = (xs: string[]) => xs.map((x, i) => xs.indexOf(x) === i && xs.lastIndexOf(x) === i);
      const names = reports.map((r) => r.report.policy);
      const folders = reports.map((r) => join(basename(dirname(dirname(resolve(r.file)))), basename(dirname(resolve(r.file)))));
      const [nameOk, folderOk] = [unique(names), unique(folders)];
      const labelled = reports.map((r, i) => ({ ...r, label: nameOk[i] ? names[i]! : folderOk[i] ? folders[i]! : positionals[i]! }));
      io.out(comparisonMarkdown(compareStress(labelled)));
      return 0;
    }
    if (positionals.length !== 1) throw new CliError('stress needs exactly one run directory or policy file (see propamine stress --help)');
    const suite = loadSuite(values.suite ?? 'heldout');
    const opts = { episodes: num(values.episodes, 'episodes') ?? 5, seed: num(values.seed, 'seed') ?? 777, maxSteps: num(values['max-steps'], 'max-steps') ?? 1000 };
    if (!Number.isInteger(opts.episodes) || opts.episodes < 1) throw new CliError('--episodes must be a whole number >= 1');
    const noPlasticity = values['no-plasticity'] ?? false;
    const loaded = loadPolicy(positionals[0]!, { checkpoint: values.checkpoint ?? false });
    const p = noPlasticity ? { ...withoutPlasticityArg(loaded, positionals[0]!), source: `${loaded.source}, every alpha at 0` } : loaded;
    const out = values.out ?? (p.runDir ? join(p.runDir, noPlasticity ? 'stress-no-plasticity' : 'stress') : null);
    if (!out) throw new CliError('--out is required when stressing a policy file');
    const name = `${p.runDir ? basename(p.runDir) : positionals[0]!}${noPlasticity ? ' (no plasticity)' : ''}`;
    const pool = poolForWorkers(values.workers, withNominal(suite).length, io);
    let report;
    try {
      report = await runStress(p, name, suite, opts, pool, p.source);
    } finally {
      await pool.close();
    }
    const md = stressMarkdown(report);
    atomicWriteJson(join(out, `${suite.name}.json`), report, true);
    atomicWriteFile(join(out, `${suite.name}.md`), md);
    io.out(md);
    io.out(`reports: ${join(out, `${suite.name}.json`)}, ${join(out, `${suite.name}.md`)}`);
    if (!values['no-replays'] && p.runDir) {
      const R = await loadRapier();
      const seed = stressSeeds(opts)[0]!;
      withNominal(suite).forEach((c, i) => {
        const replay = recordEpisode(R, {
          policy: p.policy, params: p.params, normalizer: p.normalizer, episode: { seed, condition: c }, world: { maxSteps: opts.maxSteps, ...simWorld(simOf(p)) },
          meta: { label: `stress ${suite.name}${noPlasticity ? ' (no plasticity)' : ''}: ${c.name ?? i}`, policy: describePolicy(p.policy), ...(p.meta.generation !== undefined ? { generation: p.meta.generation } : {}) },
        });
        writeReplay(join(p.runDir!, 'replays'), `stress-${suite.name}${noPlasticity ? '-no-plasticity' : ''}-${String(i).padStart(2, '0')}`, replay);
      });
      io.out(`replays: ${join(p.runDir, 'replays')} (propamine view ${p.runDir})`);
    }
    return 0;
  },
};
