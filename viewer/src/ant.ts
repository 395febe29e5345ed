/**
 * One replayed ant: meshes built from the replay's own body shapes (so a shortened shin
 * looks short), and an animation clip of keyframe tracks made from the recorded poses.
 * Nothing is simulated here; the mixer only interpolates between recorded frames.
 */
import * as THREE from 'three';
import type { Replay, ReplayShape } from '../../envs/replay.ts';

export const COLORS = {
  body: 0xcfb58b,
  torso: 0xb8925a,
  /** A link the condition changed (heavier, shorter). */
  link: 0xf28c28,
  /** A joint the condition damaged (disabled, weak, locked), and the body it drives. */
  joint: 0xd7263d,
} as const;

export interface AntView {
  replay: Replay;
  /** Holds the bodies; its position is the ant's lateral offset in a side-by-side view. */
  root: THREE.Group;
  bodies: THREE.Group[];
  torso: THREE.Group;
  clip: THREE.AnimationClip;
  mixer: THREE.AnimationMixer;
  action: THREE.AnimationAction;
  /** Shows the recorded pose at time `t` (s), clamped to the replay's length. */
  seek(t: number): void;
  /** Whether the condition is drawn at the current time (false before a mid-episode onset). */
  struck(): boolean;
  dispose(): void;
}

function shapeGeometry(s: ReplayShape): THREE.BufferGeometry {
  if (s.type === 'sphere') return new THREE.SphereGeometry(s.radius, 32, 16);
  // three's capsule lies along its local y, as the replay's capsules do; length is the cylinder part.
  return new THREE.CapsuleGeometry(s.radius, 2 * (s.halfLength ?? 0), 8, 16);
}

/** Builds the keyframe tracks: one position and one quaternion track per body. */
export function replayClip(replay: Replay, names: string[]): THREE.AnimationClip {
  const nb = replay.bodies.length;
  const times = new Float32Array(replay.frames);
  for (let f = 0; f < replay.frames; f++) times[f] = f * replay.dt;
  const tracks: THREE.KeyframeTrack[] = [];
  for (let b = 0; b < nb; b++) {
    const pos = new Float32Array(replay.frames * 3);
    const quat = new Float32Array(replay.frames * 4);
    for (let f = 0; f < replay.frames; f++) {
      const o = (f * nb + b) * 7;
      for (let k = 0; k < 3; k++) pos[f * 3 + k] = replay.poses[o + k]!;
      for (let k = 0; k < 4; k++) quat[f * 4 + k] = replay.poses[o + 3 + k]!;
    }
    tracks.push(new THREE.VectorKeyframeTrack(`${names[b]}.position`, times, pos));
    tracks.push(new THREE.QuaternionKeyframeTrack(`${names[b]}.quaternion`, times, quat));
  }
  return new THREE.AnimationClip(replay.meta.label ?? 'replay', (replay.frames - 1) * replay.dt, tracks);
}

export function buildAnt(replay: Replay, offsetY: number): AntView {
  const root = new THREE.Group();
  root.position.set(0, offsetY, 0);
  const changedLinks = new Set(replay.highlights.bodies);
  const damagedBodies = new Map<number, THREE.Vector3>();
  for (const jn of replay.highlights.joints) {
    const j = replay.joints.find((x) => x.name === jn);
    if (j) damagedBodies.set(j.child, new THREE.Vector3(...j.anchor));
  }
  const geometries: THREE.BufferGeometry[] = [];
  const materials = new Map<number, THREE.MeshStandardMaterial>();
  const material = (color: number) => {
    let m = materials.get(color);
    if (!m) {
      m = new THREE.MeshStandardMaterial({ color, roughness: 0.55, metalness: 0.1 });
      materials.set(color, m);
    }
    return m;
  };
  const names: string[] = [];
  const onsetFrame = replay.onsetFrame ?? null;
  const phases: { before: THREE.Object3D; after: THREE.Object3D }[] = [];
  const bodies = replay.bodies.map((body, b) => {
    const g = new THREE.Group();
    // Track names address nodes by name under the mixer's root; short ids avoid any parsing surprises.
    g.name = `body${b}`;
    g.userData.bodyName = body.name;
    names.push(g.name);
    const color = damagedBodies.has(b) ? COLORS.joint : changedLinks.has(body.name) ? COLORS.link : body.name === 'torso' ? COLORS.torso : COLORS.body;
    const plain = body.name === 'torso' ? COLORS.torso : COLORS.body;
    const addShapes = (shapes: ReplayShape[], bodyColor: number, into: THREE.Object3D) => {
      shapes.forEach((s, i) => {
        const geo = shapeGeometry(s);
        geometries.push(geo);
        // The torso's own sphere gets the torso colour; its fixed hip links keep the limb colour.
        const c = body.name === 'torso' && i > 0 && bodyColor === COLORS.torso ? COLORS.body : bodyColor;
        const mesh = new THREE.Mesh(geo, material(c));
        mesh.position.set(...s.center);
        mesh.quaternion.set(...s.rotation);
        mesh.castShadow = true;
        mesh.receiveShadow = true;
        into.add(mesh);
      });
    };
    // A condition that strikes mid-episode: the nominal look until its onset frame, then the changed one.
    const before = onsetFrame === null ? null : replay.bodiesBefore?.[b]?.shapes ?? body.shapes;
    const changes = before !== null && (color !== plain || before !== body.shapes);
    const afterGroup = changes ? new THREE.Group() : g;
    if (changes) {
      const beforeGroup = new THREE.Group();
      addShapes(before, plain, beforeGroup);
      g.add(beforeGroup, afterGroup);
      phases.push({ before: beforeGroup, after: afterGroup });
    }
    addShapes(body.shapes, color, afterGroup);
    const anchor = damagedBodies.get(b);
    if (anchor) {
      const geo = new THREE.SphereGeometry(0.11, 24, 12);
      geometries.push(geo);
      const marker = new THREE.Mesh(geo, new THREE.MeshStandardMaterial({ color: COLORS.joint, emissive: COLORS.joint, emissiveIntensity: 0.6 }));
      marker.position.copy(anchor);
      marker.name = 'joint-marker';
      afterGroup.add(marker);
    }
    root.add(g);
    return g;
  });
  const torsoIndex = Math.max(0, replay.bodies.findIndex((b) => b.name === 'torso'));
  const clip = replayClip(replay, names);
  const mixer = new THREE.AnimationMixer(root);
  const action = mixer.clipAction(clip);
  // Played once and held at the end: the player owns the clock and loops by seeking.
  action.setLoop(THREE.LoopOnce, 1);
  action.clampWhenFinished = true;
  action.play();
  let struck = true;
  const seek = (t: number) => {
    // Reaching the end pauses a LoopOnce action; un-pause so that seeking back works.
    action.paused = false;
    action.enabled = true;
    mixer.setTime(Math.min(Math.max(0, t), clip.duration));
    // Frame f is drawn from time f * dt; half a frame's margin keeps rounding from flickering.
    struck = onsetFrame === null || t >= (onsetFrame - 0.5) * replay.dt;
    for (const p of phases) {
      p.before.visible = !struck;
      p.after.visible = struck;
    }
  };
  seek(0);
  return {
    replay,
    root,
    bodies,
    torso: bodies[torsoIndex]!,
    clip,
    mixer,
    action,
    seek,
    struck: () => struck,
    dispose() {
      mixer.stopAllAction();
      mixer.uncacheRoot(root);
      root.removeFromParent();
      for (const g of geometries) g.dispose();
      for (const m of materials.values()) m.dispose();
      root.traverse((o) => {
        if (o instanceof THREE.Mesh && o.name === 'joint-marker') (o.material as THREE.Material).dispose();
      });
    },
  };
}
