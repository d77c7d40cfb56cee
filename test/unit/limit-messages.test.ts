/**
 * Limit messages show the difference they refuse for (issue 10.12): a need just over a limit
 * never prints as "need 1.0 GiB; maxBufferSize is 1 GiB".
 */
import { describe, expect, it } from 'vitest';
import { FastCpuTrainer } from '../../src/cpu/fast';
import { checkGpuFit } from '../../src/gpu/memory-plan';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { formatBytesApart } from '../../src/model/units';

const GiB = 1024 ** 3;

describe('formatBytesApart', () => {
  it.each([
    [2 * GiB, GiB, ['2 GiB', '1 GiB']],
    [GiB + 0.03 * GiB, GiB, ['1.03 GiB', '1.00 GiB']],
    [GiB + 1024 ** 2, GiB, ['1.001 GiB', '1.000 GiB']],
    [GiB + 16, GiB, [`${GiB + 16} B`, `${GiB} B`]],
    [GiB, GiB, ['1 GiB', '1 GiB']],
  ] as const)('%d vs %d', (need, limit, shown) => {
    const [a, b] = formatBytesApart(need, limit);
    expect([a, b]).toEqual(shown);
    if (need !== limit) expect(a).not.toBe(b);
  });
});

describe('checkGpuFit', () => {
  it('names a buffer 16 bytes over maxBufferSize in figures that differ', () => {
    // layer 1 weights: 1 × 268435460 floats × 4 bytes = 1 GiB + 16 bytes.
    const message = checkGpuFit(
      { layers: [1, 268_435_460, 1], batch: 1, trainBatches: 1, optimizer: 'sgd', dataset: 'teacher', trainSize: 1, validationSize: 1 },
      { maxBufferSize: GiB, maxStorageBufferBindingSize: 2 * GiB },
    );
    expect(message).toBe(`layer 1 weights need ${GiB + 16} B; maxBufferSize is ${GiB} B`);
  });
});

describe('fast CPU workers', () => {
  it('refuses more workers than it runs instead of quietly running 64', async () => {
    const config = validateConfig({ layers: [4, 8, 2] });
    await expect(FastCpuTrainer.create(config, 'l2', makeDataset(config), { workers: 1e9 })).rejects.toThrow('workers = 1000000000: must be at most 64');
  });
});
