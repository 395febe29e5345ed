/**
 * Side by side on one core, in one process: physics steps per second of this project's
 * Rapier ant and of MuJoCo's WebAssembly build (`mujoco-js`, a dev dependency) running an
 * MJCF of Gymnasium's Ant, with uniformly random controls, MuJoCo with its RK4 integrator
 * (Gymnasium's setting) and with Euler. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/mujoco.bench.ts [--seconds 5]
 */
import { parseArgs } from 'node:util';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { LEGS, HIP_LINK_LENGTH, THIGH_LENGTH, SHIN_LENGTH } from '../envs/ant-model.ts';
import { Rng } from '../envs/rng.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const deg = (r: number) => ((r * 180) / Math.PI).toFixed(0);

/** Gymnasium's Ant as MJCF, generated from the same leg table the Rapier ant uses. */
function antMjcf(integrator: 'RK4' | 'Euler'): string {
  const legs = LEGS.map((l) => {
    const a = (len: number) => `${(l.dir.x * len).toFixed(4)} ${(l.dir.y * len).toFixed(4)} 0`;
    return `
      <body name="leg_${l.number}" pos="0 0 0">
        <geom fromto="0 0 0 ${a(HIP_LINK_LENGTH)}" size="0.08" type="capsule"/>
        <body pos="${a(HIP_LINK_LENGTH)}">
          <joint name="hip_${l.number}" axis="0 0 1" range="-30 30" type="hinge"/>
          <geom fromto="0 0 0 ${a(THIGH_LENGTH)}" size="0.08" type="capsule"/>
          <body pos="${a(THIGH_LENGTH)}">
            <joint name="ankle_${l.number}" axis="${l.ankleAxis.x} ${l.ankleAxis.y} 0" range="${deg(l.ankleRange[0])} ${deg(l.ankleRange[1])}" type="hinge"/>
            <geom fromto="0 0 0 ${a(SHIN_LENGTH)}" size="0.08" type="capsule"/>
          </body>
        </body>
      </body>`;
  }).join('');
  const motors = [4, 1, 2, 3].flatMap((n) => [`hip_${n}`, `ankle_${n}`]).map((j) => `<motor joint="${j}" ctrllimited="true" ctrlrange="-1 1" gear="150"/>`).join('\n    ');
  return `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="${integrator}" timestep="0.01"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01"/>
  </default>
  <worldbody>
    <geom conaffinity="1" condim="3" name="floor" pos="0 0 0" size="40 40 40" type="plane"/>
    <body name="torso" pos="0 0 0.75">
      <geom name="torso_geom" pos="0 0 0" size="0.25" type="sphere"/>
      <joint armature="0" damping="0" limited="false" margin="0.01" name="root" pos="0 0 0" type="free"/>${legs}
    </body>
  </worldbody>
  <actuator>
    ${motors}
  </actuator>
</mujoco>`;
}

interface MjModule {
  FS: { mkdir(p: string): void; writeFile(p: string, d: string): void };
  MjModel: { loadFromXML(p: string): { delete(): void } };
  MjData: new (m: unknown) => { ctrl: Float64Array; qpos: Float64Array; delete(): void };
  mj_step(m: unknown, d: unknown): void;
  mj_resetData(m: unknown, d: unknown): void;
}

async function mujocoRate(integrator: 'RK4' | 'Euler'): Promise<number | null> {
  let load: () => Promise<MjModule>;
  try {
    load = (await import('mujoco-js' as string)).default as () => Promise<MjModule>;
  } catch {
    return null;
  }
  const mj = await load();
  try { mj.FS.mkdir('/w'); } catch { /* exists */ }
  mj.FS.writeFile(`/w/ant-${integrator}.xml`, antMjcf(integrator));
  const model = mj.MjModel.loadFromXML(`/w/ant-${integrator}.xml`);
  const data = new mj.MjData(model);
  const rng = new Rng(1);
  const run = (budget: number) => {
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < budget * 1000) {
      mj.mj_resetData(model, data);
      for (let t = 0; t < 1000; t++) {
        const ctrl = data.ctrl;
        for (let i = 0; i < 8; i++) ctrl[i] = rng.range(-1, 1);
        for (let k = 0; k < 5; k++) mj.mj_step(model, data);
        steps += 5;
      }
    }
    return steps / ((performance.now() - t0) / 1000);
  };
  run(1);
  const rate = run(seconds);
  data.delete();
  model.delete();
  return rate;
}

async function rapierRate(): Promise<number> {
  const R = await loadRapier();
  const world = new AntWorld(R);
  const rng = new Rng(1);
  const a = new Float64Array(8);
  const run = (budget: number) => {
    let steps = 0;
    let ep = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < budget * 1000) {
      world.reset([{ seed: ep++, condition: {} }]);
      while (!world.done[0]) {
        for (let i = 0; i < 8; i++) a[i] = rng.range(-1, 1);
        world.step(a);
        steps += world.config.frameSkip;
      }
    }
    return steps / ((performance.now() - t0) / 1000);
  };
  run(3);
  const rate = run(seconds);
  world.close();
  return rate;
}

const rapier = await rapierRate();
const rk4 = await mujocoRate('RK4');
const euler = await mujocoRate('Euler');
console.log(`physics steps per second, one core, random controls, ${seconds}s each`);
console.log(`  Rapier ant (this project; env overhead included)  ${rapier.toFixed(0)}`);
if (rk4 === null || euler === null) console.log('  mujoco-js is not installed: npm install --no-save mujoco-js');
else {
  console.log(`  MuJoCo WASM, Gymnasium Ant, RK4                   ${rk4.toFixed(0)}   (Rapier / RK4 = ${(rapier / rk4).toFixed(2)})`);
  console.log(`  MuJoCo WASM, Gymnasium Ant, Euler                 ${euler.toFixed(0)}   (Rapier / Euler = ${(rapier / euler).toFixed(2)})`);
}
