/**
 * The fast CPU trainer: float32 WebAssembly SIMD kernels (src/cpu/assembly/kernels.ts:
 * cache-blocked, register-tiled matmuls with transposes by index, fused epilogues, one update
 * pass per parameter buffer), the products split by output rows across worker threads
 * (thread-pool.ts). It is what "CPU" means in the timing charts ("CPU: WASM SIMD, N threads"),
 * and it is checked against `reference` like the GPU is.
 *
 * Every tensor of a run lives in one WebAssembly.Memory allocated at construction (shared
 * when workers are used): nothing is allocated or copied per step. A step is 2L + 1 jobs: one per
 * layer forward (Z = A·W + b, A = act(Z)), one per layer backward (dW = Aᵀ·dZ, db = Σ dZ
 * and dZ_{l−1} = (dZ·Wᵀ) ⊙ act' in the same job), one update of all weights and biases.
 * The loss and dZ_L (B × n_L, small) are done on the calling thread between them.
 */
import type { MlpConfig, Variant } from '../model/config';
import { trainBatchCount, trainRowCount, validateConfig } from '../model/config';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import { checkDataset, checkStepCount } from '../model/trainer';
import { OPTIMIZER_ID, hyperparameters, stateCount, stepConstants } from '../model/update-rules';
import { ThreadPool, canBlockHere, platformThreads } from './thread-pool';
import type { KernelFlavour } from './wasm-kernels';
import { HEAP_BASE, MAX_MEMORY_BYTES, TASK, bestFlavour, kernelModule } from './wasm-kernels';
import { correctRows, hasAccuracy } from '../model/accuracy';

export interface FastCpuOptions {
  /** Threads, the caller included; 1 = single-threaded, no workers. Default: the platform's core count. */
  workers?: number;
  /** The kernels' instruction set; default: relaxed SIMD (fused multiply-add) where the engine has it, else plain SIMD. */
  kernels?: KernelFlavour;
  /** Matmul k-block and n-block sizes (floats); tests shrink them to exercise block edges. */
  kBlock?: number;
  nBlock?: number;
}

/** Most worker threads: beyond 64 the 4-row cuts of a typical batch leave most threads idle. */
export const MAX_WORKERS = 64;

/** k-block × n-block of Q: 256 × 256 floats = 256 KiB stays in a 1–2 MiB L2 while every row tile sweeps it. */
export const DEFAULT_K_BLOCK = 256;
export const DEFAULT_N_BLOCK = 256;

const MODE = { NONE: 0, TANH: 1, RELU: 2, TANH_BACK: 3, RELU_BACK: 4 } as const;

/** What the CPU backend is, as the adapter panel, the CLI tables and the JSON name it. */
export function cpuEngineName(threads: number, flavour: KernelFlavour): string {
  return `CPU: WASM SIMD${flavour === 'relaxed' ? ' (relaxed FMA)' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * What the CPU backend will be in this page (before any run): every core when the page is
 * cross-origin isolated, else one worker thread, and why.
 */
export function pageCpuEngine(): { threads: number; label: string; note: string | null } {
  const isolated = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
  const threads = isolated ? Math.min(64, Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1)) : 1;
  const note = isolated ? null : 'one worker thread: this page is not cross-origin isolated (COOP/COEP headers), so it has no shared memory for more';
  return { threads, label: cpuEngineName(threads, bestFlavour()), note };
}

/** Float offsets into the heap of one forward pass's buffers (training batch or validation). */
interface PassBuffers {
  /** Z_l, l = 1…L (index l − 1), row-major [rows, n_l]. */
  z: number[];
  /** A_l for l < L; A_L is Z_L (regression) — softmax goes to `y`. */
  a: number[];
  /** Ŷ: softmax(Z_L) for cross-entropy, else Z_L. */
  y: number;
}

export class FastCpuTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  readonly config: MlpConfig;
  /** Threads in use, the caller included. */
  readonly threads: number;
  /** "CPU: WASM SIMD, N threads". */
  readonly engine: string;
  private readonly h: Float32Array;
  private readonly layers: number[];
  private readonly L: number;
  private readonly B: number;
  private readonly wTotal: number;
  private readonly bTotal: number;
  private readonly valRows: number;
  /** Where each tensor starts in the heap (float indices); all layers' weights lie back to back, so one update pass covers them. */
  private readonly at: Layout['offsets'];
  private readonly kBlock: number;
  private readonly nBlock: number;
  /** Whether the rule keeps a first (v or m) and a second (s) state buffer: 1 or 0 each. */
  private readonly stateCount: [number, number];
  private stepCount = 0;
  private lastTrainLoss = Number.NaN;
  /** Rows of the last step's batch classified right (docs/RULES.md, "Accuracy"); NaN before any step. */
  private lastTrainCorrect = Number.NaN;
  private disposed = false;
  private busy = false;

  private constructor(
    config: MlpConfig,
    readonly variant: Variant,
    data: Dataset,
    private readonly pool: ThreadPool,
    layout: Layout,
  ) {
    this.config = config;
    this.threads = pool.threads;
    this.engine = cpuEngineName(pool.threads, layout.flavour ?? 'plain');
    this.h = new Float32Array(layout.memory.buffer);
    this.layers = config.layers;
    this.L = config.layers.length - 1;
    this.B = config.batch;
    this.wTotal = layout.wTotal;
    this.bTotal = layout.bTotal;
    this.valRows = data.validation.rows;
    this.at = layout.offsets;
    const states = stateCount(config.optimizer);
    this.stateCount = [states >= 1 ? 1 : 0, states >= 2 ? 1 : 0];
    this.kBlock = layout.kBlock;
    this.nBlock = layout.nBlock;
    // The data, rounded to float32 once.
    this.h.set(data.train.x, this.at.trainX);
    this.h.set(data.train.t, this.at.trainT);
    this.h.set(data.validation.x, this.at.valX);
    this.h.set(data.validation.t, this.at.valT);
    this.loadParameters(initialParameters(config));
  }

  static async create(config: MlpConfig, variant: Variant, data: Dataset, options: FastCpuOptions = {}): Promise<FastCpuTrainer> {
    const valid = validateConfig({ ...config });
    checkDataset(valid, data);
    // Workers share memory through SharedArrayBuffer, which a page has only when it is
    // cross-origin isolated (COOP/COEP): without it the default is one thread, and an explicit
    // request for more is an error that says how to get it. A thread that may not block (a
    // page's main thread) gets one thread by default too; the page runs this trainer in a
    // worker (cpu-host-worker.ts) to have more.
    const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && (globalThis.crossOriginIsolated ?? true);
    const requested = options.workers ?? (sharedMemory && canBlockHere() ? Math.min(MAX_WORKERS, await platformThreads()) : 1);
    if (!Number.isInteger(requested) || requested < 1) throw new Error(`workers = ${requested}: must be an integer ≥ 1`);
    if (requested > 1 && !sharedMemory)
      throw new Error(
        `workers = ${requested} needs SharedArrayBuffer, which this page does not have: serve it with ` +
          'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, or use workers = 1',
      );
    if (requested > MAX_WORKERS) throw new Error(`workers = ${requested}: must be at most ${MAX_WORKERS}`);
    const threads = requested;
    const kBlock = options.kBlock ?? DEFAULT_K_BLOCK;
    const nBlock = options.nBlock ?? DEFAULT_N_BLOCK;
    const flavour = options.kernels ?? bestFlavour();
    const layout = { ...planLayout(valid, data.validation.rows, threads, kBlock, nBlock), flavour };
    const pool = await ThreadPool.create(layout.memory, kernelModule(threads > 1, flavour), threads);
    return new FastCpuTrainer(valid, variant, data, pool, layout);
  }

  get step(): number {
    return this.stepCount;
  }

  private alive(): void {
    if (this.disposed) throw new Error('This fast CPU trainer was disposed; create a new one.');
    if (this.busy) throw new Error('This fast CPU trainer is already running a call; await it first.');
  }

  private loadParameters(p: MlpParameters): void {
    const h = this.h;
    for (let l = 0; l < this.L; l++) {
      h.set(p.weights[l], this.at.W + this.at.wOff[l]);
      h.set(p.biases[l], this.at.Bs + this.at.bOff[l]);
    }
    // Optimizer state v, m, s back to 0 (docs/RULES.md: they start at 0).
    const [s1, s2] = this.stateCount;
    h.fill(0, this.at.wS1, this.at.wS1 + s1 * this.wTotal);
    h.fill(0, this.at.wS2, this.at.wS2 + s2 * this.wTotal);
    h.fill(0, this.at.bS1, this.at.bS1 + s1 * this.bTotal);
    h.fill(0, this.at.bS2, this.at.bS2 + s2 * this.bTotal);
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.alive();
    assertParameterShapes(p, this.layers);
    this.loadParameters(p);
    this.stepCount = 0;
    this.lastTrainLoss = Number.NaN;
    this.lastTrainCorrect = Number.NaN;
  }

  async getParameters(): Promise<MlpParameters> {
    this.alive();
    const weights: Float64Array[] = [];
    const biases: Float64Array[] = [];
    for (let l = 1; l <= this.L; l++) {
      const nIn = this.layers[l - 1];
      const nOut = this.layers[l];
      const w = this.at.W + this.at.wOff[l - 1];
      const b = this.at.Bs + this.at.bOff[l - 1];
      weights.push(Float64Array.from(this.h.subarray(w, w + nIn * nOut)));
      biases.push(Float64Array.from(this.h.subarray(b, b + nOut)));
    }
    return { weights, biases };
  }

  async train(steps: number): Promise<TrainTiming> {
    this.alive();
    checkStepCount(steps);
    this.busy = true;
    try {
      for (let i = 0; i < steps; i++) this.stepOnce();
    } finally {
      this.busy = false;
    }
    return {};
  }

  /** One step: forward, loss and dZ_L, backward, update (docs/RULES.md order). */
  private stepOnce(): void {
    const t = this.stepCount + 1;
    const first = ((t - 1) % trainBatchCount(this.config)) * this.B;
    const x = this.at.trainX + first * this.layers[0];
    const targets = this.at.trainT + first * this.layers[this.L];
    for (let l = 1; l <= this.L; l++) this.pool.run(this.forwardTasks(this.at.trainPass, x, this.B, l));
    this.lastTrainLoss = this.lossAndOutputGradient(targets);
    if (hasAccuracy(this.config)) this.lastTrainCorrect = this.correct(this.at.trainPass, targets, this.B);
    for (let l = this.L; l >= 1; l--) this.pool.run(this.backwardTasks(l, x));
    this.pool.run(this.updateTasks(t));
    this.stepCount = t;
  }

  /** Z_l = A_{l−1}·W_l + b_l, A_l = act(Z_l) fused (none on the output layer). */
  private forwardTasks(pass: PassBuffers, x: number, rows: number, l: number): number {
    const nIn = this.layers[l - 1];
    const nOut = this.layers[l];
    const input = l === 1 ? x : pass.a[l - 2];
    const hidden = l < this.L;
    const mode = !hidden ? MODE.NONE : this.config.activation === 'tanh' ? MODE.TANH : MODE.RELU;
    this.pool.task(0, TASK.MATMUL, [
      input,
      nIn,
      1,
      this.at.W + this.at.wOff[l - 1],
      nOut,
      1,
      pass.z[l - 1],
      nOut,
      nIn,
      rows,
      this.at.Bs + this.at.bOff[l - 1],
      mode,
      hidden ? pass.a[l - 1] : 0,
      0,
      this.kBlock,
      this.nBlock,
      this.at.pack,
    ]);
    return 1;
  }

  /** dW_l = A_{l−1}ᵀ·dZ_l, db_l = Σ dZ_l, and (l > 1) dZ_{l−1} = (dZ_l·W_lᵀ) ⊙ act'(Z_{l−1}): one job. */
  private backwardTasks(l: number, x: number): number {
    const nIn = this.layers[l - 1];
    const nOut = this.layers[l];
    const B = this.B;
    const aPrev = l === 1 ? x : this.at.trainPass.a[l - 2];
    const dZ = this.at.dZ[l - 1];
    const W = this.at.W + this.at.wOff[l - 1];
    this.pool.task(0, TASK.MATMUL, [
      aPrev,
      1,
      nIn,
      dZ,
      nOut,
      1,
      this.at.dW + this.at.wOff[l - 1],
      nOut,
      B,
      nIn,
      -1,
      MODE.NONE,
      0,
      0,
      this.kBlock,
      this.nBlock,
      this.at.pack,
    ]);
    this.pool.task(1, TASK.COLSUM, [dZ, B, nOut, this.at.dB + this.at.bOff[l - 1]]);
    if (l === 1) return 2;
    const tanh = this.config.activation === 'tanh';
    this.pool.task(2, TASK.MATMUL, [
      dZ,
      nOut,
      1,
      W,
      1,
      nOut,
      this.at.dZ[l - 2],
      nIn,
      nOut,
      B,
      -1,
      tanh ? MODE.TANH_BACK : MODE.RELU_BACK,
      this.at.trainPass.z[l - 2],
      aPrev,
      this.kBlock,
      this.nBlock,
      this.at.pack,
    ]);
    return 3;
  }

  /** The rule on all weights (regularized) and all biases (regularized only if configured), one pass each. */
  private updateTasks(t: number): number {
    const c = this.config;
    const hp = hyperparameters(c);
    const opt = OPTIMIZER_ID[c.optimizer];
    this.pool.task(0, TASK.UPDATE, [opt, this.at.W, this.at.dW, this.at.wS1, this.at.wS2, this.wTotal], stepConstants(hp, this.variant, true, t));
    this.pool.task(
      1,
      TASK.UPDATE,
      [opt, this.at.Bs, this.at.dB, this.at.bS1, this.at.bS2, this.bTotal],
      stepConstants(hp, this.variant, c.regularizeBias, t),
    );
    return 2;
  }

  /**
   * Mean loss of the pass's outputs against `targets` and, for the training pass, dZ_L =
   * (Ŷ − T)/B. Small (B × n_L), so on the calling thread, in float64 like the reference.
   */
  /** Rows of a forward pass whose logits pick their target (src/model/accuracy.ts), read in the heap. */
  private correct(pass: PassBuffers, targets: number, rows: number): number {
    return correctRows(this.h, pass.z[this.L - 1], this.h, targets, rows, this.layers[this.L]);
  }

  private lossAndOutputGradient(targets: number, pass: PassBuffers = this.at.trainPass, rows = this.B, gradient = true): number {
    const h = this.h;
    const n = this.layers[this.L];
    const z = pass.z[this.L - 1];
    const ce = this.config.loss === 'ce';
    const dZ = this.at.dZ[this.L - 1];
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const zr = z + r * n;
      const tr = targets + r * n;
      const yr = pass.y + r * n;
      if (ce) {
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = Math.max(max, h[zr + k]);
        let sum = 0;
        for (let k = 0; k < n; k++) sum += Math.exp(h[zr + k] - max);
        const logSumExp = max + Math.log(sum);
        for (let k = 0; k < n; k++) {
          total += h[tr + k] * (logSumExp - h[zr + k]);
          h[yr + k] = Math.exp(h[zr + k] - max) / sum;
        }
      } else {
        for (let k = 0; k < n; k++) total += 0.5 * (h[zr + k] - h[tr + k]) ** 2;
      }
      if (gradient) for (let k = 0; k < n; k++) h[dZ + r * n + k] = (h[yr + k] - h[tr + k]) / rows;
    }
    return total / rows;
  }

  async norms(): Promise<number[]> {
    this.alive();
    const out: number[] = [];
    for (let l = 1; l <= this.L; l++) {
      const w = this.at.W + this.at.wOff[l - 1];
      const n = this.layers[l - 1] * this.layers[l];
      let s = 0;
      for (let i = w; i < w + n; i++) s += this.h[i] * this.h[i];
      out.push(Math.sqrt(s));
    }
    return out;
  }

  async losses(): Promise<Losses> {
    this.alive();
    this.busy = true;
    try {
      for (let l = 1; l <= this.L; l++) this.pool.run(this.forwardTasks(this.at.valPass, this.at.valX, this.valRows, l));
      const validation = this.lossAndOutputGradient(this.at.valT, this.at.valPass, this.valRows, false);
      const accuracy = hasAccuracy(this.config);
      return {
        train: this.lastTrainLoss,
        validation,
        trainAccuracy: accuracy ? this.lastTrainCorrect / this.B : Number.NaN,
        validationAccuracy: accuracy ? this.correct(this.at.valPass, this.at.valT, this.valRows) / this.valRows : Number.NaN,
      };
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.dispose();
  }
}

interface Layout {
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
function planLayout(config: MlpConfig, valRows: number, threads: number, kBlock: number, nBlock: number): Layout {
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

/** A fast CPU trainer (float32, blocked matmuls, `workers` threads); resolves once its workers run. */
export function createFastCpuTrainer(config: MlpConfig, variant: Variant, data: Dataset, options?: FastCpuOptions): Promise<FastCpuTrainer> {
  return FastCpuTrainer.create(config, variant, data, options);
}
