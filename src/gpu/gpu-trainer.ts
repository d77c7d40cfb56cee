/**
 * The GPU trainer: docs/RULES.md in WGSL, one model. It owns every buffer of a run (data, weights,
 * optimizer state, each layer's activations and gradients), all made once at construction; the
 * training loop, uploads and readbacks are GpuRun's (src/gpu/gpu-run.ts), shared with the grid
 * trainer. Norms and losses come back only on request, through one reused staging buffer.
 */
import type { MlpConfig, Variant } from '../model/config';
import { validateConfig, validationRowCount } from '../model/config';
import { hasAccuracy } from '../model/accuracy';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import type { Losses, Trainer } from '../model/trainer';
import { checkDataset } from '../model/trainer';
import type { GpuTrainerOptions } from './gpu-run';
import { GpuRun, buildInErrorScopes } from './gpu-run';
import { Kernels } from './kernels';
import { checkGpuFit } from './memory-plan';
import { NormsPass } from './passes/norms-pass';

export type { GpuTrainerOptions } from './gpu-run';
export { STEPS_PER_SUBMIT } from './passes/step-params';

export class GpuTrainer extends GpuRun implements Trainer {
  private readonly normsPass: NormsPass;

  /** Use createGpuTrainer: it checks the limits first and catches set-up errors. */
  constructor(device: GPUDevice, config: MlpConfig, variant: Variant, data: Dataset, options: GpuTrainerOptions = {}) {
    const valid = validateConfig({ ...config });
    super(device, valid, variant, data, options, 'GpuTrainer', valid);
    try {
      const { layers } = this.config;
      this.normsPass = new NormsPass(
        Kernels.of(device),
        'GpuTrainer.norms',
        this.run.layers.map((layer, i) => ({ buffer: layer.weights, count: layers[i] * layers[i + 1] })),
        this.run.normSums,
      );
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.writeParameters(initialParameters(this.config));
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.alive();
    assertParameterShapes(p, this.config.layers);
    this.writeParameters(p);
  }

  async getParameters(): Promise<MlpParameters> {
    this.alive();
    return this.serial(async () => {
      const { layers } = this.config;
      const weights: Float64Array[] = [];
      const biases: Float64Array[] = [];
      for (let i = 0; i < this.run.layers.length; i++) {
        weights.push(await this.readFloats(this.run.layers[i].weights, layers[i] * layers[i + 1]));
        biases.push(await this.readFloats(this.run.layers[i].biases, layers[i + 1]));
      }
      return { weights, biases };
    });
  }

  /**
   * [sums of squares…, train loss, train rows right, validation loss, validation rows right] after
   * the given work: a few floats, never the logits.
   */
  private readNormsAndLosses(encodeWork: (encoder: GPUCommandEncoder) => void): Promise<Float32Array> {
    const { run } = this;
    return this.readSmall(encodeWork, [
      { buffer: run.normSums, floats: run.layers.length },
      { buffer: run.lossTrain, floats: 2 },
      { buffer: run.lossValidation, floats: 2 },
    ]);
  }

  async norms(): Promise<number[]> {
    this.alive();
    const values = await this.readNormsAndLosses((encoder) => {
      const pass = encoder.beginComputePass({ label: 'GpuTrainer.norms.pass' });
      this.normsPass.encode(pass);
      pass.end();
    });
    return Array.from(values.subarray(0, this.run.layers.length), Math.sqrt);
  }

  async losses(): Promise<Losses> {
    this.alive();
    const values = await this.readNormsAndLosses((encoder) => this.passes.encodeValidation(encoder));
    const L = this.run.layers.length;
    const accuracy = hasAccuracy(this.config);
    return {
      train: values[L],
      validation: values[L + 2],
      trainAccuracy: accuracy ? values[L + 1] / this.config.batch : Number.NaN,
      validationAccuracy: accuracy ? values[L + 3] / validationRowCount(this.config) : Number.NaN,
    };
  }

  protected disposeOwn(): void {
    // Absent when the constructor failed before making it.
    this.normsPass?.destroy();
  }
}

/**
 * Checks the run against the device's limits before allocating anything, then builds the
 * trainer inside validation and out-of-memory error scopes; on any error it destroys what it
 * made and throws a message that names the problem.
 */
export async function createGpuTrainer(
  device: GPUDevice,
  config: MlpConfig,
  variant: Variant,
  data: Dataset,
  options: GpuTrainerOptions = {},
): Promise<GpuTrainer> {
  const valid = validateConfig({ ...config });
  const tooBig = checkGpuFit(valid, device.limits, options.memoryBudgetBytes);
  if (tooBig) throw new Error(`This run does not fit the GPU: ${tooBig}.`);
  // After the limits (what a run over them is told first), before anything is allocated.
  checkDataset(valid, data);
  return buildInErrorScopes(device, () => new GpuTrainer(device, valid, variant, data, options));
}
