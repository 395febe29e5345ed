/**
 * Public entry of the evolution-strategy core: strategies over plain state (ask/tell), the
 * shared wrapper that shapes fitness (we maximise) and keeps best-so-far, fitness shaping,
 * optimizers, seed-regenerated noise and bit-exact state serialization.
 */

export * from './types.ts';
export * from './noise.ts';
export * from './shaping.ts';
export * from './optim.ts';
export { serializeState, deserializeState, type SerializedState } from '../../core/codec.ts';
export * from './wrapper.ts';
export * from './registry.ts';
export { openaiES, type OpenAIESParams, type OpenAIESState } from './openai-es.ts';
export { pgpe, type PGPEParams, type PGPEState } from './pgpe.ts';
export { snes, snesPopSize, snesLrSigma, type SNESParams, type SNESState } from './snes.ts';
export { sepCmaES, sepCmaConstants, type SepCMAConstants, type SepCMAESParams, type SepCMAESState } from './sep-cma-es.ts';
