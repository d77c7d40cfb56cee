import type { Kernels } from '../kernels';

/** db_l = Σ_rows dZ_l (shaders/reduce.wgsl, bias_grad). */
export class BiasGradPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly bindGroup: GPUBindGroup;
  private readonly shapeBuffer: GPUBuffer;
  private readonly workgroups: number;

  constructor(kernels: Kernels, label: string, shape: { rows: number; cols: number }, dz: GPUBuffer, db: GPUBuffer, placeholder: GPUBuffer) {
    const device = kernels.device;
    this.pipeline = kernels.pipeline('reduce', 'bias_grad', kernels.reduceLayout, {});
    this.shapeBuffer = device.createBuffer({ label: `${label}.shape`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.shapeBuffer, 0, new Uint32Array([shape.rows, shape.cols, 0, 0]));
    this.bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: kernels.reduceLayout,
      entries: [this.shapeBuffer, dz, db, placeholder].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.workgroups = Math.ceil(shape.cols / 64);
  }

  encode(pass: GPUComputePassEncoder): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(this.workgroups);
  }

  destroy(): void {
    this.shapeBuffer.destroy();
  }
}
