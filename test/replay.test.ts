/**
 * The replay format's fields for conditions that strike mid-episode: what the recorder
 * writes, and what the reader rejects (one message naming the field); the digest a replay
 * file carries, and the SHA-256 behind it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ReplayRecorder } from '../envs/replay-recorder.ts';
import { parseReplay } from '../envs/replay.ts';
import { validateCondition, type Condition } from '../envs/conditions.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDigest, sha256Hex, withDigest } from '../envs/digest.ts';
import { writeReplay } from '../src/replays.ts';

const R = await loadRapier();

function record(condition: Condition, steps = 12) {
  const world = new AntWorld(R, { maxSteps: steps });
  world.reset([{ seed: 3, condition: validateCondition(condition) }]);
  const rec = new ReplayRecorder(world.ants[0]!, world.controlDt, { episodeSeed: 3 });
  rec.frame();
  const a = new Float64Array(8);
  while (!world.done[0]) {
    world.step(a);
    rec.frame(a, world.terms[0]);
  }
  const replay = rec.finish({ distance: world.ants[0]!.distance(), terminated: world.terminated[0] === 1 });
  world.close();
  return replay;
}

test('a replay of a mid-episode condition carries its onset frame and, for a reshaped shin, the bodies before it', () => {
  const short = record({ legLength: [{ leg: 'front_left', factor: 0.5 }], onset: 4 });
  assert.equal(short.onsetFrame, 5);
  assert.equal(short.bodiesBefore!.length, short.bodies.length);
  const shin = (bodies: typeof short.bodies) => bodies.find((b) => b.name === 'shin_1')!.shapes[0]!.halfLength!;
  assert.ok(Math.abs(shin(short.bodies) / shin(short.bodiesBefore!) - 0.5) < 1e-9);
  const heavy = record({ massScale: [{ target: 'torso', factor: 2 }], onset: 4 });
  assert.equal(heavy.onsetFrame, 5);
  assert.equal(heavy.bodiesBefore, undefined);
  const plain = record({ friction: 0.5 });
  assert.equal(plain.onsetFrame, undefined);
  // Round trip, then what the reader rejects.
  assert.deepEqual(parseReplay(JSON.stringify(short)), JSON.parse(JSON.stringify(short)));
  assert.throws(() => parseReplay(JSON.stringify({ ...short, onsetFrame: -1 }), 'r.json'), /^Error: r\.json: onsetFrame must be a non-negative integer$/);
  assert.throws(() => parseReplay(JSON.stringify({ ...short, onsetFrame: 2.5 }), 'r.json'), /onsetFrame must be a non-negative integer/);
  assert.throws(() => parseReplay(JSON.stringify({ ...short, bodiesBefore: short.bodies.slice(1) }), 'r.json'), /r\.json: bodiesBefore must list 9 bodies like bodies/);
});

test('sha256Hex is SHA-256 of the UTF-8 bytes (checked against node:crypto at the padding boundaries)', () => {
  for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(119), 'é€😀 ×0.6'.repeat(40), JSON.stringify({ x: [0.1, -2e-300, 1.7976931348623157e308] })]) {
    assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'), JSON.stringify(text.slice(0, 20)));
  }
});

test('a replay file carries a digest: a changed number is refused, a file without one (an earlier version) is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propamine-replay-'));
  const path = writeReplay(dir, 'r', record({ friction: 0.5 }, 6));
  const text = readFileSync(path, 'utf8');
  const raw = JSON.parse(text);
  assert.equal(checkDigest(raw), 'ok');
  assert.equal(parseReplay(text, 'r.json').summary.steps, 6);
  // Reformatting keeps the content, so the digest still holds.
  assert.equal(parseReplay(JSON.stringify(raw, null, 2), 'r.json').frames, 7);
  const edited = text.replace(`"return":${raw.summary.return}`, `"return":${raw.summary.return + 1}`);
  assert.notEqual(edited, text);
  assert.throws(() => parseReplay(edited, 'r.json'), /^Error: r\.json: its content does not match its digest \(it was changed after it was written\)$/);
  const { digest: _d, ...old } = raw;
  assert.equal(parseReplay(JSON.stringify(old), 'r.json').frames, 7);
  writeFileSync(path, JSON.stringify(withDigest({ ...old, conditionText: 'renamed' })));
  assert.equal(parseReplay(readFileSync(path, 'utf8'), 'r.json').conditionText, 'renamed');
});
