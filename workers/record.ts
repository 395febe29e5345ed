/**
 * Runs one episode of a policy and records it as a replay (see envs/replay.ts), with the
 * network's internals for a spiking policy (workers/internals.ts).
 */
import type { Rapier } from '../envs/rapier.ts';
import { AntWorld, type AntWorldConfig } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { ReplayRecorder } from '../envs/replay-recorder.ts';
import type { Replay } from '../envs/replay.ts';
import { createPolicy, type PolicyConfig } from '../policies/index.ts';
import { InternalsRecorder } from './internals.ts';
import { normalizeObs } from './rollout.ts';
import type { Normalization, TaskEpisode } from './types.ts';

export interface RecordOptions {
  policy: PolicyConfig;
  params: Float64Array | Float32Array;
  normalizer: Normalization | null;
  episode: TaskEpisode;
  world?: Partial<AntWorldConfig>;
  meta?: Omit<Replay['meta'], 'episodeSeed'>;
}

export function recordEpisode(R: Rapier, o: RecordOptions): Replay {
  const policy = createPolicy(o.policy, OBS_SIZE, ACT_SIZE);
  policy.setParams(o.params);
  policy.reset(o.episode.seed);
  const internals = InternalsRecorder.attach(policy);
  internals?.start();
  const world = new AntWorld(R, o.world ?? {});
  try {
    const obs = world.reset([o.episode]);
    const rec = new ReplayRecorder(world.ants[0]!, world.controlDt, { ...o.meta, episodeSeed: o.episode.seed });
    rec.frame();
    const norm = new Float64Array(OBS_SIZE);
    while (!world.done[0]) {
      normalizeObs(obs, o.normalizer, norm);
      const a = Float64Array.from(policy.act(norm));
      internals?.frame();
      world.step(a);
      policy.observeReward?.(world.rewards[0]!);
      rec.frame(a, world.terms[0]);
    }
    const replay = rec.finish({ distance: world.ants[0]!.distance(), terminated: world.terminated[0] === 1 });
    if (internals) replay.internals = internals.finish();
    return replay;
  } finally {
    world.close();
  }
}
