/**
 * Side by side on one core, in one process: this project's Rapier ant and MuJoCo's
 * WebAssembly build (`mujoco-js`, a dev dependency) running an MJCF of Gymnasium's Ant
 * (dt 0.01, 5 steps per control step), MuJoCo with its RK4 integrator (Gymnasium's setting)
 * and with Euler, all with uniformly random controls at the same control rate (20 Hz).
 *
 * Speed is counted in simulated seconds per wall-clock second, so a Rapier setting with
 * another physics dt or frame skip compares fairly with MuJoCo's dt 0.01 (physics steps
 * per second are printed beside it). The contenders run interleaved, in short slices over
 * several rounds, and each ratio is the median of the per-round ratios: on a shared machine
 * a change of load then hits both sides of a ratio alike. CPU-time figures are printed
 * too. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/mujoco.bench.ts [--rounds 7] [--slice 1] [--worlds '{"name": {AntWorldConfig fields}}']
 *
 * A world's `physics` is merged into the default one (`{"physics": {"limbInertia": 0.003}}`).
 */
import { parseArgs } from 'node:util';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld, DEFAULT_WORLD, type AntWorldConfig } from '../envs/ant-world.ts';
import { LEGS, HIP_LINK_LENGTH, THIGH_LENGTH, SHIN_LENGTH } from '../envs/ant-model.ts';
import { Rng } from '../core/rng.ts';
import { DEFAULT_SIM, LEGACY_SIM, simWorld } from '../envs/sim-settings.ts';

/** By default: new runs' solver settings, and those of the runs that record none (envs/sim-settings.ts). */
const defaultWorlds = JSON.stringify({ 'new runs': simWorld(DEFAULT_SIM), 'runs without sim': simWorld(LEGACY_SIM) });
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, slice: { type: 'string', default: '1' }, worlds: { type: 'string', default: defaultWorlds } } });
const rounds = Number(values.rounds);
const sliceS = Number(values.slice);
/** Rapier settings to measure, by name. */
const worlds = Object.fromEntries(Object.entries(JSON.parse(values.worlds) as Record<string, Partial<AntWorldConfig>>)
  .map(([name, w]) => [name, { ...w, physics: { ...DEFAULT_WORLD.physics, ...w.physics } }]));
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

/** One contender: runs for about `ms` milliseconds and says how much it simulated. */
interface Contender {
  name: string;
  /** Physics steps per simulated second (for the steps/s column). */
  stepsPerSimSecond: number;
  run(ms: number): number;
  close(): void;
}

async function mujocoContender(integrator: 'RK4' | 'Euler'): Promise<Contender | null> {
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
  let t = 1000;
  return {
    name: `MuJoCo WASM, Gymnasium Ant, ${integrator}`,
    stepsPerSimSecond: 100,
    run(ms) {
      let steps = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < ms) {
        if (t === 1000) {
          mj.mj_resetData(model, data);
          t = 0;
        }
        const ctrl = data.ctrl;
        for (let i = 0; i < 8; i++) ctrl[i] = rng.range(-1, 1);
        for (let k = 0; k < 5; k++) mj.mj_step(model, data);
        steps += 5;
        t++;
      }
      return steps * 0.01;
    },
    close() {
      data.delete();
      model.delete();
    },
  };
}

function rapierContender(R: Awaited<ReturnType<typeof loadRapier>>, name: string, config: Partial<AntWorldConfig>): Contender {
  const world = new AntWorld(R, config);
  const rng = new Rng(1);
  const a = new Float64Array(8);
  let ep = 0;
  world.reset([{ seed: ep++, condition: {} }]);
  return {
    name: `Rapier ant, ${name} (dt ${world.config.dt} x ${world.config.frameSkip}, ${world.config.solverIterations}x${world.config.pgsIterations}${world.config.physics.limbInertia ? `, limbs +${world.config.physics.limbInertia}` : ''}; env included)`,
    stepsPerSimSecond: 1 / world.config.dt,
    run(ms) {
      let ctrl = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < ms) {
        if (world.done[0]) world.reset([{ seed: ep++, condition: {} }]);
        for (let i = 0; i < 8; i++) a[i] = rng.range(-1, 1);
        world.step(a);
        ctrl++;
      }
      return ctrl * world.controlDt;
    },
    close() {
      world.close();
    },
  };
}

const R = await loadRapier();
const rapier = Object.entries(worlds).map(([name, c]) => rapierContender(R, name, c));
const rk4 = await mujocoContender('RK4');
const euler = await mujocoContender('Euler');
const all = [...rapier, ...(rk4 ? [rk4] : []), ...(euler ? [euler] : [])];
// WebAssembly runs slower for the first seconds of a process while it compiles.
for (const c of all) c.run(2000);
const wall = new Map<Contender, number[]>(all.map((c) => [c, []]));
const cpu = new Map<Contender, number[]>(all.map((c) => [c, []]));
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...all].reverse() : all) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const sim = c.run(sliceS * 1000);
    const w = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(c0);
    wall.get(c)!.push(sim / w);
    cpu.get(c)!.push(sim / ((u.user + u.system) / 1e6));
  }
}
for (const c of all) c.close();
const median = (x: number[]) => {
  const s = [...x].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** Median over rounds of the per-round ratio a / b. */
const ratio = (a: Contender, b: Contender, m: Map<Contender, number[]>) => median(m.get(a)!.map((v, i) => v / m.get(b)![i]!));

console.log(`one core, random controls at 20 Hz, ${rounds} interleaved rounds of ${sliceS} s per contender (medians)`);
console.log('contender                                                         sim s per wall s  physics steps/s  sim s per CPU s');
for (const c of all) {
  const w = median(wall.get(c)!);
  console.log(`  ${c.name.padEnd(64)} ${w.toFixed(1).padStart(9)} ${(w * c.stepsPerSimSecond).toFixed(0).padStart(16)} ${median(cpu.get(c)!).toFixed(1).padStart(16)}`);
}
if (!rk4 || !euler) console.log('  mujoco-js is not installed: npm install --no-save mujoco-js');
else {
  for (const c of rapier) {
    const tag = rapier.length > 1 ? ` (${c.name.split(',')[1]!.split('(')[0]!.trim()})` : '';
    console.log(`Rapier / RK4 = ${ratio(c, rk4, wall).toFixed(2)}, Rapier / Euler = ${ratio(c, euler, wall).toFixed(2)}${tag}   (simulated seconds per wall-clock second; CPU time: ${ratio(c, rk4, cpu).toFixed(2)}, ${ratio(c, euler, cpu).toFixed(2)})`);
  }
  if (rapier.length > 1) console.log(`${rapier.slice(1).map((c) => `${c.name.split(',')[1]!.split('(')[0]!.trim()} / ${rapier[0]!.name.split(',')[1]!.split('(')[0]!.trim()} = ${ratio(c, rapier[0]!, wall).toFixed(2)}`).join(', ')}`);
}
