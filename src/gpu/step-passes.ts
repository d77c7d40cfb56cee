/**
 * The passes of one training step and of the validation forward, built once per run over its
 * buffers (src/gpu/run-buffers.ts), and the order they are recorded in (docs/RULES.md, one step):
 * forward, loss, backward from the output layer down, then every update. A grid's buffers
 * (run.models) give every pass the model dimension: the same passes then train all its models.
 */
import type { MlpConfig, Variant } from '../model/config';
import type { Kernels, MatmulChoice } from './kernels';
import { LossPass } from './passes/loss-pass';
import type { MatmulOperands, ModelDimension } from './passes/matmul-pass';
import { MatmulPass } from './passes/matmul-pass';
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

  constructor(kernels: Kernels, config: MlpConfig, variant: Variant, run: RunBuffers, matmul: MatmulChoice) {
    const { layers, batch, loss, activation, optimizer, regularizeBias } = config;
    const L = layers.length - 1;
    const at = run.layers;
    const grid = run.models;
    // Each operand's per-model stride, from the plan (0 for the shared batch).
    const models = (o: MatmulOperands): ModelDimension | undefined => {
      if (!grid) return undefined;
      const bias = o.bias ?? o.biasGrad;
      if (o.aux && grid.stride(o.aux) !== grid.stride(o.out)) throw new Error('aux and out must have one model stride');
      return { count: grid.count, strides: { a: grid.stride(o.a), b: grid.stride(o.b), out: grid.stride(o.out), bias: bias ? grid.stride(bias) : 0 } };
    };
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
          models(operands),
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
        grid ? { count: grid.count, zStride: grid.stride(output.activations) } : undefined,
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
        models(operands),
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
        models(operands),
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
        // A grid updates all its models' parts of the buffer in one pass.
        grid ? params.size / 4 : count,
        grid ? { stride: grid.stride(params), params: grid.hyperparameters } : undefined,
      );
    this.updates = at.flatMap((layer, i) => [
      update(`GpuTrainer.layer${i + 1}.updateWeights`, true, layer.weights, layer.weightGrads, layer.weightState, layers[i] * layers[i + 1]),
      update(`GpuTrainer.layer${i + 1}.updateBiases`, regularizeBias, layer.biases, layer.biasGrads, layer.biasState, layers[i + 1]),
    ]);
    this.validationForward = forward(run.validationX, 'validationForward');
    this.validationLoss = lossPass(run.validationT, run.lossValidation, 'validationLoss');
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
}
