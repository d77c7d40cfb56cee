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
  private readonly models: number;

  constructor(
    kernels: Kernels,
    label: string,
    loss: Loss,
    shape: { rows: number; cols: number },
    buffers: { z: GPUBuffer; targets: GPUBuffer; dz: GPUBuffer; rowLoss: GPUBuffer; lossOut: GPUBuffer },
    reduction: LossReduction = { divisor: shape.rows, accumulate: false },
    /** A grid's models (shaders/loss.wgsl): z and dz of model g start at g × zStride floats, its row losses at g × rowStride. */
    models?: { count: number; zStride: number; rowStride: number },
  ) {
    const device = kernels.device;
    this.models = models?.count ?? 1;
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    if (this.models > maxPerDim)
      throw new Error(`${label}: ${this.models} models need ${this.models} workgroups; maxComputeWorkgroupsPerDimension is ${maxPerDim}`);
    // The shape is compiled in (override constants), like the matmul's; one model keeps today's pipeline.
    const constants = {
      LOSS: loss === 'ce' ? 1 : 0,
      ROWS: shape.rows,
      COLS: shape.cols,
      DIVISOR: reduction.divisor,
      ACCUMULATE: reduction.accumulate ? 1 : 0,
      ...(models && this.models > 1 ? { Z_STRIDE: models.zStride, ROW_STRIDE: models.rowStride } : {}),
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
    pass.dispatchWorkgroups(this.rowWorkgroups, this.models);
    pass.setPipeline(this.meanPipeline);
    pass.dispatchWorkgroups(this.models);
  }
}
