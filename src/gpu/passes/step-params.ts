/**
 * The per-step constants of shaders/update.wgsl (`struct StepParams`), packed on the host: one
 * home for their order, their convention and their size. test/unit/step-params.test.ts reads the
 * WGSL struct and pins it to STEP_PARAMS_FIELDS.
 */
import type { Hyperparameters } from '../../model/update-rules';

/** Field order of `struct StepParams`, all f32. */
export const STEP_PARAMS_FIELDS = ['lr', 'lambda', 'alpha', 'mu', 'beta1', 'beta2', 'eps', 'c1', 'c2', 'one_minus_beta1', 'one_minus_beta2'] as const;

/** Bytes of StepParams (11 f32, rounded up to a 16-byte uniform size). */
export const STEP_PARAMS_BYTES = Math.ceil((STEP_PARAMS_FIELDS.length * 4) / 16) * 16;
/** Stride of one step's slot: the dynamic-offset alignment WebGPU guarantees (minUniformBufferOffsetAlignment ≤ 256). */
export const STEP_SLOT_STRIDE = 256;
/** Steps recorded per submit: one uniform slot each, so Adam's t is right for every step. */
export const STEPS_PER_SUBMIT = 64;
export const STEP_SLOTS_BYTES = STEPS_PER_SUBMIT * STEP_SLOT_STRIDE;

/**
 * Writes step t's constants (t counts from 1) at float offset `at` of `out`. The decay factor goes
 * in as α (the shader computes w − α·w; docs/RULES.md), the bias corrections 1 − β^t and 1 − β
 * in float64, rounded once: the reference computes them the same way.
 */
export function packStepParams(h: Hyperparameters, t: number, out: Float32Array, at: number): void {
  const values: Record<(typeof STEP_PARAMS_FIELDS)[number], number> = {
    lr: h.lr,
    lambda: h.lambda,
    alpha: h.alpha,
    mu: h.momentum,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    c1: 1 - Math.pow(h.beta1, t),
    c2: 1 - Math.pow(h.beta2, t),
    one_minus_beta1: 1 - h.beta1,
    one_minus_beta2: 1 - h.beta2,
  };
  STEP_PARAMS_FIELDS.forEach((field, i) => (out[at + i] = values[field]));
}
