/**
 * The contract of a grid run's trainer (docs/DESIGN.md, Grid): G models of one shape and one
 * update rule, each with its own learning rate and regularization strength, trained together from
 * the same initial weights. The GPU implements it with the model index as a dispatch dimension;
 * any single-model Trainer can implement it by running the points one after another.
 */
import type { Backend, MlpConfig, Variant } from './config';
import type { MlpParameters } from './parameters';
import type { TrainTiming } from './trainer';

/** One model's hyperparameters. The variant decides which strength applies: `l2` uses λ, `decay` uses α. */
export interface GridPoint {
  /** η (the base learning rate when the config has a schedule). */
  lr: number;
  /** The L2 coefficient λ (variant `l2`). */
  lambda: number;
  /** The per-step decay factor α (variant `decay`). */
  alpha: number;
}

/** One model's figures at the current weights. */
export interface GridEvaluation {
  /** Mean loss of the last step's mini-batch; NaN before any step. */
  train: number;
  /** Mean loss over the validation set. */
  validation: number;
  /** Fraction of validation rows whose argmax matches the target's (CE); NaN for MSE. */
  validationAccuracy: number;
}

export interface GridTrainer {
  readonly backend: Backend;
  /** What runs it, in words ("GPU: 64 models per dispatch", "CPU: WASM SIMD, 2 threads, one model at a time"). */
  readonly engine?: string;
  /** Shape, optimizer, loss, data; its lr, lambda are replaced per model by the points. */
  readonly config: MlpConfig;
  readonly variant: Variant;
  readonly points: readonly GridPoint[];
  /** Steps taken since construction or the last setParameters (the same for every model). */
  readonly step: number;
  /** Every model starts from `p`; optimizer state and the step count reset. */
  setParameters(p: MlpParameters): Promise<void>;
  /** Runs `steps` steps of every model and resolves once they are complete. */
  train(steps: number): Promise<TrainTiming>;
  /** One evaluation per point, in the order of `points`. */
  evaluate(): Promise<GridEvaluation[]>;
  /** A float64 copy of model `index`'s weights and biases. */
  getParameters(index: number): Promise<MlpParameters>;
  dispose(): void;
}
