/**
 * The runner against a real device presented with small limits on purpose (1 MiB buffers): the width
 * that cannot fit is skipped with the engine's reason, before anything is allocated, and the
 * sweep goes on to the next width. The widths that fit run on the GPU and agree with the reference.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/bench/runner';
import { createReferenceTrainer } from '../../src/cpu/reference';
import { checkGpuFit, createGpuTrainer } from '../../src/gpu/index';
import type { AcquiredDevice } from '../../src/gpu/device';
import { validateConfig } from '../../src/model/config';
import { openDevice } from './fixture';

let acquired: AcquiredDevice | null = null;

afterAll(() => acquired?.device.destroy());

describe('benchmark sweep on a small device', () => {
  it('skips the width over maxBufferSize with the reason and runs the next one', async () => {
    const small = { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 20 };
    acquired = await openDevice(small);
    const { device, adapter, hasTimestamps } = acquired;
    // Dawn grants at least the default limits (256 MiB) whatever is asked, so the runner is told the
    // small ones: it must decide from the limits it is given, before the trainer allocates anything.
    const limits = { ...acquired.limits, ...small };
    const config = validateConfig({ layers: [8, 16, 16, 4], batch: 8, steps: 8 });
    const r = await runBenchmark({
      config,
      backends: ['gpu', 'reference'],
      sweep: [16, 1024, 32],
      recordEvery: 4,
      factories: {
        gpu: (cfg, variant, data) => createGpuTrainer(device, cfg, variant, data),
        reference: createReferenceTrainer,
      },
      gpu: { device, adapter, limits, hasTimestamps },
      checkGpuFit,
    });
    const gpuRow = (w: number, v: string) => r.results.find((x) => x.width === w && x.backend === 'gpu' && x.variant === v)!;
    for (const v of ['l2', 'decay']) {
      expect(gpuRow(1024, v).skipped).toMatch(/layer 2 weights? .*need .*max(StorageBufferBinding|Buffer)Size is /);
      expect(gpuRow(1024, v).stepMs).toBeNull();
      for (const w of [16, 32]) {
        const row = gpuRow(w, v);
        expect(row.skipped, `${w} ${v}`).toBeNull();
        expect(row.steps).toBe(8);
        expect(row.timer).toBe(hasTimestamps ? 'timestamp-query' : 'wall');
        expect(row.gflops).toBeGreaterThan(0);
      }
    }
    // The reference is not bound by device limits: 1024 runs there.
    expect(r.results.find((x) => x.width === 1024 && x.backend === 'reference' && x.variant === 'l2')!.skipped).toBeNull();
    for (const w of [16, 32]) {
      const gaps = r.agreement.filter((a) => a.width === w);
      expect(gaps.map((a) => `${a.a.backend} ${a.a.variant} / ${a.b.backend} ${a.b.variant}`).sort()).toEqual(
        ['gpu decay / reference decay', 'gpu l2 / gpu decay', 'gpu l2 / reference l2', 'reference l2 / reference decay'].sort(),
      );
      for (const a of gaps) expect(Math.max(...a.normGap, ...a.weightGap)).toBeLessThan(1e-4);
    }
    expect(r.agreement.filter((a) => a.width === 1024 && a.a.backend === 'gpu')).toHaveLength(0);
    expect(r.limits!.maxBufferSize).toBe(1 << 20);
    expect(r.adapter).toEqual(adapter);
  });
});
