import type { Kernels } from '../kernels';

/** Most stage-1 workgroups per layer: enough to fill a big GPU, few enough for one stage-2 group. */
const MAX_PARTIALS = 256;

/**
 * Σ w² of every layer's weights into sums[l] (shaders/reduce.wgsl: sum_squares, then
 * sum_partials). The host takes the square roots after the small read-back. Counts and the
 * layer index are override constants: two pipelines per layer, no uniforms.
 */
export class NormsPass {
  private readonly layers: {
    squares: GPUComputePipeline;
    partials: GPUComputePipeline;
    squaresGroup: GPUBindGroup;
    partialsGroup: GPUBindGroup;
    workgroups: number;
  }[] = [];
  private readonly owned: GPUBuffer[] = [];

  constructor(kernels: Kernels, label: string, weights: { buffer: GPUBuffer; count: number }[], sums: GPUBuffer) {
    const device = kernels.device;
    const partials = device.createBuffer({ label: `${label}.partials`, size: MAX_PARTIALS * 4, usage: GPUBufferUsage.STORAGE });
    // Stage 2 reads the partials; its unused `dst` binding must not alias them (read + write of one buffer in a dispatch is invalid).
    const unused = kernels.placeholders.write;
    this.owned.push(partials);
    weights.forEach(({ buffer, count }, l) => {
      const workgroups = Math.min(MAX_PARTIALS, Math.ceil(count / 256));
      const group = (entries: GPUBuffer[], name: string) =>
        device.createBindGroup({
          label: `${label}.layer${l + 1}.${name}`,
          layout: kernels.reduceLayout,
          entries: entries.map((b, binding) => ({ binding, resource: { buffer: b } })),
        });
      this.layers.push({
        squares: kernels.pipeline('reduce', 'sum_squares', kernels.reduceLayout, { COUNT: count }),
        partials: kernels.pipeline('reduce', 'sum_partials', kernels.reduceLayout, { PARTIALS: workgroups, LAYER: l }),
        squaresGroup: group([buffer, partials, sums], 'squares'),
        partialsGroup: group([partials, unused, sums], 'partials'),
        workgroups,
      });
    });
  }

  encode(pass: GPUComputePassEncoder): void {
    for (const layer of this.layers) {
      pass.setPipeline(layer.squares);
      pass.setBindGroup(0, layer.squaresGroup);
      pass.dispatchWorkgroups(layer.workgroups);
      pass.setPipeline(layer.partials);
      pass.setBindGroup(0, layer.partialsGroup);
      pass.dispatchWorkgroups(1);
    }
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
  }
}
