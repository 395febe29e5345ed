/**
 * The solver settings a run's physics depends on: Rapier's substeps and PGS iterations per
 * physics step, and the inertia added to every limb. A run records them in its config
 * (`sim`) and its policy files, and every world built for it (rollouts, tests, replays,
 * eval, stress, record) is built with them, so a run keeps its physics when the default
 * changes. A config or policy file without them was written before they were recorded, and
 * means the settings of that time (LEGACY_SIM).
 */
import * as v from 'valibot';
import { DEFAULT_WORLD, type AntWorldConfig } from './ant-world.ts';
import { fields, numberIn, wholeIn } from '../core/schema.ts';

export interface SimSettings {
  /** Rapier solver iterations (substeps) per physics step. */
  solverIterations: number;
  /** Projected Gauss-Seidel iterations inside each substep. */
  pgsIterations: number;
  /** Angular inertia added to every limb about its centre of mass, kg·m² (AntPhysics.limbInertia). */
  limbInertia: number;
}

/** The settings of every run and policy file that does not record its own: 2 substeps × 16 PGS iterations, nothing added. */
export const LEGACY_SIM: Readonly<SimSettings> = Object.freeze({ solverIterations: 2, pgsIterations: 16, limbInertia: 0 });

/**
 * New runs' settings: 3 substeps × 3 PGS iterations with 0.004 kg·m² on every limb. The
 * added inertia keeps the joint limits with a fraction of the iterations, at the price of a
 * change of dynamics; the third substep holds them on impacts that 2 × 5 let through for a
 * step (README, *Speed*).
 */
export const DEFAULT_SIM: Readonly<SimSettings> = Object.freeze({ solverIterations: 3, pgsIterations: 3, limbInertia: 0.004 });

/** New runs' settings before DEFAULT_SIM (recorded in those runs' files: docs/runs/quick, docs/runs/long). */
export const SIM_2X5: Readonly<SimSettings> = Object.freeze({ solverIterations: 2, pgsIterations: 5, limbInertia: 0.004 });

export const SimSettingsSchema = fields({
  solverIterations: wholeIn(1, 64),
  pgsIterations: wholeIn(1, 256),
  limbInertia: numberIn(0, 1),
});

/** The AntWorld settings that give a run's physics (the rest of AntWorldConfig keeps its defaults). */
export function simWorld(sim: SimSettings): Pick<AntWorldConfig, 'solverIterations' | 'pgsIterations' | 'physics'> {
  return { solverIterations: sim.solverIterations, pgsIterations: sim.pgsIterations, physics: { ...DEFAULT_WORLD.physics, limbInertia: sim.limbInertia } };
}

