import type { Backend, MlpConfig, Variant } from './config';
import type { MlpParameters } from './parameters';

/** Losses at the trainer's current state. */
export interface Losses {
  /** Mean loss of the last step's mini-batch, computed in its forward pass (before its update); NaN before any step. */
  train: number;
  /** Mean loss on the validation batch at the current weights. */
  validation: number;
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
