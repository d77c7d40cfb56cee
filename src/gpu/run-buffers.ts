/**
 * Every GPU buffer of one run, allocated from the memory plan's own list (src/gpu/memory-plan.ts):
 * what checkGpuFit counted is what is made, and a buffer the plan does not hold cannot be taken.
 */
import type { MlpConfig } from '../model/config';
import type { Dataset } from '../model/data';
import type { BufferUse } from './memory-plan';
import { gpuMemoryPlan } from './memory-plan';

export interface LayerBuffers {
  weights: GPUBuffer;
  biases: GPUBuffer;
  weightGrads: GPUBuffer;
  biasGrads: GPUBuffer;
  /** Optimizer state of W and b: [v] for momentum, [m, s] for Adam, [] for SGD. */
  weightState: GPUBuffer[];
  biasState: GPUBuffer[];
  /** A_l for hidden layers, Z_L for the output layer: [B, n_l]. */
  activations: GPUBuffer;
  /** dZ_l: [B, n_l]. */
  activationGrads: GPUBuffer;
}

export interface RunBuffers {
  trainX: GPUBuffer;
  trainT: GPUBuffer;
  validationX: GPUBuffer;
  validationT: GPUBuffer;
  batchX: GPUBuffer;
  batchT: GPUBuffer;
  rowLoss: GPUBuffer;
  lossTrain: GPUBuffer;
  lossValidation: GPUBuffer;
  normSums: GPUBuffer;
  /** STEPS_PER_SUBMIT slots of StepParams (src/gpu/passes/step-params.ts). */
  stepParams: GPUBuffer;
  /** Reused for every readback. */
  staging: GPUBuffer;
  layers: LayerBuffers[];
  /** A grid's model dimension (src/gpu/grid-trainer.ts); null for one model. */
  models: GridBuffers | null;
  /** Everything above, for dispose. */
  all: GPUBuffer[];
}

export interface GridBuffers {
  count: number;
  /** [count] of (η, λ, α, unused), shaders/update.wgsl's model_params. */
  hyperparameters: GPUBuffer;
  /** Floats from one model's part of a buffer to the next; 0 for a buffer the models share. */
  stride(buffer: GPUBuffer): number;
}

// A function, not a table: GPUBufferUsage exists only where WebGPU does, and this module may be
// imported (through src/gpu/index.ts) where it does not.
function usage(use: BufferUse): number {
  if (use === 'uniform') return GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
  if (use === 'readback') return GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
}

/**
 * Allocates the plan's buffers (a grid's with `models`) and uploads the dataset. On a throw, what
 * was made is in `made`.
 */
export function allocateRunBuffers(device: GPUDevice, config: MlpConfig, data: Dataset, made: GPUBuffer[], models?: number): RunBuffers {
  const plan = gpuMemoryPlan(config, models);
  const byId = new Map<string, GPUBuffer>();
  const strides = new Map<GPUBuffer, number>();
  const owner = models === undefined ? 'GpuTrainer' : 'GpuGridTrainer';
  for (const b of plan.buffers) {
    const buffer = device.createBuffer({ label: `${owner}.${b.id}`, size: b.bytes, usage: usage(b.use) });
    made.push(buffer);
    byId.set(b.id, buffer);
    strides.set(buffer, b.modelStride);
  }
  const take = (id: string): GPUBuffer => {
    const b = byId.get(id);
    if (!b) throw new Error(`GPU memory plan has no buffer ${id}`);
    return b;
  };
  const states = (id: string) => [1, 2].filter((s) => byId.has(`${id}.state${s}`)).map((s) => take(`${id}.state${s}`));
  const L = config.layers.length - 1;
  const layers: LayerBuffers[] = [];
  for (let l = 1; l <= L; l++) {
    layers.push({
      weights: take(`layer${l}.weights`),
      biases: take(`layer${l}.biases`),
      weightGrads: take(`layer${l}.weightGrads`),
      biasGrads: take(`layer${l}.biasGrads`),
      weightState: states(`layer${l}.weights`),
      biasState: states(`layer${l}.biases`),
      activations: take(`layer${l}.activations`),
      activationGrads: take(`layer${l}.activationGrads`),
    });
  }
  const run: RunBuffers = {
    trainX: take('train.inputs'),
    trainT: take('train.targets'),
    validationX: take('validation.inputs'),
    validationT: take('validation.targets'),
    batchX: take('batch.inputs'),
    batchT: take('batch.targets'),
    rowLoss: take('rowLoss'),
    lossTrain: take('loss.train'),
    lossValidation: take('loss.validation'),
    normSums: take('norms.sumsOfSquares'),
    stepParams: take('stepParams'),
    staging: take('staging'),
    layers,
    models: models === undefined ? null : { count: models, hyperparameters: take('models.hyperparameters'), stride: (buffer) => strides.get(buffer) ?? 0 },
    all: [...byId.values()],
  };
  // The plan holds what the steps read: trainRowCount training rows and validationRowCount
  // validation rows (src/model/config.ts); extra rows of a larger dataset are never read, so never uploaded.
  const upload = (b: GPUBuffer, values: ArrayLike<number>) => {
    const floats = new Float32Array(Math.min(values.length, b.size / 4));
    for (let i = 0; i < floats.length; i++) floats[i] = values[i];
    device.queue.writeBuffer(b, 0, floats);
  };
  upload(run.trainX, data.train.x);
  upload(run.trainT, data.train.t);
  upload(run.validationX, data.validation.x);
  upload(run.validationT, data.validation.t);
  return run;
}
