/**
 * The ants on stage: one, or two side by side (A to the left of B), with a floating label
 * each, posed at the playback time, and the camera following them.
 */
import * as THREE from 'three';
import type { Replay } from '../../envs/replay.ts';
import { buildAnt, type AntView } from './ant.ts';
import type { Stage } from './stage.ts';

/** Lateral distance between the two ants of a side-by-side view (m). */
export const SIDE_BY_SIDE_GAP = 2.2;

export class AntsOnStage {
  ants: AntView[] = [];
  private labels: THREE.Object3D[] = [];
  private readonly tmp = new THREE.Vector3();

  constructor(private readonly stage: Stage) {}

  /** Replaces the ants by one per replay, labelled with `labels`, and frames them. */
  put(replays: Replay[], labels: string[]): void {
    this.clear();
    replays.forEach((r, i) => {
      const offset = replays.length > 1 ? ((i === 0 ? 1 : -1) * SIDE_BY_SIDE_GAP) / 2 : 0;
      const ant = buildAnt(r, offset);
      this.stage.scene.add(ant.root);
      this.ants.push(ant);
      this.labels.push(this.stage.label(labels[i] ?? '', `label-${'ab'[i]}`));
    });
    this.stage.frame(this.followPoint(), replays.length > 1 ? SIDE_BY_SIDE_GAP : 0);
  }

  clear(): void {
    for (const a of this.ants) a.dispose();
    for (const l of this.labels) {
      l.removeFromParent();
      (l as THREE.Object3D & { element?: HTMLElement }).element?.remove();
    }
    this.ants = [];
    this.labels = [];
    this.stage.invalidate();
  }

  /** Poses the ants at `time` (s) and moves the labels and the camera with them. */
  seek(time: number): void {
    this.stage.invalidate();
    for (const a of this.ants) a.seek(time);
    for (const [i, a] of this.ants.entries()) this.labels[i]?.position.copy(a.torso.position).add(a.root.position).setZ(a.torso.position.z + 0.55);
    if (this.ants.length) this.stage.follow(this.followPoint(), this.spread());
  }

  private followPoint(): THREE.Vector3 {
    const out = this.tmp.set(0, 0, 0);
    for (const a of this.ants) out.add(a.torso.position).add(a.root.position);
    if (this.ants.length) out.divideScalar(this.ants.length);
    // Following the torso's height would make the camera bob with every step.
    out.z = 0.35;
    return out;
  }

  /** Horizontal distance between the two torsos (0 for one ant). */
  private spread(): number {
    if (this.ants.length < 2) return 0;
    const [a, b] = this.ants as [AntView, AntView];
    return Math.hypot(a.torso.position.x + a.root.position.x - b.torso.position.x - b.root.position.x, a.torso.position.y + a.root.position.y - b.torso.position.y - b.root.position.y);
  }
}
