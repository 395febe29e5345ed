/**
 * The synapse kernels as WebAssembly SIMD (synapse-kernels.as.ts), bit-identical to the
 * JavaScript ones in synapse-kernels.ts (and -f32.ts) and 3-5x faster per policy step (README, Policy
 * speed). A kernel can only reach the WebAssembly memory it runs on, so each `WasmKernels`
 * owns one memory, sized once, and the arrays the kernels take are allocated in it
 * (`alloc`): a policy builds one and takes its genome, plastic matrices, activity and
 * scratch vectors from it. The memory never grows (growing would detach every view into
 * it). The compiled module is shared by the instances of a thread; each piscina worker
 * compiles its own. An instance computes in one arithmetic, float64 or float32
 * (`SynapseArithmetic`): the module exports each kernel in both, the float32 one suffixed 32.
 */

import type { SynapseArithmetic, SynapseKernels } from '../synapse-kernels.ts';
import { SYNAPSE_KERNELS_WASM } from './synapse-kernels.wasm.ts';

/** The module's kernels of one arithmetic (`propagate` or `propagate32`, ...): byte offsets (0 for null), sizes, scalars; see synapse-kernels.as.ts. */
interface KernelExports {
  propagate(W: number, x: number, out: number, nPre: number, n: number): void;
  propagatePlastic(W: number, A: number, H: number, x: number, out: number, nPre: number, n: number): void;
  plasticFused(H: number, W: number, A: number, pre: number, x: number, out: number, nPre: number, n: number, a: number, k: number, c: number): void;
  plasticFusedRetro(
    H: number, E: number, W: number, A: number, pre: number, x: number, out: number, nPre: number, n: number,
    d: number, k: number, m: number, etaE: number, c: number,
  ): void;
  affineFused(
    H: number, E: number, W: number, A: number, pre: number, x: number, out: number, nPre: number, n: number,
    a: number, k: number, cst: number, m: number, etaE: number, c: number,
  ): void;
  abcdFused(
    H: number, E: number, W: number, A: number, T: number, pre: number, post: number, x: number, out: number, nPre: number, n: number,
    m: number, etaE: number, c: number,
  ): void;
}

/** The members of the WebAssembly JavaScript API used here (lib ES2022 and @types/node 20 leave it out). */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

const PAGE = 65536;
/** Allocations start here, so that offset 0 stands for a null array. */
const FIRST = 16;

let compiled: WebAssembly.Module | null = null;

function kernelModule(): WebAssembly.Module {
  if (compiled === null) {
    const bin = atob(SYNAPSE_KERNELS_WASM);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const KERNEL_NAMES: (keyof KernelExports)[] = ['propagate', 'propagatePlastic', 'plasticFused', 'plasticFusedRetro', 'affineFused', 'abcdFused'];

export class WasmKernels implements SynapseKernels {
  readonly arithmetic: SynapseArithmetic;
  private readonly buffer: ArrayBuffer;
  private readonly k: KernelExports;
  private top = FIRST;

  /** A memory of at least `bytes` bytes (beyond the null slot) for `alloc`, and kernels in `arithmetic`. */
  constructor(bytes: number, arithmetic: SynapseArithmetic = 'f64') {
    this.arithmetic = arithmetic;
    const pages = Math.ceil((bytes + FIRST) / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = memory.buffer;
    const exports = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports;
    const suffix = arithmetic === 'f32' ? '32' : '';
    this.k = Object.fromEntries(KERNEL_NAMES.map((name) => [name, exports[name + suffix]])) as unknown as KernelExports;
  }

  /** Bytes allocated so far (each array rounded up to 16 bytes). */
  get used(): number {
    return this.top - FIRST;
  }

  alloc(length: number): Float32Array {
    const end = this.top + 4 * length;
    if (end > this.buffer.byteLength) throw new Error(`WasmKernels: ${4 * length} more bytes do not fit in the ${this.buffer.byteLength}-byte memory`);
    const a = new Float32Array(this.buffer, this.top, length);
    this.top = (end + 15) & ~15;
    return a;
  }

  /** The byte offset of `a`, which must be one of this memory's arrays. */
  private at(a: Float32Array): number {
    if (a.buffer !== this.buffer) throw new Error('WasmKernels: an array outside the kernels\' memory (allocate it with alloc)');
    return a.byteOffset;
  }

  private atOrNull(a: Float32Array | null): number {
    return a === null ? 0 : this.at(a);
  }

  propagate(W: Float32Array, x: Float32Array, out: Float32Array, nPre: number, n: number): void {
    this.k.propagate(this.at(W), this.at(x), this.at(out), nPre, n);
  }

  propagatePlastic(W: Float32Array, A: Float32Array, H: Float32Array, x: Float32Array, out: Float32Array, nPre: number, n: number): void {
    this.k.propagatePlastic(this.at(W), this.at(A), this.at(H), this.at(x), this.at(out), nPre, n);
  }

  plasticFused(
    H: Float32Array, W: Float32Array, A: Float32Array, pre: Float32Array, x: Float32Array | null, out: Float32Array,
    nPre: number, n: number, a: Float32Array, k: Float32Array, c: number,
  ): void {
    this.k.plasticFused(this.at(H), this.at(W), this.at(A), this.at(pre), this.atOrNull(x), this.at(out), nPre, n, this.at(a), this.at(k), c);
  }

  plasticFusedRetro(
    H: Float32Array, E: Float32Array, W: Float32Array, A: Float32Array, pre: Float32Array, x: Float32Array | null, out: Float32Array,
    nPre: number, n: number, d: Float32Array, k: Float32Array, m: Float32Array, etaE: number, c: number,
  ): void {
    this.k.plasticFusedRetro(
      this.at(H), this.at(E), this.at(W), this.at(A), this.at(pre), this.atOrNull(x), this.at(out), nPre, n,
      this.at(d), this.at(k), this.at(m), etaE, c,
    );
  }

  affineFused(
    H: Float32Array, E: Float32Array | null, W: Float32Array, A: Float32Array, pre: Float32Array, x: Float32Array | null, out: Float32Array,
    nPre: number, n: number, a: Float32Array, k: Float32Array, cst: Float32Array, m: Float32Array, etaE: number, c: number,
  ): void {
    this.k.affineFused(
      this.at(H), this.atOrNull(E), this.at(W), this.at(A), this.at(pre), this.atOrNull(x), this.at(out), nPre, n,
      this.at(a), this.at(k), this.at(cst), this.at(m), etaE, c,
    );
  }

  abcdFused(
    H: Float32Array, E: Float32Array | null, W: Float32Array, A: Float32Array, T: Float32Array, pre: Float32Array, post: Float32Array,
    x: Float32Array | null, out: Float32Array, nPre: number, n: number, m: Float32Array, etaE: number, c: number,
  ): void {
    this.k.abcdFused(
      this.at(H), this.atOrNull(E), this.at(W), this.at(A), this.at(T), this.at(pre), this.at(post), this.atOrNull(x), this.at(out), nPre, n,
      this.at(m), etaE, c,
    );
  }
}
