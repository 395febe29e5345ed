import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { validateCondition, conditionHighlights, type Condition } from '../envs/conditions.ts';
import { DEG, JOINT_NAMES } from '../envs/ant-model.ts';
import { Rng } from '../envs/rng.ts';

const R = await loadRapier();
const HIP_1 = JOINT_NAMES.indexOf('hip_1');
/** Actuator index of hip_1 in ant.xml's order (hip_4, ankle_4, hip_1, ...). */
const ACT_HIP_1 = 2;

function world(condition: Condition, seed = 1, config = {}): AntWorld {
  const w = new AntWorld(R, config);
  w.reset([{ seed, condition: validateCondition(condition) }]);
  return w;
}

function legMass(w: AntWorld, leg: number): number {
  const b = w.ants[0]!.handles.bodies;
  return b[1 + 2 * leg]!.mass() + b[2 + 2 * leg]!.mass();
}

/** Drives only hip_1 at +1 for `steps` control steps without gravity; returns its angle change in degrees. */
function hipSwing(condition: Condition, steps: number): number {
  const w = world({ ...condition, gravity: 0 });
  const q0 = w.ants[0]!.q[HIP_1]!;
  const a = new Float64Array(8);
  a[ACT_HIP_1] = 1;
  for (let t = 0; t < steps; t++) w.step(a);
  const d = (w.ants[0]!.q[HIP_1]! - q0) / DEG;
  w.close();
  return d;
}

test('a heavier leg weighs more by its factor, and the torso is unchanged', () => {
  const nominal = world({});
  const heavy = world({ massScale: [{ target: 'front_left', factor: 2 }] });
  assert.ok(Math.abs(legMass(heavy, 0) / legMass(nominal, 0) - 2) < 1e-5);
  assert.ok(Math.abs(legMass(heavy, 1) - legMass(nominal, 1)) < 1e-7);
  assert.ok(Math.abs(heavy.ants[0]!.handles.bodies[0]!.mass() - nominal.ants[0]!.handles.bodies[0]!.mass()) < 1e-7);
  const torso = world({ massScale: [{ target: 'torso', factor: 1.5 }] });
  assert.ok(Math.abs(torso.ants[0]!.handles.bodies[0]!.mass() / nominal.ants[0]!.handles.bodies[0]!.mass() - 1.5) < 1e-5);
  for (const w of [nominal, heavy, torso]) w.close();
});

test('a shortened leg has a shorter shin collider', () => {
  const nominal = world({});
  const short = world({ legLength: [{ leg: 'back_right', factor: 0.6 }] });
  const shinLen = (w: AntWorld, leg: number) => {
    const c = w.ants[0]!.handles.bodies[2 + 2 * leg]!.collider(0);
    return 2 * c.halfHeight();
  };
  assert.ok(Math.abs(shinLen(short, 2) / shinLen(nominal, 2) - 0.6) < 1e-5);
  assert.ok(Math.abs(shinLen(short, 0) - shinLen(nominal, 0)) < 1e-7);
  assert.ok(legMass(short, 2) < legMass(nominal, 2));
  nominal.close();
  short.close();
});

test('a disabled joint does not move under its own torque; a weak joint moves less', () => {
  const nominal = hipSwing({}, 1);
  const weak = hipSwing({ jointDamage: [{ joint: 'hip_1', mode: 'weak', factor: 0.3 }] }, 1);
  const disabled = hipSwing({ jointDamage: [{ joint: 'hip_1', mode: 'disabled' }] }, 1);
  assert.ok(nominal > 15, `nominal hip_1 swings ${nominal.toFixed(1)}°`);
  assert.ok(Math.abs(disabled) < 1, `disabled hip_1 moved ${disabled.toFixed(2)}°`);
  assert.ok(weak > 1 && weak < nominal * 0.8, `weak hip_1 swings ${weak.toFixed(1)}° vs nominal ${nominal.toFixed(1)}°`);
});

test('a locked joint stays at its angle under random actions', () => {
  const w = world({ jointDamage: [{ joint: 'ankle_3', mode: 'locked', angle: -50 }] });
  const j = JOINT_NAMES.indexOf('ankle_3');
  const rng = new Rng(3);
  const a = new Float64Array(8);
  let worst = 0;
  for (let t = 0; t < 200 && !w.done[0]; t++) {
    for (let i = 0; i < 8; i++) a[i] = rng.range(-1, 1);
    w.step(a);
    worst = Math.max(worst, Math.abs(w.ants[0]!.q[j]! / DEG + 50));
  }
  assert.ok(worst < 3, `locked ankle_3 strayed ${worst.toFixed(2)}° from -50°`);
  w.close();
});

test('friction and gravity scales change the contact and the fall', () => {
  const slippery = world({ friction: 0.3 });
  assert.ok(Math.abs(slippery.ants[0]!.handles.bodies[2]!.collider(0).friction() - 0.3) < 1e-6);
  slippery.close();
  const fall = (g: number) => {
    const w = world({ gravity: g });
    const z0 = w.obs[0]!;
    for (let t = 0; t < 4; t++) w.step(new Float64Array(8));
    const dz = z0 - w.obs[0]!;
    w.close();
    return dz;
  };
  const low = fall(0.5);
  const nominal = fall(1);
  assert.ok(low < nominal * 0.7, `low gravity dropped ${low.toFixed(3)} m vs ${nominal.toFixed(3)} m`);
});

test('sensor and actuator noise are seeded: same seed same episode, and they change what happens', () => {
  const trace = (c: Condition, seed: number) => {
    const w = world(c, seed);
    const out: number[] = Array.from(w.obs);
    const a = new Float64Array(8).fill(0.3);
    for (let t = 0; t < 30; t++) {
      w.step(a);
      out.push(...w.obs);
    }
    w.close();
    return out;
  };
  const clean = trace({}, 5);
  for (const c of [{ sensorNoise: 0.1 }, { actuatorNoise: 0.3 }]) {
    const a = trace(c, 5);
    assert.deepEqual(a, trace(c, 5));
    assert.notDeepEqual(a, clean);
  }
  // Sensor noise leaves the physics alone: the noise-free height is identical.
  const noisy = world({ sensorNoise: 0.1 }, 5);
  const plain = world({}, 5);
  for (let t = 0; t < 10; t++) {
    noisy.step(new Float64Array(8));
    plain.step(new Float64Array(8));
  }
  assert.equal(noisy.ants[0]!.clean[0], plain.ants[0]!.clean[0]);
  assert.notEqual(noisy.obs[0], plain.obs[0]);
  noisy.close();
  plain.close();
});

test('highlights name what a condition changed', () => {
  const h = conditionHighlights(validateCondition({ massScale: [{ target: 'leg_2', factor: 2 }], jointDamage: [{ joint: 'ankle_1', mode: 'disabled' }], legLength: [{ leg: 'front_right', factor: 0.7 }] }));
  assert.deepEqual(h.bodies.sort(), ['shin_2', 'shin_4', 'thigh_2']);
  assert.deepEqual(h.joints, ['ankle_1']);
});
