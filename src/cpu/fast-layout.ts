/**
 * Where every tensor of a fast CPU run (fast.ts) sits in its one WebAssembly.Memory, and that
 * memory: the layout the kernels' float-index arguments point into (src/cpu/assembly/kernels.ts).
 */
import type { MlpConfig } from '../model/config';
import { trainRowCount } from '../model/config';
import { stateCount } from '../model/update-rules';
import type { KernelFlavour } from './wasm-kernels';
import { HEAP_BASE, MAX_MEMORY_BYTES } from './wasm-kernels';

/** Float offsets into the heap of one forward pass's buffers (training batch or validation). */
export interface PassBuffers {
  /** Z_l, l = 1…L (index l − 1), row-major [rows, n_l]. */
  z: number[];
  /** A_l for l < L; A_L is Z_L (regression) — softmax goes to `y`. */
  a: number[];
  /** Ŷ: softmax(Z_L) for cross-entropy, else Z_L. */
  y: number;
}

export interface Layout {
  memory: WebAssembly.Memory;
  flavour?: KernelFlavour;
  kBlock: number;
  nBlock: number;
  wTotal: number;
  bTotal: number;
  offsets: {
    wOff: number[];
    bOff: number[];
    W: number;
    dW: number;
    wS1: number;
    wS2: number;
    Bs: number;
    dB: number;
    bS1: number;
    bS2: number;
    trainX: number;
    trainT: number;
    valX: number;
    valT: number;
    trainPass: PassBuffers;
    valPass: PassBuffers;
    dZ: number[];
    /** Packing scratch of the matmuls, kBlock·nBlock floats per thread. */
    pack: number;
  };
}

/**
 * Where every tensor sits in the memory (float indices, after the control block), and the memory
 * itself. Regions start on 64-byte boundaries (16 floats) so two threads writing neighbouring
 * regions never share a cache line. Optimizer state that a rule does not use gets size 0.
 */
export function planLayout(config: MlpConfig, valRows: number, threads: number, kBlock: number, nBlock: number): Layout {
  const layers = config.layers;
  const L = layers.length - 1;
  const B = config.batch;
  let next = HEAP_BASE;
  const take = (n: number): number => {
    const at = next;
    next += Math.ceil(n / 16) * 16;
    return at;
  };
  const wOff: number[] = [];
  const bOff: number[] = [];
  let wTotal = 0;
  let bTotal = 0;
  for (let l = 1; l <= L; l++) {
    wOff.push(wTotal);
    bOff.push(bTotal);
    wTotal += layers[l - 1] * layers[l];
    bTotal += layers[l];
  }
  const states = stateCount(config.optimizer);
  const pass = (rows: number): PassBuffers => {
    const z: number[] = [];
    const a: number[] = [];
    for (let l = 1; l <= L; l++) {
      z.push(take(rows * layers[l]));
      if (l < L) a.push(take(rows * layers[l]));
    }
    const y = config.loss === 'ce' ? take(rows * layers[L]) : z[L - 1];
    return { z, a, y };
  };
  const offsets = {
    wOff,
    bOff,
    W: take(wTotal),
    dW: take(wTotal),
    wS1: take(states >= 1 ? wTotal : 0),
    wS2: take(states >= 2 ? wTotal : 0),
    Bs: take(bTotal),
    dB: take(bTotal),
    bS1: take(states >= 1 ? bTotal : 0),
    bS2: take(states >= 2 ? bTotal : 0),
    trainX: take(trainRowCount(config) * layers[0]),
    trainT: take(trainRowCount(config) * layers[L]),
    valX: take(valRows * layers[0]),
    valT: take(valRows * layers[L]),
    trainPass: pass(B),
    valPass: pass(valRows),
    dZ: layers.slice(1).map((n) => take(B * n)),
    pack: take(threads * kBlock * nBlock),
  };
  const bytes = next * 4;
  if (bytes > MAX_MEMORY_BYTES)
    throw new Error(`the CPU backend needs ${(bytes / 2 ** 30).toFixed(2)} GiB for this configuration; WebAssembly memory holds at most 4 GiB`);
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: threads > 1 });
  return { memory, kBlock, nBlock, wTotal, bTotal, offsets };
}
