/**
 * The policy contract every controller satisfies: a flat parameter vector in, actions in
 * [-1, 1] out, per-episode state zeroed by `reset()`. The hot path (`act`) allocates nothing.
 */

/** One named slice of the flat parameter vector, so checkpoints can say what each number is. */
export interface ParamSlice {
  /** For example `hidden0.W`, `hidden0.alpha`, `rule.eta`, `readout.W`. */
  name: string;
  offset: number;
  length: number;
  /** Row-major shape of the slice, for example [post, pre]. */
  shape: number[];
}

export interface Policy {
  readonly obsSize: number;
  readonly actSize: number;
  readonly numParams: number;
  /** Loads a genome. Throws, naming the length, when it does not match `numParams`. */
  setParams(params: Float32Array | Float64Array): void;
  /**
   * Zeroes all per-episode state: membranes, traces, plastic H, eligibility E, BCM thresholds.
   * `episodeSeed` is the seed of the episode about to start (the env's reset seed): a policy
   * that draws per-episode parameters from it (the SNN's random weights) needs it; the rest
   * ignore it. Every runner of episodes passes it.
   */
  reset(episodeSeed?: number): void;
  /**
   * One environment step: `obs` is already normalized. Returns a view of the policy's own
   * action buffer (length `actSize`, values in [-1, 1]), valid until the next call.
   */
  act(obs: Float64Array | Float32Array): Float32Array;
  /** The named layout of the parameter vector. */
  layout(): ParamSlice[];
  /** The reward that followed the last action (policies whose modulator reads it; others ignore it). */
  observeReward?(reward: number): void;
}
