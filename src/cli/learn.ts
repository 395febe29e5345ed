/**
 * `propamine learn`: trains a plastic SNN on a temporal task by backpropagation through time
 * (src/learn), resumes a run, scores a trained genome (--eval) or plots a run (--plot).
 */
import { parseArgs } from 'node:util';
import { readJsonFile } from '../fsutil.ts';
import { DEFAULT_LEARN, learnConfigDoc, resolveLearnConfig, type LearnConfig } from '../learn/config.ts';
import { MODULATION_NAMES, RULE_NAMES } from '../../policies/index.ts';
import { describeScore, loadTrainedGenome, scoreGenome } from '../learn/evaluate.ts';
import { writeLearnPlot } from '../learn/plot.ts';
import { taskNames } from '../../envs/tasks/index.ts';
import { CliError, type Command } from './command.ts';
import { learnSession } from '../learn/session.ts';
import { fieldFlag, fieldsFromFlags, num, optionsHelp, parseOptions, policyFromFlags, type FieldFlag, type Flag } from './flags.ts';

/** A flag that sets a config field: its description comes from the config's schema. */
const field = fieldFlag(learnConfigDoc);
const D = DEFAULT_LEARN;

const FLAGS = [
  { name: 'task', arg: 'NAME', help: `${taskNames().join(', ')} (default ${D.task.name})` },
  { name: 'rule', arg: 'RULE', help: `plasticity rule: ${RULE_NAMES.filter((r) => r !== 'none' && r !== 'abcd').join(', ')}, none (the static SNN; default ${D.policy.rule}); abcd is for train only (no differentiable form)` },
  { name: 'modulation', arg: 'MODE', help: `${MODULATION_NAMES.join(', ')} (default ${D.policy.modulation})` },
  { name: 'hidden', arg: 'N', help: `hidden neurons (one recurrent layer; default ${D.policy.hidden.join(',')})` },
  field('iterations', 'N', 'iterations', `(default ${D.iterations})`),
  field('batch', 'N', 'batch', `(default ${D.batch})`),
  field('lr', 'X', 'lr', `(default ${D.lr}; cosine decay to ${D.lrFinal * 100}%)`),
  { name: 'noise', arg: 'X', help: 'input noise: a bit-flip probability (0.1), or gauss:SD (gauss:0.5)' },
  field('seed', 'N', 'seed', `(default ${D.seed})`),
  field('name', 'NAME', 'name', '(default learn-<task>-<rule>-<modulation>-s<seed>)'),
  field('out', 'DIR', 'outDir', `(default ${D.outDir})`),
  { name: 'config', arg: 'FILE', help: "a JSON config file (fields as in a run's config.json)" },
  field('engine', 'NAME', 'engine', `(default ${D.engine})`),
  { name: 'resume', arg: 'DIR', help: 'continue the run in DIR from its last checkpoint' },
  { name: 'eval', arg: 'PATH', help: "score a run's best.json (or a policy file) on the held-out set and on --sequences fresh test sequences (default 1024)" },
  { name: 'sequences', arg: 'N', help: 'fresh test sequences of --eval (default 1024)' },
  { name: 'plot', arg: 'DIR', help: 'write DIR/learn.html: the learning curve, and for one held-out sequence the spikes, the modulator M and mean |H| over time' },
  { name: 'quiet', help: 'print only the held-out evaluations' },
  { name: 'help', short: 'h', help: 'this help' },
] as const satisfies readonly Flag[];

/** The flags that set a top-level config field. */
const FIELD_FLAGS: readonly FieldFlag[] = [
  ['name', 'name', 'string'], ['out', 'outDir', 'string'], ['seed', 'seed', 'number'], ['iterations', 'iterations', 'number'],
  ['batch', 'batch', 'number'], ['lr', 'lr', 'number'], ['engine', 'engine', 'string'],
];

const HELP = `Usage: propamine learn --task NAME [options]
       propamine learn --resume DIR [--iterations N]
       propamine learn --eval DIR|FILE [--sequences N] [--noise X]
       propamine learn --plot DIR [--out FILE]

Trains a plastic spiking network (the policy's model and genome layout: the result loads
into SnnPolicy) on a temporal task by backpropagation through time with a surrogate spike
gradient, and writes a run directory (config.json, metrics.jsonl, checkpoints/, best.json).

Options:
${optionsHelp(FLAGS)}

Examples:
  propamine learn --task cue-reward
  propamine learn --task cue-reward --rule none --name static-s1
  propamine learn --task pair-recall --noise 0.1 --rule oja --modulation retroactive
  propamine learn --eval runs/learn-cue-reward-hebb-simple-s1 --noise 0.2`;

const OPTIONS = parseOptions(FLAGS);

/** `0.1` (bit flips), `flip:0.1` or `gauss:0.5` -> the task's noise fields. */
export function parseNoise(v: string): { noise: number; noiseKind: 'flip' | 'gauss' } {
  const m = /^(?:(flip|gauss):)?(.+)$/.exec(v.trim());
  const level = m ? Number(m[2]) : NaN;
  if (!m || !Number.isFinite(level) || m[2]!.trim() === '') throw new CliError(`--noise must be a number (a flip probability) or gauss:SD (got "${v}")`);
  return { noise: level, noiseKind: (m[1] ?? 'flip') as 'flip' | 'gauss' };
}

function flagsToLearnConfig(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const o = fieldsFromFlags(v, FIELD_FLAGS, {});
  const task: Record<string, unknown> = {};
  if (v.task !== undefined) task.name = v.task;
  if (v.noise !== undefined) Object.assign(task, parseNoise(v.noise as string));
  if (Object.keys(task).length) o.task = task;
  const policy = policyFromFlags(v);
  if (Object.keys(policy).length) o.policy = policy;
  return o;
}

export const learnCommand: Command = {
  name: 'learn',
  summary: 'train a plastic SNN on a temporal task by gradient descent (BPTT); --eval, --plot',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const modes = ['resume', 'eval', 'plot'].filter((k) => values[k as 'resume'] !== undefined);
    if (modes.length > 1) throw new CliError(`--${modes.join(' and --')} cannot be combined`);
    if (values.plot !== undefined) {
      const out = writeLearnPlot(values.plot, values.out);
      io.out(`wrote ${out}`);
      return 0;
    }
    if (values.eval !== undefined) {
      const g = loadTrainedGenome(values.eval);
      const task = values.noise !== undefined ? { ...g.task, ...parseNoise(values.noise) } : g.task;
      const sequences = num(values.sequences, 'sequences') ?? 1024;
      if (!Number.isInteger(sequences) || sequences < 1) throw new CliError(`--sequences must be a whole number >= 1 (got ${values.sequences})`);
      io.out(`${g.source}: ${task.name}${task.noise > 0 ? ` with ${task.noiseKind} noise ${task.noise}` : ''}`);
      io.out(describeScore(scoreGenome(g, sequences, task)));
      return 0;
    }
    if (values.resume !== undefined) {
      const other = Object.keys(flagsToLearnConfig(values)).filter((k) => k !== 'iterations');
      if (other.length || values.config) throw new CliError(`--resume keeps the run's config; only --iterations may change (got ${values.config ? '--config' : `a change of ${other[0]}`})`);
      const iterations = num(values.iterations, 'iterations');
      if (iterations !== undefined && (!Number.isInteger(iterations) || iterations < 1)) throw new CliError(`--iterations must be a whole number >= 1 (got ${values.iterations})`);
      await learnSession({ resume: values.resume, ...(iterations !== undefined ? { iterations } : {}), quiet: values.quiet ?? false, handleInterrupt: true, log: io.out });
      return 0;
    }
    const { digest: _digest, ...file } = values.config ? (readJsonFile(values.config, 'config file') as Record<string, unknown>) : {};
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new CliError(`${values.config} must hold a JSON object`);
    let config: LearnConfig;
    try {
      config = resolveLearnConfig({ kind: 'learn', ...file }, flagsToLearnConfig(values));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    await learnSession({ config, quiet: values.quiet ?? false, handleInterrupt: true, log: io.out });
    return 0;
  },
};
