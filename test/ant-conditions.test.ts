import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { validateCondition, conditionHighlights, type Condition } from '../envs/conditions.ts';
import { DEG, JOINT_NAMES } from '../envs/ant-model.ts';
import { Rng } from '../core/rng.ts';

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

/** Every ant state after each control step under a fixed open-loop action pattern. */
function rollout(condition: Condition, seed: number, steps: number): { obs: number[][]; w: AntWorld } {
  const w = world(condition, seed);
  const obs: number[][] = [];
  const a = new Float64Array(8);
  for (let t = 0; t < steps && !w.done[0]; t++) {
    for (let i = 0; i < 8; i++) a[i] = Math.sin(0.3 * t + i);
    w.step(a);
    obs.push(Array.from(w.ants[0]!.clean));
  }
  return { obs, w };
}

test('a condition with an onset leaves the episode nominal until that step, then applies in full', () => {
  const nominal = rollout({}, 4, 80);
  const cases: [string, Condition, (w: AntWorld) => number][] = [
    ['heavy leg', { massScale: [{ target: 'front_left', factor: 3 }] }, (w) => legMass(w, 0)],
    ['short shin', { legLength: [{ leg: 'front_left', factor: 0.6 }] }, (w) => 2 * w.ants[0]!.handles.bodies[2]!.collider(0).halfHeight()],
    ['slippery', { friction: 0.3 }, (w) => w.ants[0]!.handles.bodies[2]!.collider(0).friction()],
    ['low gravity', { gravity: 0.6 }, (w) => w.ants[0]!.handles.bodies[0]!.gravityScale()],
  ];
  for (const [what, c, measure] of cases) {
    const built = world(c, 4);
    const expected = measure(built);
    built.close();
    const r = rollout({ ...c, onset: 40 }, 4, 80);
    assert.deepEqual(r.obs.slice(0, 40), nominal.obs.slice(0, 40), `${what}: the first 40 steps differ from nominal`);
    assert.notDeepEqual(r.obs[45], nominal.obs[45], `${what}: no effect after the onset`);
    assert.ok(Math.abs(measure(r.w) - expected) < 1e-6, `${what}: ${measure(r.w)} after the onset, ${expected} when built so`);
    r.w.close();
  }
  // A no-op change at an onset rebuilds nothing that matters: bit-identical to nominal.
  const same = rollout({ massScale: [{ target: 'torso', factor: 1 }], onset: 20 }, 4, 80);
  assert.deepEqual(same.obs, nominal.obs);
  same.w.close();
  nominal.w.close();
});

test('a shin shortened at an onset has the mass properties of one built short, and its material points keep their velocity', () => {
  const c: Condition = { legLength: [{ leg: 'front_left', factor: 0.4 }] };
  const built = world(c, 2);
  const ref = built.ants[0]!.handles.bodies[2]!;
  const w = world({ ...c, onset: 10 }, 2);
  const sim = w.ants[0]!;
  const a = new Float64Array(8);
  for (let t = 0; t < 10; t++) {
    for (let i = 0; i < 8; i++) a[i] = t % 2 ? 1 : -1;
    w.step(a);
  }
  const shin = sim.handles.bodies[2]!;
  const pointVelocity = () => {
    // The ankle (the shin's origin) and the far end of the nominal shin's axis, in world coordinates.
    const v = shin.linvel(), om = shin.angvel(), com = shin.worldCom(), o = shin.translation();
    const r = { x: o.x - com.x, y: o.y - com.y, z: o.z - com.z };
    return [v.x + om.y * r.z - om.z * r.y, v.y + om.z * r.x - om.x * r.z, v.z + om.x * r.y - om.y * r.x];
  };
  const before = pointVelocity();
  const massBefore = shin.mass();
  sim.applyAction(a); // strikes before this step's physics
  const after = pointVelocity();
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(after[k]! - before[k]!) < 1e-4, `ankle velocity jumped from ${before} to ${after}`);
  assert.ok(shin.mass() < massBefore * 0.7);
  assert.ok(Math.abs(shin.mass() - ref.mass()) < 1e-6);
  for (const [x, y] of [[shin.localCom(), ref.localCom()], [shin.principalInertia(), ref.principalInertia()]] as const) {
    for (const k of ['x', 'y', 'z'] as const) assert.ok(Math.abs(x[k] - y[k]) < 1e-6, `${k}: ${x[k]} after the onset vs ${y[k]} built`);
  }
  built.close();
  w.close();
  assert.throws(() => validateCondition({ legLength: [{ leg: 'front_left', factor: 1.3 }], onset: 5 }), /condition\.legLength\[0\]\.factor must be at most 1 with condition\.onset/);
});

test('damage at an onset: a disabled joint stops driving, a locked joint holds the angle it had', () => {
  const j = JOINT_NAMES.indexOf('hip_1');
  const w = world({ jointDamage: [{ joint: 'hip_1', mode: 'disabled' }], gravity: 0, onset: 5 });
  const a = new Float64Array(8);
  a[ACT_HIP_1] = 1;
  for (let t = 0; t < 5; t++) w.step(a);
  const before = w.ants[0]!.q[j]!;
  a[ACT_HIP_1] = -1;
  w.step(a);
  assert.ok(Math.abs(w.ants[0]!.q[j]! - before) / DEG < 1, 'the disabled hip still follows its action');
  w.close();

  const locked = world({ jointDamage: [{ joint: 'ankle_3', mode: 'locked' }], onset: 30 });
  const k = JOINT_NAMES.indexOf('ankle_3');
  const rng = new Rng(9);
  let atOnset = NaN;
  let worst = 0;
  for (let t = 0; t < 150 && !locked.done[0]; t++) {
    if (t === 30) atOnset = locked.ants[0]!.q[k]!;
    for (let i = 0; i < 8; i++) a[i] = rng.range(-1, 1);
    locked.step(a);
    if (t >= 30) worst = Math.max(worst, Math.abs(locked.ants[0]!.q[k]! - atOnset) / DEG);
  }
  assert.ok(worst < 3, `ankle_3 strayed ${worst.toFixed(2)}° from its angle at the onset`);
  locked.close();
});

test('an onset range draws a step per episode from the seed; noise and distance count from the onset', () => {
  const c = validateCondition({ actuatorNoise: 0.3, onset: [10, 60] });
  const steps = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
    const w = world(c, seed);
    const s = w.ants[0]!.onset;
    w.close();
    return s;
  });
  for (const s of steps) assert.ok(s >= 10 && s <= 60);
  assert.ok(new Set(steps).size > 2, `draws ${steps.join(', ')}`);
  assert.equal(world(c, 3).ants[0]!.onset, steps[2]);
  // Noise starts at the onset: the episode is nominal until then.
  const nominal = rollout({}, 3, 70);
  const noisy = rollout(c, 3, 70);
  const first = noisy.obs.findIndex((o, t) => o.some((v, i) => v !== nominal.obs[t]![i]));
  assert.equal(first, steps[2]);
  // distanceSinceOnset = distance now − distance at the onset.
  const w = world({ gravity: 0.8, onset: 25 }, 3);
  const a = new Float64Array(8);
  let atOnset = NaN;
  for (let t = 0; t < 60; t++) {
    if (t === 25) atOnset = w.ants[0]!.distance();
    for (let i = 0; i < 8; i++) a[i] = Math.sin(0.3 * t + i);
    w.step(a);
  }
  assert.ok(Math.abs(w.ants[0]!.distanceSinceOnset() - (w.ants[0]!.distance() - atOnset)) < 1e-6);
  for (const x of [nominal.w, noisy.w, w]) x.close();
});

test('a bad onset is an error that names the field', () => {
  assert.throws(() => validateCondition({ friction: 0.5, onset: -1 }), /condition\.onset must be a whole number of control steps/);
  assert.throws(() => validateCondition({ friction: 0.5, onset: 2.5 }), /condition\.onset must be a whole number/);
  assert.throws(() => validateCondition({ friction: 0.5, onset: [50, 10] }), /condition\.onset must be a range \[first, last\] with first <= last/);
  assert.throws(() => validateCondition({ friction: 0.5, onset: [1, 2, 3] }), /condition\.onset must be a step or a range/);
  assert.throws(() => validateCondition({ friction: 0.5, onset: [1, 'x'] }), /condition\.onset\[1\] must be a whole number/);
  assert.throws(() => validateCondition({ jointDamage: [{ joint: 'hip_1', mode: 'locked', angle: 10 }], onset: 5 }),
    /condition\.jointDamage\[0\]\.angle cannot be combined with condition\.onset/);
});
