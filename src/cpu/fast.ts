/**
 * The fast CPU trainer: float32 WebAssembly SIMD kernels (src/cpu/assembly/:
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
 *
 * Its parts: fast-layout.ts (where each tensor sits in the memory), fast-jobs.ts (the jobs a step
 * posts to the pool), fast-loss.ts (the output layer's loss and dZ_L).
 */
import type { MlpConfig, Variant } from '../model/config';
import { trainBatchCount, validateConfig } from '../model/config';
import { hasAccuracy } from '../model/accuracy';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import { checkDataset, checkStepCount } from '../model/trainer';
import { stateCount } from '../model/update-rules';
import { StepJobs } from './fast-jobs';
import type { Layout } from './fast-layout';
import { planLayout } from './fast-layout';
import { outputCorrect, outputLoss } from './fast-loss';
import { ThreadPool, canBlockHere, platformThreads } from './thread-pool';
import type { KernelFlavour } from './wasm-kernels';
import { bestFlavour, kernelModule } from './wasm-kernels';

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
  /** What each step posts to the pool. */
  private readonly jobs: StepJobs;
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
    this.jobs = new StepJobs(pool, config, variant, layout);
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
    for (let l = 1; l <= this.L; l++) this.pool.run(this.jobs.forward(this.at.trainPass, x, this.B, l));
    this.lastTrainLoss = outputLoss(this.h, this.config, this.at.trainPass, targets, this.B, this.at.dZ[this.L - 1]);
    if (hasAccuracy(this.config)) this.lastTrainCorrect = outputCorrect(this.h, this.config, this.at.trainPass, targets, this.B);
    for (let l = this.L; l >= 1; l--) this.pool.run(this.jobs.backward(l, x));
    this.pool.run(this.jobs.update(t));
    this.stepCount = t;
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
      for (let l = 1; l <= this.L; l++) this.pool.run(this.jobs.forward(this.at.valPass, this.at.valX, this.valRows, l));
      const validation = outputLoss(this.h, this.config, this.at.valPass, this.at.valT, this.valRows, null);
      const accuracy = hasAccuracy(this.config);
      return {
        train: this.lastTrainLoss,
        validation,
        trainAccuracy: accuracy ? this.lastTrainCorrect / this.B : Number.NaN,
        validationAccuracy: accuracy ? outputCorrect(this.h, this.config, this.at.valPass, this.at.valT, this.valRows) / this.valRows : Number.NaN,
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

/** A fast CPU trainer (float32, blocked matmuls, `workers` threads); resolves once its workers run. */
export function createFastCpuTrainer(config: MlpConfig, variant: Variant, data: Dataset, options?: FastCpuOptions): Promise<FastCpuTrainer> {
  return FastCpuTrainer.create(config, variant, data, options);
}
