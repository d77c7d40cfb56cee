import type { OptimizerName, Variant } from '../../model/config';
import type { Kernels } from '../kernels';
import { splitWorkgroups } from '../kernels';
import { STEP_PARAMS_BYTES } from './step-params';

/** The OPTIMIZER override of shaders/update.wgsl. */
const OPTIMIZER_ID: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2 };

/**
 * One of the six update rules over one parameter buffer (shaders/update.wgsl). The step's
 * η, λ, α, μ, β1, β2, ε and Adam's bias corrections come from a uniform slot chosen by a
 * dynamic offset, so many steps can be recorded into one submit.
 */
export class UpdatePass {
  private readonly pipeline: GPUComputePipeline;
  private readonly bindGroup: GPUBindGroup;
  private readonly workgroups: [number, number];

  constructor(
    kernels: Kernels,
    label: string,
    rule: { optimizer: OptimizerName; variant: Variant; regularized: boolean },
    buffers: { params: GPUBuffer; grads: GPUBuffer; state1: GPUBuffer; state2: GPUBuffer; stepParams: GPUBuffer },
    count: number,
    /** A grid: `stride` floats per model (a multiple of 4), each model's (η, λ, α) in `params`. */
    models?: { stride: number; params: GPUBuffer },
  ) {
    const device = kernels.device;
    this.pipeline = kernels.pipeline('update', 'update', kernels.updateLayout, {
      OPTIMIZER: OPTIMIZER_ID[rule.optimizer],
      DECOUPLED: rule.variant === 'decay' ? 1 : 0,
      REGULARIZED: rule.regularized ? 1 : 0,
      ...(models ? { MODEL_STRIDE: models.stride } : {}),
    });
    const { stepParams, params, grads, state1, state2 } = buffers;
    // One model never reads binding 5 (MODEL_STRIDE = 0): the read-only placeholder stands in.
    const modelParams = models?.params ?? kernels.placeholders.read;
    this.bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: kernels.updateLayout,
      entries: [
        { binding: 0, resource: { buffer: stepParams, size: STEP_PARAMS_BYTES } },
        ...[params, grads, state1, state2, modelParams].map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    this.workgroups = splitWorkgroups(Math.ceil(count / 256), device.limits.maxComputeWorkgroupsPerDimension);
  }

  encode(pass: GPUComputePassEncoder, stepSlotOffset: number): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup, [stepSlotOffset]);
    pass.dispatchWorkgroups(...this.workgroups);
  }
}
