/**
 * `propamine train`: builds the config (preset <- --config file <- flags; a run's config.json
 * instead of a preset, read as that run trained) and hands it to a
 * training run (src/train/run.ts), with Ctrl-C handled: the first finishes the current
 * generation, writes a checkpoint and exits; `--resume runs/x` continues.
 */
import { parseArgs } from 'node:util';
import { readJsonFile } from '../fsutil.ts';
import { resolveSavedRunConfig, resolveTrainConfig, type PresetName, type TrainConfig } from '../train/config.ts';
import { TrainingRun, type BackendChoice, type TrainOptions } from '../train/run.ts';
import { DEFAULT_REDIS_URL } from '../../workers/redis.ts';
import { loadInitialPolicy } from '../train/init-from.ts';
import { CliError, type Command } from './command.ts';
import { fieldFlag, fieldsFromFlags, num, optionsHelp, parseOptions, policyFromFlags, type FieldFlag, type Flag } from './flags.ts';
import { trainConfigDoc } from '../train/config-schema.ts';
import { strategyNames } from '../es/index.ts';
import { MOD_INPUT_NAMES, MODULATION_NAMES, RULE_NAMES, RULE_SHARINGS, SYNAPSE_ARITHMETICS, WEIGHTS_NAMES } from '../../policies/index.ts';
import { onInterrupt } from '../interrupt.ts';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const quick = resolveTrainConfig('quick');
const long = resolveTrainConfig('long');
const full = resolveTrainConfig('full');
/** A flag that sets a config field: its description comes from the config's schema. */
const field = fieldFlag(trainConfigDoc);

const FLAGS = [
  { name: 'preset', arg: 'NAME', help: 'quick (default: visibly learns in minutes on 2 cores), long (1600 generations on 300-step episodes, then 190 on 1000-step ones: within an hour on 2 cores) or full (1000-step episodes, a larger network; hours)' },
  { name: 'config', arg: 'FILE', help: "a JSON config file (fields as in a run's config.json); a run's config.json (one in a run directory, or any file with its digest) is read as that run trained, a field it lacks meaning what runs did before the field existed, and takes no --preset" },
  { name: 'resume', arg: 'DIR|FILE', help: 'continue the run in DIR from its last checkpoint, or from a checkpoint file in DIR/checkpoints/ (previous.json, when latest.json was refused as damaged)' },
  field('name', 'NAME', 'name', '(default: <preset>-<policy>-s<seed>)'),
  field('out', 'DIR', 'outDir', `(default ${quick.outDir})`),
  field('seed', 'N', 'seed', `(default ${quick.seed})`),
  field('generations', 'N', 'generations', `(quick: ${quick.generations}, long: ${long.generations}, full: ${full.generations})`),
  field('workers', 'N', 'workers', `(default ${quick.workers})`),
  { name: 'backend', arg: 'NAME', help: 'local (default: worker threads here) or redis (propamine worker processes on any machines; results are identical)' },
  { name: 'redis', arg: 'URL', help: 'Redis address for --backend redis (default $PROPAMINE_REDIS or redis://127.0.0.1:6379; password: redis://:PASSWORD@host:port)' },
  { name: 'redis-wait', arg: 'SECONDS', help: 'fail a generation when no worker is alive this long (default 120)' },
  { name: 'policy', arg: 'KIND', help: 'snn (plastic), static-snn or mlp' },
  { name: 'rule', arg: 'RULE', help: `plasticity rule: ${RULE_NAMES.filter((r) => r !== 'none').join(', ')}, none (default ${(quick.policy as { rule: string }).rule})` },
  { name: 'rule-sharing', arg: 'HOW', help: `how the abcd rule's coefficients are shared: ${RULE_SHARINGS.join(', ')} (a set per synapse, per postsynaptic neuron, or per weight matrix; default post)` },
  { name: 'weights', arg: 'KIND', help: `the hidden layers' fixed weights: ${WEIGHTS_NAMES.join(', ')} (drawn from each episode's seed and left out of the genome; needs a plasticity rule; default evolved)` },
  { name: 'modulation', arg: 'MODE', help: `neuromodulation: ${MODULATION_NAMES.join(', ')} (default ${(quick.policy as { modulation: string }).modulation})` },
  { name: 'mod-inputs', arg: 'LIST', help: `what the modulator reads besides the network, comma-separated: ${MOD_INPUT_NAMES.join(', ')} (the previous step's reward, the previous action, the error of an observation predictor learned within the episode; default none)` },
  { name: 'synapses', arg: 'ARITH', help: `the SNN's synapse arithmetic: ${SYNAPSE_ARITHMETICS.join(', ')} (f32: every operation rounded to float32, about twice as fast; f64: float64, rounded once at the store, as every run before f32 became the preset's; default ${(quick.policy as { synapseArithmetic: string }).synapseArithmetic})` },
  { name: 'hidden', arg: 'SIZES', help: `hidden layer sizes, e.g. 64 or 64,64 (quick: ${quick.policy.hidden.join(',')}, full: ${full.policy.hidden.join(',')})` },
  { name: 'strategy', arg: 'NAME', help: `${strategyNames.join(', ')} (default ${quick.strategy.name})` },
  { name: 'pop', arg: 'N', help: `population size per generation (quick: ${String(quick.strategy.popSize)}, long: ${String(long.strategy.popSize)}, full: ${String(full.strategy.popSize)})` },
  { name: 'sigma', arg: 'X', help: `sampling noise scale (quick: ${String(quick.strategy.sigma)})` },
  { name: 'lr', arg: 'X', help: `learning rate (quick: ${String(quick.strategy.lr)})` },
  field('episodes', 'N', 'episodesPerMember', `(default ${quick.episodesPerMember})`),
  field('max-steps', 'N', 'maxSteps', `(quick: ${quick.maxSteps}, long: ${long.maxSteps} then ${String(long.stages[0]?.maxSteps)} from generation ${String(long.stages[0]?.from)}, full: ${full.maxSteps}; a config file's stages change it from a generation on)`),
  field('conditions', 'SUITE', 'conditions', `(train, train-damage, nominal, ...; default ${quick.conditions})`),
  field('fitness', 'KIND', 'fitness', `(default ${quick.fitness}; the onset-* kinds with a suite whose damage has an onset, e.g. --conditions train-damage)`),
  field('plastic-from', 'N', 'plasticFrom', `(default ${quick.plasticFrom}: plastic from the start)`),
  { name: 'starts', arg: 'KxG', help: 'several starts: the first K × G generations are K searches of G generations from different random networks, and the one whose center tests best continues (e.g. 4x20; config.starts; default one start)' },
  { name: 'init-from', arg: 'PATH', help: "start from a trained policy (a run directory's best center and its observation statistics, RUN/checkpoints/latest.json for its latest center, or a policy file) instead of random parameters; the policy flags default to the source's, and may grow it: a static SNN gains plasticity with --rule (alpha starts at 0, so it starts acting exactly as the source), any SNN modulator inputs with --mod-inputs; a config file's policy may retime its plasticity or change its genome scales (the genome is rescaled to decode to the same parameters). The start is kept as init.json in the new run (--init-from it to reproduce the run)" },
  { name: 'quiet', help: 'no per-generation lines' },
  { name: 'help', short: 'h', help: 'this help' },
] as const satisfies readonly Flag[];

/** The flags that set a top-level config field. */
const FIELD_FLAGS: readonly FieldFlag[] = [
  ['name', 'name', 'string'], ['out', 'outDir', 'string'], ['seed', 'seed', 'number'], ['generations', 'generations', 'number'],
  ['workers', 'workers', 'number'], ['episodes', 'episodesPerMember', 'number'], ['max-steps', 'maxSteps', 'number'],
  ['conditions', 'conditions', 'string'], ['fitness', 'fitness', 'string'], ['plastic-from', 'plasticFrom', 'number'], ['init-from', 'init', 'string'],
];

const HELP = `Usage: propamine train [options]

Trains a controller for the Rapier ant with evolution strategies and writes a run
directory (config.json, metrics.jsonl, checkpoints/, best.json, replays/).

Options:
${optionsHelp(FLAGS)}

Examples:
  propamine train --preset quick
  propamine train --policy mlp --generations 100 --name mlp-a
  propamine train --rule abcd --rule-sharing synapse --weights random-per-episode --name random-abcd
  propamine train --resume runs/quick-snn-s1 --generations 120
  propamine train --init-from runs/quick-snn-s1 --conditions train-damage --name snn-damage
  propamine train --backend redis --redis redis://10.0.0.5:6379   # then: propamine worker --redis ...`;

const OPTIONS = parseOptions(FLAGS);

export function backendFromFlags(v: { backend?: string; redis?: string; 'redis-wait'?: string }): BackendChoice {
  const kind = v.backend ?? (v.redis !== undefined ? 'redis' : 'local');
  if (kind === 'local') {
    if (v.redis !== undefined || v['redis-wait'] !== undefined) throw new CliError('--redis and --redis-wait apply to --backend redis');
    return { kind: 'local' };
  }
  if (kind !== 'redis') throw new CliError(`--backend must be local or redis (got "${kind}")`);
  const wait = num(v['redis-wait'], 'redis-wait');
  if (wait !== undefined && !(wait > 0)) throw new CliError(`--redis-wait must be a number of seconds > 0 (got ${v['redis-wait']})`);
  return { kind: 'redis', url: v.redis ?? process.env.PROPAMINE_REDIS ?? DEFAULT_REDIS_URL, ...(wait !== undefined ? { noWorkerTimeoutMs: wait * 1000 } : {}) };
}


/** Flags -> a partial config (only what was given). */
export function flagsToConfig(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const o = fieldsFromFlags(v, FIELD_FLAGS, {});
  const policy: Record<string, unknown> = {};
  const kind = v.policy as string | undefined;
  if (kind !== undefined) {
    if (kind === 'snn') policy.type = 'snn';
    else if (kind === 'static-snn') Object.assign(policy, { type: 'snn', rule: 'none' });
    else if (kind === 'mlp') policy.type = 'mlp';
    else throw new CliError(`--policy must be one of snn, static-snn, mlp (got "${kind}")`);
  }
  Object.assign(policy, policyFromFlags(v));
  if (typeof v['mod-inputs'] === 'string') policy.modInputs = v['mod-inputs'].split(',').filter((x) => x !== '');
  if (typeof v['rule-sharing'] === 'string') policy.ruleSharing = v['rule-sharing'];
  if (typeof v.weights === 'string') policy.weights = v.weights;
  if (typeof v.synapses === 'string') policy.synapseArithmetic = v.synapses;
  if (policy.type === 'mlp' && ['rule', 'modulation', 'modInputs', 'ruleSharing', 'weights', 'synapseArithmetic'].some((k) => policy[k] !== undefined)) {
    throw new CliError('--rule, --modulation, --mod-inputs, --rule-sharing, --weights and --synapses apply to --policy snn and static-snn only');
  }
  if (Object.keys(policy).length) o.policy = policy;
  if (typeof v.starts === 'string') {
    const m = /^(\d+)x(\d+)$/.exec(v.starts);
    if (!m) throw new CliError(`--starts must be COUNTxGENERATIONS, e.g. 4x20 (got "${v.starts}")`);
    o.starts = { count: Number(m[1]), generations: Number(m[2]) };
  }
  const strategy = fieldsFromFlags(v, [['strategy', 'name', 'string'], ['pop', 'popSize', 'number'], ['sigma', 'sigma', 'number'], ['lr', 'lr', 'number']], {});
  if (Object.keys(strategy).length) o.strategy = strategy;
  return o;
}

/** Trains with Ctrl-C handled: the first stops after the generation, a second quits at once. */
async function trainInterruptibly(opts: TrainOptions & { log: (line: string) => void }): Promise<void> {
  const log = opts.log;
  const run = await TrainingRun.open({ ...opts, log });
  const offInterrupt = onInterrupt(run, 'generation', log, () => run.abandon());
  try {
    await run.train();
  } finally {
    offInterrupt();
  }
}

/** Whether `path` is a run directory's config.json (beside its metrics or checkpoints). */
function isRunConfig(path: string): boolean {
  const dir = dirname(path);
  return basename(path) === 'config.json' && (existsSync(join(dir, 'metrics.jsonl')) || existsSync(join(dir, 'checkpoints')));
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a controller with evolution strategies (new run or --resume)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const overrides = flagsToConfig(values);
    const backend = backendFromFlags(values);
    if (values.resume) {
      if (values.config || values.preset) throw new CliError('--resume continues a run with its saved config; drop --config and --preset');
      await trainInterruptibly({ resume: values.resume, overrides, quiet: values.quiet ?? false, backend, log: io.out });
      return 0;
    }
    const raw = values.config ? readJsonFile(values.config, 'config file') : {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError(`${values.config} must hold a JSON object`);
    // A run's config.json works as a config file, read as that run was trained (resolveSavedRunConfig); its digest belongs to that run's file.
    const savedRun = values.config !== undefined && (isRunConfig(values.config) || Object.hasOwn(raw, 'digest'));
    if (savedRun && values.preset) throw new CliError(`${values.config} is a run's config.json, complete by itself; drop --preset`);
    const { digest: _digest, ...file } = raw as Record<string, unknown>;
    // Fine-tuning trains the source's policy, with the policy flags applied on top of it, unless the config file names one.
    const initPath = overrides.init ?? file.init;
    if (typeof initPath === 'string' && file.policy === undefined) {
      try {
        overrides.policy = { ...loadInitialPolicy(initPath, 5).policy, ...(overrides.policy as Record<string, unknown> | undefined) };
      } catch (e) {
        throw new CliError(`--init-from (config.init): ${(e as Error).message}`);
      }
    }
    let config: TrainConfig;
    try {
      config = savedRun ? resolveSavedRunConfig(file, overrides) : resolveTrainConfig((values.preset ?? 'quick') as PresetName, file, overrides);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    await trainInterruptibly({ config, quiet: values.quiet ?? false, backend, log: io.out });
    return 0;
  },
};

