/**
 * The stability protocol (test/ant-stability, bench/joint-limits): episodes of uniformly random
 * full-scale actions, `batch` ants per shared world (their trajectories are the ones they would
 * have alone), episode seeds 0, 1, 2, ..., every action drawn from `rng` on every step.
 */
import type { AntWorld } from './ant-world.ts';
import type { AntSim } from './ant-sim.ts';
import type { Rng } from '../core/rng.ts';
import { ACT_SIZE } from './ant-sim.ts';

/**
 * Runs `episodes` episodes (a multiple of `batch`) in `world`. `visit` sees each ant after
 * each step while its episode runs, and on the step it ends. Returns how many terminated.
 */
export function randomActionEpisodes(world: AntWorld, episodes: number, batch: number, rng: Rng, visit: (ant: AntSim) => void): number {
  let terminated = 0;
  for (let b = 0; b < episodes / batch; b++) {
    world.reset(Array.from({ length: batch }, (_, i) => ({ seed: b * batch + i, condition: {} })));
    const actions = new Float64Array(ACT_SIZE * batch);
    for (;;) {
      for (let i = 0; i < actions.length; i++) actions[i] = rng.range(-1, 1);
      const running = world.step(actions);
      for (let i = 0; i < batch; i++) {
        if (world.done[i] && !world.terminated[i] && !world.truncated[i]) continue;
        visit(world.ants[i]!);
      }
      if (running === 0) break;
    }
    for (let i = 0; i < batch; i++) terminated += world.terminated[i]!;
  }
  return terminated;
}
