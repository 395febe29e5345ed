/**
 * The training loss on one sequence, and its gradient with respect to the readout. Outputs
 * are tanh(u) with targets y in {-1, +1}; reading p = (1 + tanh u) / 2 = sigmoid(2u) as the
 * probability of +1 gives the binary cross-entropy
 *
 *   l(u, y) = softplus(-2 y u),   dl/du = -2 y sigmoid(-2 y u)
 *
 * averaged over the scored outputs of the sequence. An output is correct when sign(u) = y
 * (so a tanh output's sign is the network's answer in SnnPolicy too).
 *
 * Firing-rate penalty (optional): with rate_j the mean spikes per SNN step of neuron j over
 * the sequence, R = w / n * sum_j max(0, rate_j - target)^2, dR/ds_t,j = 2 w max(0, rate_j - target) / (n T).
 */
import type { TaskSequence } from '../../envs/tasks/index.ts';

function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

export interface SequenceScore {
  loss: number;
  correct: number;
  scored: number;
}

/**
 * Loss, correct and scored counts of one sequence's outputs `u` ([steps, nOut]); when `gOut`
 * is given, writes dloss/du scaled by `scale` into it.
 */
export function sequenceLoss(seq: TaskSequence, u: Float32Array, nOut: number, gOut: Float64Array | null, scale = 1): SequenceScore {
  const steps = seq.scored.length;
  let count = 0;
  for (let k = 0; k < steps; k++) if (seq.scored[k]) count += nOut;
  if (gOut) gOut.fill(0);
  let loss = 0;
  let correct = 0;
  for (let k = 0; k < steps; k++) {
    if (!seq.scored[k]) continue;
    for (let j = 0; j < nOut; j++) {
      const q = k * nOut + j;
      const y = seq.target[q];
      const z = -2 * y * u[q];
      loss += softplus(z);
      if (u[q] * y > 0) correct++;
      if (gOut) gOut[q] = (scale * (-2 * y)) / (1 + Math.exp(-z)) / count;
    }
  }
  return { loss: loss / count, correct, scored: count };
}

/** The penalty R for per-neuron rates, and (when `grad` is given) dR/ds_t,j scaled by `scale` into it. */
export function ratePenalty(rates: Float64Array, T: number, weight: number, target: number, grad: Float64Array | null, scale = 1): number {
  const n = rates.length;
  let r = 0;
  for (let j = 0; j < n; j++) {
    const over = Math.max(0, rates[j] - target);
    r += over * over;
    if (grad) grad[j] = (scale * 2 * weight * over) / (n * T);
  }
  return (weight * r) / n;
}
