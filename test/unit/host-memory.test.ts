/**
 * Host memory on a software adapter is in the budget (issue 10 item 13): its GPU buffers are
 * host memory, and so are the runner's float64 copies and the upload temporaries.
 */
import { describe, expect, it } from 'vitest';
import type { GpuContext, RunnerOptions } from '../../src/bench/runner';
import { runBenchmark } from '../../src/bench/runner';
import { checkGpuFit, gpuMemoryPlan, hostCopyBytes } from '../../src/gpu/memory-plan';
import { validateConfig } from '../../src/model/config';
import { pageMemoryBudget } from '../../src/ui/run-session';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const LIMITS = { maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: 2 * GiB };

describe('--layers 2048,8192 --optimizer adam (planned 330 MiB, used 1.34 GB)', () => {
  const config = validateConfig({ layers: [2048, 8192], optimizer: 'adam' });

  it('counts the float64 copies and upload temporaries beside the GPU buffers', () => {
    const gpu = gpuMemoryPlan(config).totalBytes;
    expect(gpu / MiB).toBeGreaterThan(250);
    expect(gpu / MiB).toBeLessThan(350);
    // 16.8 M parameters × (2 × 8 initial + 2 × (4 upload + 4 staging) + 2 × 8 kept final weights) bytes, plus the data.
    expect(hostCopyBytes(config)).toBeGreaterThan(48 * 16.7e6);
    expect((gpu + hostCopyBytes(config)) / GiB).toBeGreaterThan(1);
  });

  it('a 1 GiB budget: fits as GPU buffers alone, refused on a software adapter naming both parts', () => {
    expect(checkGpuFit(config, LIMITS, GiB)).toBeNull();
    expect(checkGpuFit(config, LIMITS, GiB, { hostCopies: true })).toMatch(
      /^the run needs 1\.\d GiB of memory in all on this software adapter \(\d+\.\d MiB of GPU buffers and \d+\.\d MiB of host copies\); the memory budget is 1(\.0+)? GiB$/,
    );
  });

  it('the runner counts host copies for a fallback adapter, not for a GPU', async () => {
    const run = (isFallbackAdapter: boolean) => {
      const gpu = {
        device: {} as GPUDevice,
        adapter: { vendor: 'v', architecture: 'a', description: 'd', isFallbackAdapter },
        limits: LIMITS,
        hasTimestamps: false,
      } as GpuContext;
      const options: RunnerOptions = {
        config: { ...config, steps: 1 },
        backends: ['gpu'],
        // Never reached when the cell is refused; when it is not, the failure says the factory ran.
        factories: { gpu: () => Promise.reject(new Error('factory called')) },
        gpu,
        gpuMemoryBudgetBytes: GiB,
      };
      return runBenchmark(options);
    };
    expect((await run(true)).results[0].skipped).toMatch(/host copies/);
    expect((await run(false)).results[0].skipped).toBe('failed: factory called');
  });
});

describe('the page passes a budget too', () => {
  const adapter = (isFallbackAdapter: boolean) => ({
    adapter: { vendor: '', architecture: '', description: '', isFallbackAdapter, implementation: 'browser' as const, backend: null },
  });
  it('half the reported device memory on a software adapter, 4 GiB assumed when unknown; none on a GPU', () => {
    expect(pageMemoryBudget(adapter(true), 8)).toBe(4 * GiB);
    expect(pageMemoryBudget(adapter(true))).toBe(2 * GiB);
    expect(pageMemoryBudget(adapter(false), 8)).toBeNull();
    expect(pageMemoryBudget(null)).toBeNull();
  });
});
