/**
 * The library example (examples/train-evaluate-stress.ts) runs as a user would run it and
 * does what it says: trains, evaluates, stress-tests and steps the env by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('the library example trains, evaluates, stress-tests and steps the env', () => {
  const out = mkdtempSync(join(tmpdir(), 'propamine-example-'));
  const script = join(import.meta.dirname, '..', 'examples', 'train-evaluate-stress.ts');
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, out], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^trained .*example: done; mean return by generation 1: [\d.-]+, 2: [\d.-]+, 3: [\d.-]+\n/);
  assert.match(r.stdout, /\nevaluation: nominal return [\d.-]+, friction 0\.3 return [\d.-]+\n/);
  assert.match(r.stdout, /Stress test of example on suite "tiny"/);
  assert.match(r.stdout, /\nby hand: return [\d.-]+ over one 60-step episode\n$/);
  for (const f of ['config.json', 'metrics.jsonl', 'best.json', join('checkpoints', 'latest.json')]) assert.ok(existsSync(join(out, 'example', f)), f);
});
