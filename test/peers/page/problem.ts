/**
 * The one training problem every engine gets: the run configuration (validated by the
 * library, so a bad shape fails with its message), the library's synthetic data (one
 * mini-batch, reused every step) and its Glorot initial weights, in float32 for the peers.
 */
import { initialParameters, makeDataset, validateConfig, type Dataset, type MlpConfig } from '../../../src/index';
import { STEP, type PeerShape } from '../protocol';

export interface Problem {
  config: MlpConfig;
  data: Dataset;
  /** The batch as float32, row-major: x [B, n_0], t [B, n_L]. */
  x: Float32Array<ArrayBuffer>;
  t: Float32Array<ArrayBuffer>;
  /** W_l row-major [n_{l-1}, n_l] and b_l, float32. */
  weights: Float32Array<ArrayBuffer>[];
  biases: Float32Array<ArrayBuffer>[];
}

export function makeProblem(shape: PeerShape): Problem {
  // trainBatches 1: every engine trains on the same batch every step, so their losses compare.
  const config = validateConfig({ ...STEP, layers: shape.layers, batch: shape.batch, trainBatches: 1, steps: 1 });
  const data = makeDataset(config);
  const init = initialParameters(config);
  return {
    config,
    data,
    x: Float32Array.from(data.train.x),
    t: Float32Array.from(data.train.t),
    weights: init.weights.map((w) => Float32Array.from(w)),
    biases: init.biases.map((b) => Float32Array.from(b)),
  };
}

/**
 * One engine set up on a problem. `steps(n)` runs n training steps and resolves once they
 * are complete (one wait for the device per call, never one per step), returning the loss
 * of the last step's batch before its update when the engine had it at hand, else null
 * (then `loss()` reads it, outside the timed region).
 */
export interface EngineRun {
  label: string;
  steps(n: number): Promise<number | null>;
  loss(): Promise<number>;
  dispose(): void;
}
