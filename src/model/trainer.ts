import type { Backend, MlpConfig, Variant } from './config';
import { trainRowCount } from './config';
import type { Dataset } from './data';
import type { MlpParameters } from './parameters';

/** Losses at the trainer's current state. */
export interface Losses {
  /** Mean loss of the last step's mini-batch, computed in its forward pass (before its update); NaN before any step. */
  train: number;
  /** Mean loss on the validation rows at the current weights (all of them, however many batches they make). */
  validation: number;
  /** Share of the last step's batch classified right, in its forward pass (docs/RULES.md, "Accuracy"); NaN for mse and before any step. */
  trainAccuracy: number;
  /** Share of the validation rows classified right at the current weights; NaN for mse. */
  validationAccuracy: number;
}

/** What one `train` call measured beyond wall time. */
export interface TrainTiming {
  /** Device time of the steps in milliseconds (GPU timestamp-query), when the backend measured it. */
  deviceMs?: number;
}

/**
 * The interface every backend implements (reference, fast CPU, GPU), so that two trainers
 * can start from the same weights and be compared step by step. All methods are async
 * because the GPU's are; CPU backends resolve at once.
 */
export interface Trainer {
  readonly backend: Backend;
  /** What runs it, in words, where the backend says (the CPU: "CPU: WASM SIMD, 2 threads"). */
  readonly engine?: string;
  readonly variant: Variant;
  readonly config: MlpConfig;
  /** Steps taken since construction or the last setParameters. */
  readonly step: number;
  /** Replaces all weights and biases; resets optimizer state (v, m, s = 0) and the step count. */
  setParameters(p: MlpParameters): Promise<void>;
  /** A float64 copy of all weights and biases. */
  getParameters(): Promise<MlpParameters>;
  /** Runs `steps` training steps and resolves once they are complete. */
  train(steps: number): Promise<TrainTiming>;
  /** Per-layer Frobenius norms ‖W_l‖_F. */
  norms(): Promise<number[]>;
  losses(): Promise<Losses>;
  /** Frees what the trainer holds; later calls reject. */
  dispose(): void;
}

/**
 * Throws unless `data` fits `config`: inputs and outputs match the first and last layer widths,
 * there are batch × trainBatches training rows and at least one validation row, and every array
 * holds rows × width values. Every trainer calls it before it allocates anything, so a dataset
 * made for another configuration is refused with both shapes named instead of training nothing.
 */
export function checkDataset(config: MlpConfig, data: Dataset): void {
  const inputs = config.layers[0];
  const outputs = config.layers[config.layers.length - 1];
  if (data.inputs !== inputs || data.outputs !== outputs)
    throw new Error(
      `data has ${data.inputs} inputs and ${data.outputs} outputs; the model (layers ${config.layers.join(',')}) wants ${inputs} and ${outputs}`,
    );
  const needed = trainRowCount(config);
  if (!(data.train.rows >= needed))
    throw new Error(
      `data has ${data.train.rows} training rows; ` +
        (config.dataset === 'mnist'
          ? `trainSize = ${needed} needs ${needed}`
          : `batch × trainBatches = ${config.batch} × ${config.trainBatches} needs ${needed}`),
    );
  if (!(data.validation.rows >= 1)) throw new Error(`data has ${data.validation.rows} validation rows; at least 1 is needed`);
  for (const [name, split] of [
    ['train', data.train],
    ['validation', data.validation],
  ] as const) {
    if (split.x.length !== split.rows * inputs || split.t.length !== split.rows * outputs)
      throw new Error(
        `data.${name} holds ${split.x.length} inputs and ${split.t.length} targets; ${split.rows} rows need ${split.rows * inputs} and ${split.rows * outputs}`,
      );
  }
}

/** Throws unless `steps` is an integer ≥ 1 (what every `train(steps)` accepts), naming the value. */
export function checkStepCount(steps: unknown): asserts steps is number {
  if (!(typeof steps === 'number' && Number.isInteger(steps) && steps >= 1))
    throw new Error(`train(steps): steps = ${typeof steps === 'string' ? JSON.stringify(steps) : String(steps)}: must be an integer ≥ 1`);
}
