/**
 * The host side of shaders/update.wgsl's `struct StepParams` and the GPU memory plan's state
 * buffers: the WGSL struct is read from the shader file, so a field added, dropped or moved on
 * either side fails here rather than as a silently wrong update on the GPU.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STEP_PARAMS_BYTES, STEP_PARAMS_FIELDS, STEP_SLOT_STRIDE, packStepParams } from '../../src/gpu/passes/step-params';
import { gpuMemoryPlan } from '../../src/gpu/memory-plan';
import { OPTIMIZERS } from '../../src/model/config';
import { updateRule } from '../../src/model/update-rules';

const updateWgsl = readFileSync(new URL('../../shaders/update.wgsl', import.meta.url), 'utf8');

/** [name, type] of each field of `struct name { … }` in WGSL source, comments stripped. */
function structFields(source: string, name: string): [string, string][] {
  const body = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(source.replace(/\/\/[^\n]*/g, ''));
  if (!body) throw new Error(`no struct ${name}`);
  return body[1]
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => f.split(':').map((p) => p.trim()) as [string, string]);
}

describe('StepParams (shaders/update.wgsl) and its host packing', () => {
  it('the WGSL struct has exactly STEP_PARAMS_FIELDS, in order, all f32', () => {
    const fields = structFields(updateWgsl, 'StepParams');
    expect(fields.map(([n]) => n)).toEqual([...STEP_PARAMS_FIELDS]);
    expect(fields.every(([, t]) => t === 'f32')).toBe(true);
  });

  it('its byte size covers the fields, is a multiple of 16 and fits one step slot', () => {
    expect(STEP_PARAMS_BYTES).toBeGreaterThanOrEqual(STEP_PARAMS_FIELDS.length * 4);
    expect(STEP_PARAMS_BYTES % 16).toBe(0);
    expect(STEP_PARAMS_BYTES).toBeLessThanOrEqual(STEP_SLOT_STRIDE);
  });

  it('packStepParams writes each value at its field (α, not 1 − α; bias corrections of step t)', () => {
    const h = { lr: 0.1, lambda: 0.01, alpha: 0.001, momentum: 0.9, beta1: 0.8, beta2: 0.99, eps: 1e-8 };
    const out = new Float32Array(64).fill(Number.NaN);
    packStepParams(h, 3, out, 16);
    const at = (f: (typeof STEP_PARAMS_FIELDS)[number]) => out[16 + STEP_PARAMS_FIELDS.indexOf(f)];
    expect(at('lr')).toBe(Math.fround(0.1));
    expect(at('alpha')).toBe(Math.fround(0.001));
    expect(at('mu')).toBe(Math.fround(0.9));
    expect(at('c1')).toBe(Math.fround(1 - 0.8 ** 3));
    expect(at('c2')).toBe(Math.fround(1 - 0.99 ** 3));
    expect(at('one_minus_beta2')).toBe(Math.fround(1 - 0.99));
    // Nothing outside the slot's fields is touched.
    expect(Number.isNaN(out[15]) && Number.isNaN(out[16 + STEP_PARAMS_FIELDS.length])).toBe(true);
  });
});

describe('GPU memory plan', () => {
  it.each(OPTIMIZERS)('%s: one state buffer per parameter tensor per state of the rule, ids unique', (optimizer) => {
    const plan = gpuMemoryPlan({ layers: [5, 7, 3], batch: 4, trainBatches: 2, optimizer, dataset: 'teacher', trainSize: 1, validationSize: 1 });
    const ids = plan.buffers.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    const states = ids.filter((id) => /\.state\d$/.test(id));
    expect(states.length).toBe(updateRule(optimizer, 'l2').state.length * 2 * 2);
    expect(plan.totalBytes).toBe(plan.buffers.reduce((s, b) => s + b.bytes, 0));
  });
});
