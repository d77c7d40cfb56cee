import type { Loss } from '../../model/config';
import type { Kernels } from '../kernels';

/** How a loss pass's sums are reduced (shaders/loss.wgsl): a training batch, or one chunk of the validation set. */
export interface LossReduction {
  /** What the summed losses are divided by: the batch's rows, or every validation row. */
  divisor: number;
  /** Add to what earlier chunks of the validation set wrote, instead of overwriting it. */
  accumulate: boolean;
}

/** dZ_L, the mean loss and the count of rows classified right, from Z_L and the targets (shaders/loss.wgsl). */
export class LossPass {
  private readonly rowsPipeline: GPUComputePipeline;
  private readonly meanPipeline: GPUComputePipeline;
  private readonly bindGroup: GPUBindGroup;
  private readonly rowWorkgroups: number;

  constructor(
    kernels: Kernels,
    label: string,
    loss: Loss,
    shape: { rows: number; cols: number },
    buffers: { z: GPUBuffer; targets: GPUBuffer; dz: GPUBuffer; rowLoss: GPUBuffer; lossOut: GPUBuffer },
    reduction: LossReduction = { divisor: shape.rows, accumulate: false },
  ) {
    const device = kernels.device;
    // The shape is compiled in (override constants), like the matmul's.
    const constants = {
      LOSS: loss === 'ce' ? 1 : 0,
      ROWS: shape.rows,
      COLS: shape.cols,
      DIVISOR: reduction.divisor,
      ACCUMULATE: reduction.accumulate ? 1 : 0,
    };
    this.rowsPipeline = kernels.pipeline('loss', 'loss_rows', kernels.lossLayout, constants);
    this.meanPipeline = kernels.pipeline('loss', 'loss_mean', kernels.lossLayout, constants);
    const { z, targets, dz, rowLoss, lossOut } = buffers;
    this.bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: kernels.lossLayout,
      entries: [z, targets, dz, rowLoss, lossOut].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.rowWorkgroups = Math.ceil(shape.rows / 64);
  }

  encode(pass: GPUComputePassEncoder): void {
    pass.setBindGroup(0, this.bindGroup);
    pass.setPipeline(this.rowsPipeline);
    pass.dispatchWorkgroups(this.rowWorkgroups);
    pass.setPipeline(this.meanPipeline);
    pass.dispatchWorkgroups(1);
  }
}
