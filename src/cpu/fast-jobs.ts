/**
 * The jobs a fast CPU step posts to the thread pool (fast.ts): each product, column sum and
 * update written as the task arguments runJob reads (src/cpu/assembly/kernels.ts lists them).
 * Each method fills the job's tasks and returns how many, for ThreadPool.run.
 */
import type { MlpConfig, Variant } from '../model/config';
import type { Hyperparameters } from '../model/update-rules';
import { OPTIMIZER_ID, hyperparameters, stepConstants, stepHyperparameters } from '../model/update-rules';
import type { Layout, PassBuffers } from './fast-layout';
import type { ThreadPool } from './thread-pool';
import { TASK } from './wasm-kernels';

/** A product's fused epilogue (src/cpu/assembly/epilogue.ts). */
const MODE = { NONE: 0, TANH: 1, RELU: 2, TANH_BACK: 3, RELU_BACK: 4 } as const;

export class StepJobs {
  private readonly layers: number[];
  private readonly L: number;
  private readonly B: number;
  private readonly at: Layout['offsets'];
  /** Step t's η_t and α_t, refilled in place every step (no allocation in the training loop). */
  private readonly stepHp: Hyperparameters;

  constructor(
    private readonly pool: ThreadPool,
    private readonly config: MlpConfig,
    private readonly variant: Variant,
    private readonly layout: Layout,
  ) {
    this.layers = config.layers;
    this.L = config.layers.length - 1;
    this.B = config.batch;
    this.at = layout.offsets;
    this.stepHp = hyperparameters(config);
  }

  /** Z_l = A_{l−1}·W_l + b_l, A_l = act(Z_l) fused (none on the output layer). */
  forward(pass: PassBuffers, x: number, rows: number, l: number): number {
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
      this.layout.kBlock,
      this.layout.nBlock,
      this.at.pack,
    ]);
    return 1;
  }

  /** dW_l = A_{l−1}ᵀ·dZ_l, db_l = Σ dZ_l, and (l > 1) dZ_{l−1} = (dZ_l·W_lᵀ) ⊙ act'(Z_{l−1}): one job. */
  backward(l: number, x: number): number {
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
      this.layout.kBlock,
      this.layout.nBlock,
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
      this.layout.kBlock,
      this.layout.nBlock,
      this.at.pack,
    ]);
    return 3;
  }

  /** The rule on all weights (regularized) and all biases (regularized only if configured), one pass each. */
  update(t: number): number {
    const c = this.config;
    // η_t and α_t of this step (docs/RULES.md, Schedules).
    const hp = stepHyperparameters(c, t, this.stepHp);
    const opt = OPTIMIZER_ID[c.optimizer];
    this.pool.task(0, TASK.UPDATE, [opt, this.at.W, this.at.dW, this.at.wS1, this.at.wS2, this.layout.wTotal], stepConstants(hp, this.variant, true, t));
    this.pool.task(
      1,
      TASK.UPDATE,
      [opt, this.at.Bs, this.at.dB, this.at.bS1, this.at.bS2, this.layout.bTotal],
      stepConstants(hp, this.variant, c.regularizeBias, t),
    );
    return 2;
  }
}
