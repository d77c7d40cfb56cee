/**
 * The passes of one training step and of the validation forward, built once per run over its
 * buffers (src/gpu/run-buffers.ts), and the order they are recorded in (docs/RULES.md, one step):
 * forward, loss, backward from the output layer down, then every update.
 */
import type { MlpConfig, Variant } from '../model/config';
import type { Kernels, MatmulChoice } from './kernels';
import { LossPass } from './passes/loss-pass';
import { MatmulPass } from './passes/matmul-pass';
import { NormsPass } from './passes/norms-pass';
import { STEP_SLOT_STRIDE } from './passes/step-params';
import { UpdatePass } from './passes/update-pass';
import type { RunBuffers } from './run-buffers';

export class StepPasses {
  private readonly forward: MatmulPass[];
  private readonly loss: LossPass;
  /** weightGrads[l − 1]: dW_l and db_l in one product. */
  private readonly weightGrads: MatmulPass[];
  /** inputGrads[l − 2]: dZ_{l−1} from layer l (none for the input layer). */
  private readonly inputGrads: MatmulPass[];
  private readonly updates: UpdatePass[];
  private readonly validationForward: MatmulPass[];
  private readonly validationLoss: LossPass;
  readonly norms: NormsPass;

  constructor(kernels: Kernels, config: MlpConfig, variant: Variant, run: RunBuffers, matmul: MatmulChoice) {
    const { layers, batch, loss, activation, optimizer, regularizeBias } = config;
    const L = layers.length - 1;
    const at = run.layers;
    const forward = (input: GPUBuffer, tag: string) =>
      at.map((layer, i) => {
        const l = i + 1;
        const a = i === 0 ? input : at[i - 1].activations;
        const operands = { a, b: layer.weights, bias: layer.biases, out: layer.activations };
        return new MatmulPass(
          kernels,
          `GpuTrainer.layer${l}.${tag}`,
          'forward',
          { M: batch, N: layers[l], K: layers[l - 1] },
          operands,
          l < L ? activation : 'identity',
          matmul,
        );
      });
    const output = at[L - 1];
    const lossPass = (targets: GPUBuffer, lossOut: GPUBuffer, tag: string) =>
      new LossPass(
        kernels,
        `GpuTrainer.${tag}`,
        loss,
        { rows: batch, cols: layers[L] },
        { z: output.activations, targets, dz: output.activationGrads, rowLoss: run.rowLoss, lossOut },
      );

    this.forward = forward(run.batchX, 'forward');
    this.loss = lossPass(run.batchT, run.lossTrain, 'loss');
    this.weightGrads = at.map((layer, i) => {
      const operands = { a: i === 0 ? run.batchX : at[i - 1].activations, b: layer.activationGrads, out: layer.weightGrads, biasGrad: layer.biasGrads };
      return new MatmulPass(
        kernels,
        `GpuTrainer.layer${i + 1}.weightGrad`,
        'weightGrad',
        { M: layers[i], N: layers[i + 1], K: batch },
        operands,
        'identity',
        matmul,
      );
    });
    this.inputGrads = at.slice(1).map((layer, j) => {
      const operands = { a: layer.activationGrads, b: layer.weights, aux: at[j].activations, out: at[j].activationGrads };
      return new MatmulPass(
        kernels,
        `GpuTrainer.layer${j + 2}.inputGrad`,
        'inputGrad',
        { M: batch, N: layers[j + 1], K: layers[j + 2] },
        operands,
        activation,
        matmul,
      );
    });
    const [unused1, unused2] = kernels.placeholders.writeState;
    const update = (label: string, regularized: boolean, params: GPUBuffer, grads: GPUBuffer, state: GPUBuffer[], count: number) =>
      new UpdatePass(
        kernels,
        label,
        { optimizer, variant, regularized },
        // SGD keeps no state: two distinct placeholders keep the two writable bindings from aliasing.
        { params, grads, state1: state[0] ?? unused1, state2: state[1] ?? unused2, stepParams: run.stepParams },
        count,
      );
    this.updates = at.flatMap((layer, i) => [
      update(`GpuTrainer.layer${i + 1}.updateWeights`, true, layer.weights, layer.weightGrads, layer.weightState, layers[i] * layers[i + 1]),
      update(`GpuTrainer.layer${i + 1}.updateBiases`, regularizeBias, layer.biases, layer.biasGrads, layer.biasState, layers[i + 1]),
    ]);
    this.validationForward = forward(run.validationX, 'validationForward');
    this.validationLoss = lossPass(run.validationT, run.lossValidation, 'validationLoss');
    this.norms = new NormsPass(
      kernels,
      'GpuTrainer.norms',
      at.map((layer, i) => ({ buffer: layer.weights, count: layers[i] * layers[i + 1] })),
      run.normSums,
    );
  }

  /** Records one training step whose constants are in uniform slot `slot`. */
  encodeStep(pass: GPUComputePassEncoder, slot: number): void {
    for (const f of this.forward) f.encode(pass);
    this.loss.encode(pass);
    // From the output layer down; every dZ uses W before its update, so updates come last.
    for (let l = this.weightGrads.length; l >= 1; l--) {
      this.weightGrads[l - 1].encode(pass);
      if (l > 1) this.inputGrads[l - 2].encode(pass);
    }
    for (const u of this.updates) u.encode(pass, slot * STEP_SLOT_STRIDE);
  }

  /** The validation forward and loss; it reuses the activation buffers (the next step recomputes them). */
  encodeValidation(pass: GPUComputePassEncoder): void {
    for (const f of this.validationForward) f.encode(pass);
    this.validationLoss.encode(pass);
  }

  destroy(): void {
    this.norms.destroy();
  }
}
