/**
 * Builds the gradient engine a config names: `js` (hand-written BPTT) or `tf` (TensorFlow.js).
 */
import type { Task } from '../../envs/tasks/index.ts';
import type { LearnConfig } from './config.ts';
import { JsEngine, type GradientEngine } from './engine.ts';

export async function createEngine(config: LearnConfig, task: Task): Promise<GradientEngine> {
  if (config.engine === 'js') return new JsEngine(config, task);
  const { TfEngine } = await import('./engine-tf.ts');
  return TfEngine.create(config, task);
}
