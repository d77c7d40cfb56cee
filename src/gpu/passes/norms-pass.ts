import type { Kernels } from '../kernels';

/** Most stage-1 workgroups per layer: enough to fill a big GPU, few enough for one stage-2 group. */
const MAX_PARTIALS = 256;

/**
 * Σ w² of every layer's weights into sums[l] (shaders/reduce.wgsl: sum_squares, then
 * sum_partials). The host takes the square roots after the small read-back.
 */
export class NormsPass {
  private readonly squaresPipeline: GPUComputePipeline;
  private readonly partialsPipeline: GPUComputePipeline;
  private readonly layers: { squares: GPUBindGroup; partials: GPUBindGroup; workgroups: number }[] = [];
  private readonly owned: GPUBuffer[] = [];

  constructor(kernels: Kernels, label: string, weights: { buffer: GPUBuffer; count: number }[], sums: GPUBuffer) {
    const device = kernels.device;
    this.squaresPipeline = kernels.pipeline('reduce', 'sum_squares', kernels.reduceLayout, {});
    this.partialsPipeline = kernels.pipeline('reduce', 'sum_partials', kernels.reduceLayout, {});
    const partials = device.createBuffer({ label: `${label}.partials`, size: MAX_PARTIALS * 4, usage: GPUBufferUsage.STORAGE });
    // Stage 2 reads the partials; its unused `dst` binding must not alias them (read + write of one buffer in a dispatch is invalid).
    const unused = device.createBuffer({ label: `${label}.unused`, size: 16, usage: GPUBufferUsage.STORAGE });
    this.owned.push(partials, unused);
    weights.forEach(({ buffer, count }, l) => {
      const workgroups = Math.min(MAX_PARTIALS, Math.ceil(count / 256));
      const shape = (rows: number, cols: number) => {
        const b = device.createBuffer({ label: `${label}.layer${l + 1}.shape`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(b, 0, new Uint32Array([rows, cols, 0, 0]));
        this.owned.push(b);
        return b;
      };
      const group = (entries: GPUBuffer[], name: string) =>
        device.createBindGroup({
          label: `${label}.layer${l + 1}.${name}`,
          layout: kernels.reduceLayout,
          entries: entries.map((b, binding) => ({ binding, resource: { buffer: b } })),
        });
      this.layers.push({
        // Stage 1 treats W as `count` values (rows 1 × cols count); stage 2 sums `workgroups` partials into sums[l].
        squares: group([shape(1, count), buffer, partials, sums], 'squares'),
        partials: group([shape(l, workgroups), partials, unused, sums], 'partials'),
        workgroups,
      });
    });
  }

  encode(pass: GPUComputePassEncoder): void {
    for (const layer of this.layers) {
      pass.setPipeline(this.squaresPipeline);
      pass.setBindGroup(0, layer.squares);
      pass.dispatchWorkgroups(layer.workgroups);
      pass.setPipeline(this.partialsPipeline);
      pass.setBindGroup(0, layer.partials);
      pass.dispatchWorkgroups(1);
    }
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
  }
}
