/**
 * Writes a small but real run directory (config, metrics, replays of an open-loop gait on
 * nominal and damaged bodies) for viewer and CLI tests: `node --import tsx test/helpers/make-run.ts DIR`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRapier } from '../../envs/rapier.ts';
import { AntWorld } from '../../envs/ant-world.ts';
import { ReplayRecorder } from '../../envs/replay-recorder.ts';
import { getBuiltinSuite } from '../../envs/suites.ts';
import { writeReplay } from '../../src/replays.ts';
import type { Condition } from '../../envs/conditions.ts';

/** `extra` conditions are recorded after the tiny suite's, as gen0011-3, gen0011-4, ... */
export async function makeRun(dir: string, steps = 120, extra: Condition[] = []): Promise<void> {
  const R = await loadRapier();
  mkdirSync(join(dir, 'replays'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ name: 'fixture', seed: 1 }, null, 2));
  const metrics = Array.from({ length: 12 }, (_, g) => JSON.stringify({
    generation: g, returnMean: 200 + 40 * g, returnMax: 260 + 50 * g, returnMin: 100 + 20 * g, returnStd: 30,
    testReturn: g % 3 === 0 ? 250 + 45 * g : null, testDistance: g % 3 === 0 ? 0.2 * g : null, steps: 64000, totalSteps: 64000 * (g + 1), wallTime: 10 * (g + 1), stepsPerSec: 6400,
  }));
  writeFileSync(join(dir, 'metrics.jsonl'), metrics.join('\n') + '\n');
  const suite = getBuiltinSuite('tiny');
  const conds: Condition[] = [...suite.conditions, ...extra];
  for (const [i, c] of conds.entries()) {
    const world = new AntWorld(R, { maxSteps: steps });
    world.reset([{ seed: 7, condition: c }]);
    const rec = new ReplayRecorder(world.ants[0]!, world.controlDt, { episodeSeed: 7, label: c.name ?? `c${i}`, generation: 11 });
    rec.frame();
    const a = new Float64Array(8);
    for (let t = 0; t < steps; t++) {
      // An open-loop trot so the replay shows legs moving.
      for (let k = 0; k < 8; k++) a[k] = Math.sin(t * 0.6 + (k % 2 ? Math.PI / 2 : 0) + (k >> 1) * Math.PI);
      world.step(a);
      rec.frame(a, world.terms[0]);
      if (world.done[0]) break;
    }
    writeReplay(join(dir, 'replays'), `gen0011-${i}`, rec.finish({ distance: world.ants[0]!.distance(), terminated: world.terminated[0] === 1 }));
    world.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  await makeRun(process.argv[2] ?? '.tmp/fixture-run');
}
