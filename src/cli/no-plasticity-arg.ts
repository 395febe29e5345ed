/**
 * A `--no-plasticity` argument of eval and stress: the loaded policy with every alpha at 0
 * (W_eff = W), or a one-line error naming the policy when it has no plasticity to remove.
 */
import { policyLayout, withoutPlasticity } from '../../policies/index.ts';
import type { LoadedPolicy } from '../policy-source.ts';
import { ANT_IO } from '../train/policy-file.ts';
import { CliError } from './command.ts';

export function withoutPlasticityArg(loaded: LoadedPolicy, path: string): LoadedPolicy {
  try {
    return { ...loaded, params: withoutPlasticity(policyLayout(loaded.policy, ANT_IO.obsSize, ANT_IO.actSize), loaded.params) };
  } catch (e) {
    throw new CliError(`--no-plasticity: ${path}: ${(e as Error).message}`);
  }
}
