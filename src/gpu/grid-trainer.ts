/**
 * The grid trainer (docs/DESIGN.md, Grid): G models of one shape and one update rule, each with its
 * own η and λ or α, trained together from the same initial weights on the same batches. The passes
 * are the single-model trainer's, given the model dimension (src/gpu/step-passes.ts): one pipeline
 * per product, the model index a dispatch dimension, each model's (η, λ, α) in a storage buffer;
 * no per-model pass, and a step's dispatch count does not depend on G.
 */
import type { MlpConfig, Variant } from '../model/config';
import { validateConfig, validationRowCount } from '../model/config';
import { hasAccuracy } from '../model/accuracy';
import type { Dataset } from '../model/data';
import { checkGridPoints } from '../model/grid-points';
import type { GridEvaluation, GridPoint, GridTrainer } from '../model/grid-trainer';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import { checkDataset } from '../model/trainer';
import type { GpuTrainerOptions } from './gpu-run';
import { GpuRun, buildInErrorScopes } from './gpu-run';
import { checkGpuFit, maxGridModels } from './memory-plan';
import type { GridBuffers } from './run-buffers';

export class GpuGridTrainer extends GpuRun implements GridTrainer {
  readonly engine: string;
  readonly points: readonly GridPoint[];
  private readonly grid: GridBuffers;

  /** Use createGpuGridTrainer: it checks the points and the limits first and catches set-up errors. */
  constructor(device: GPUDevice, config: MlpConfig, variant: Variant, data: Dataset, points: readonly GridPoint[], options: GpuTrainerOptions = {}) {
    const valid = validateConfig({ ...config });
    // The step slots carry the schedule's factors (η_t/η, α_t/α: 1 for a constant schedule); each
    // model multiplies in its own η, λ, α (shaders/update.wgsl).
    super(device, valid, variant, data, options, 'GpuGridTrainer', { ...valid, lr: 1, lambda: 1 }, points.length);
    this.points = points.map((p) => ({ lr: p.lr, lambda: p.lambda, alpha: p.alpha }));
    this.engine = `GPU: ${points.length} models per dispatch`;
    this.grid = this.run.models!;
    const own = new Float32Array(4 * points.length);
    this.points.forEach((p, g) => own.set([p.lr, p.lambda, p.alpha, 0], 4 * g));
    device.queue.writeBuffer(this.grid.hyperparameters, 0, own);
    this.writeParameters(initialParameters(this.config));
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.alive();
    assertParameterShapes(p, this.config.layers);
    this.writeParameters(p);
  }

  async getParameters(index: number): Promise<MlpParameters> {
    this.alive();
    if (!(Number.isInteger(index) && index >= 0 && index < this.points.length))
      throw new Error(`getParameters(index): index = ${String(index)}: must be an integer from 0 to ${this.points.length - 1}`);
    return this.serial(async () => {
      const { layers } = this.config;
      const weights: Float64Array[] = [];
      const biases: Float64Array[] = [];
      for (let i = 0; i < this.run.layers.length; i++) {
        const { weights: w, biases: b } = this.run.layers[i];
        weights.push(await this.readFloats(w, layers[i] * layers[i + 1], index * this.grid.stride(w)));
        biases.push(await this.readFloats(b, layers[i + 1], index * this.grid.stride(b)));
      }
      return { weights, biases };
    });
  }

  /**
   * The validation forward and loss of every model (the validation set in batch-sized chunks, as
   * for one model), then every model's losses and validation count of rows classified right in one
   * read: 4G floats, never the logits.
   */
  async evaluate(): Promise<GridEvaluation[]> {
    this.alive();
    const G = this.points.length;
    const values = await this.readSmall(
      (encoder) => this.passes.encodeValidation(encoder),
      [
        { buffer: this.run.lossTrain, floats: 2 * G },
        { buffer: this.run.lossValidation, floats: 2 * G },
      ],
    );
    const accuracy = hasAccuracy(this.config);
    const rows = validationRowCount(this.config);
    return this.points.map((_, g) => ({
      train: values[2 * g],
      validation: values[2 * G + 2 * g],
      validationAccuracy: accuracy ? values[2 * G + 2 * g + 1] / rows : Number.NaN,
    }));
  }

  protected disposeOwn(): void {}
}

/**
 * Checks the points, the limits (naming the buffer, and how many models of this shape would fit)
 * and the dataset before allocating anything, then builds the grid inside error scopes.
 */
export async function createGpuGridTrainer(
  device: GPUDevice,
  config: MlpConfig,
  variant: Variant,
  data: Dataset,
  points: readonly GridPoint[],
  options: GpuTrainerOptions = {},
): Promise<GpuGridTrainer> {
  const valid = validateConfig({ ...config });
  checkGridPoints(points);
  const tooBig = checkGpuFit(valid, device.limits, options.memoryBudgetBytes, { models: points.length });
  if (tooBig) {
    const most = maxGridModels(valid, device.limits, options.memoryBudgetBytes);
    throw new Error(
      `This grid does not fit the GPU: ${tooBig}. ${most === 0 ? 'Not one model of this shape fits.' : `At most ${most} models of this shape fit.`}`,
    );
  }
  checkDataset(valid, data);
  return buildInErrorScopes(device, () => new GpuGridTrainer(device, valid, variant, data, points, options));
}
