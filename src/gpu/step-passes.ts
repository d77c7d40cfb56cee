/**
 * The passes of one training step and of the validation forward, built once per run over its
 * buffers (src/gpu/run-buffers.ts), and the order they are recorded in (docs/RULES.md, one step):
 * forward, loss, backward from the output layer down, then every update. The validation set,
 * however many rows, is evaluated in batch-sized chunks through the batch's own buffers (so the
 * memory plan holds one batch of activations), each chunk adding its share to the mean loss and
 * its rows classified right to the count. A grid's buffers (run.models) give every pass the model
 * dimension: the same passes then train, and evaluate, all its models.
 */
import type { MlpConfig, Variant } from '../model/config';
import { validationRowCount } from '../model/config';
import type { Kernels, MatmulChoice } from './kernels';
import type { LossReduction } from './passes/loss-pass';
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
  /** Chunk c holds validation rows [first, first + rows); full chunks share the training forward. */
  private readonly validationChunks: { first: number; rows: number; forward: MatmulPass[]; loss: LossPass }[] = [];
  private readonly run: RunBuffers;
  private readonly widths: { inputs: number; outputs: number };

  constructor(kernels: Kernels, config: MlpConfig, variant: Variant, run: RunBuffers, matmul: MatmulChoice) {
    const { layers, batch, loss, activation, optimizer, regularizeBias } = config;
    const L = layers.length - 1;
    const at = run.layers;
    this.run = run;
    this.widths = { inputs: layers[0], outputs: layers[L] };
    const grid = run.models;
    // Each operand's per-model stride, from the plan (0 for the shared batch).
    const models = (o: MatmulOperands): ModelDimension | undefined => {
      if (!grid) return undefined;
      const bias = o.bias ?? o.biasGrad;
      if (o.aux && grid.stride(o.aux) !== grid.stride(o.out)) throw new Error('aux and out must have one model stride');
      return { count: grid.count, strides: { a: grid.stride(o.a), b: grid.stride(o.b), out: grid.stride(o.out), bias: bias ? grid.stride(bias) : 0 } };
    };
    const forward = (input: GPUBuffer, tag: string, rows = batch) =>
      at.map((layer, i) => {
        const l = i + 1;
        const a = i === 0 ? input : at[i - 1].activations;
        const operands = { a, b: layer.weights, bias: layer.biases, out: layer.activations };
        return new MatmulPass(
          kernels,
          `GpuTrainer.layer${l}.${tag}`,
          'forward',
          { M: rows, N: layers[l], K: layers[l - 1] },
          operands,
          l < L ? activation : 'identity',
          matmul,
          models(operands),
        );
      });
    const output = at[L - 1];
    const lossPass = (lossOut: GPUBuffer, tag: string, rows = batch, reduction?: LossReduction) =>
      new LossPass(
        kernels,
        `GpuTrainer.${tag}`,
        loss,
        { rows, cols: layers[L] },
        { z: output.activations, targets: run.batchT, dz: output.activationGrads, rowLoss: run.rowLoss, lossOut },
        reduction,
        grid ? { count: grid.count, zStride: grid.stride(output.activations), rowStride: grid.stride(run.rowLoss) } : undefined,
      );

    this.forward = forward(run.batchX, 'forward');
    this.loss = lossPass(run.lossTrain, 'loss');
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
    // The validation set in chunks of B rows, the last one shorter (its own shapes, its own pipelines).
    const V = validationRowCount(config);
    let partial: MatmulPass[] | null = null;
    for (let first = 0; first < V; first += batch) {
      const rows = Math.min(batch, V - first);
      if (rows < batch) partial ??= forward(run.batchX, 'validationForward', rows);
      const reduction = { divisor: V, accumulate: first > 0 };
      this.validationChunks.push({
        first,
        rows,
        forward: rows === batch ? this.forward : partial!,
        loss: lossPass(run.lossValidation, `validationLoss.rows${first}`, rows, reduction),
      });
    }
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

  /**
   * The validation forward and loss, chunk by chunk: each chunk's rows are copied into the batch
   * buffers and run through the batch's passes (the next step copies its own batch and recomputes
   * the activations). lossValidation ends as [mean loss over all rows, rows classified right].
   */
  encodeValidation(encoder: GPUCommandEncoder): void {
    const { run } = this;
    const { inputs, outputs } = this.widths;
    for (const chunk of this.validationChunks) {
      encoder.copyBufferToBuffer(run.validationX, chunk.first * inputs * 4, run.batchX, 0, chunk.rows * inputs * 4);
      encoder.copyBufferToBuffer(run.validationT, chunk.first * outputs * 4, run.batchT, 0, chunk.rows * outputs * 4);
      const pass = encoder.beginComputePass({ label: `GpuTrainer.validation.rows${chunk.first}` });
      for (const f of chunk.forward) f.encode(pass);
      chunk.loss.encode(pass);
      pass.end();
    }
  }
}
