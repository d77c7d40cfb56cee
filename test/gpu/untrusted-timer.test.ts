/**
 * A timer whose units cannot be trusted is reported as such and not used (issue 15.2): on a real
 * device that has timestamp-query, a calibration verdict of "1000× too small" makes the context
 * drop device time, every GPU row says `timer: "wall"`, and the results carry the verdict.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpuContext, trainerFactories } from '../../src/bench/backends';
import { runBenchmark } from '../../src/bench/runner';
import { judgeTimestamps } from '../../src/gpu/timestamp-check';
import { validateConfig } from '../../src/model/config';
import { gpuInstance } from './fixture';

let destroy: (() => void) | null = null;
afterAll(() => destroy?.());

describe('an untrusted timestamp-query', () => {
  it('is reported in the results and the GPU rows use wall time', async (ctx) => {
    const instance = await gpuInstance();
    const gpu = await acquireGpuContext(instance.gpu, instance, async () => judgeTimestamps(0.03, 30));
    destroy = () => gpu.device.destroy();
    if (!gpu.device.features.has('timestamp-query')) ctx.skip(); // nothing to distrust
    expect(gpu.hasTimestamps).toBe(false);
    const r = await runBenchmark({
      config: validateConfig({ layers: [8, 16, 4], batch: 8, steps: 8 }),
      backends: ['gpu'],
      recordEvery: 4,
      factories: trainerFactories(gpu),
      gpu,
    });
    expect(r.timestampCheck?.trusted).toBe(false);
    expect(r.timestampCheck?.note).toMatch(/cannot be trusted .* step times use wall time/);
    expect(r.adapter?.implementation).toBe(instance.implementation);
    const rows = r.results.filter((row) => row.backend === 'gpu');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.steps).toBe(8);
      expect(row.timer).toBe('wall');
    }
  });
});
