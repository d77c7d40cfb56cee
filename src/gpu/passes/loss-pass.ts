import type { Loss } from '../../model/config';
import type { Kernels } from '../kernels';

/** dZ_L and the mean loss of the batch from Z_L and the targets (shaders/loss.wgsl). */
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
    /** A grid's models (shaders/loss.wgsl): z and dz of model g start at g × zStride floats. */
    models?: { count: number; zStride: number },
  ) {
    const device = kernels.device;
    this.models = models?.count ?? 1;
    // The shape is compiled in (override constants), like the matmul's; one model keeps today's pipeline.
    const constants = { LOSS: loss === 'ce' ? 1 : 0, ROWS: shape.rows, COLS: shape.cols, ...(this.models > 1 ? { Z_STRIDE: models!.zStride } : {}) };
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    if (this.models > maxPerDim)
      throw new Error(`${label}: ${this.models} models need ${this.models} workgroups; maxComputeWorkgroupsPerDimension is ${maxPerDim}`);
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
