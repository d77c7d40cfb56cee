/**
 * The timer, on the implementation at hand (Dawn under Node, wgpu under Deno): device time from
 * timestamp-query agrees with wall time within the bound of src/gpu/timestamp-check.ts, or the
 * check says it cannot be trusted and the run reports wall time.
 */
import { describe, expect, it } from 'vitest';
import { checkTimestamps } from '../../src/gpu/timestamp-check';
import { gpuImplementation, withDevice } from './fixture';

describe('timestamp-query against the wall clock', () => {
  it('agrees within [wall/4, 1.1·wall + 0.5 ms] on a calibration pass of at least 25 ms', async (ctx) => {
    await withDevice(async ({ device, hasTimestamps }) => {
      // No timestamp-query at all: wall time is the only timer (bench-sweep asserts the rows say so).
      if (!hasTimestamps) ctx.skip();
      const check = await checkTimestamps(device);
      console.log(`${gpuImplementation()}: ${check.note}`);
      expect(check.wallMs).toBeGreaterThanOrEqual(25);
      expect(check.trusted, check.note).toBe(true);
    });
  });
});
