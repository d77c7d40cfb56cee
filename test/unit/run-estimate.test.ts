/** The cost shown before Start, and when the page asks first. */
import { describe, expect, it } from 'vitest';
import { WorkMeter } from '../../src/bench/work-meter';
import { PRESETS } from '../../src/ui/presets';
import { checkDraft } from '../../src/ui/run-draft';
import { CONFIRM_SECONDS, estimateRun, reasonsToAsk } from '../../src/ui/run-estimate';

const SWIFTSHADER = { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 };
const draftOf = (id: string) => PRESETS.find((p) => p.id === id)!.draft;

describe('estimateRun', () => {
  it('the small presets start at once; the Large MLP asks first (minutes at the assumed rates)', () => {
    for (const id of ['sgd', 'adam']) {
      const { request, skips } = checkDraft(draftOf(id), SWIFTSHADER);
      const e = estimateRun(request!, skips, new WorkMeter());
      expect(reasonsToAsk(e, 8 * 2 ** 30), id).toEqual([]);
    }
    const { request, skips } = checkDraft(draftOf('large'), SWIFTSHADER);
    const e = estimateRun(request!, skips, new WorkMeter());
    expect(e.seconds).toBeGreaterThan(CONFIRM_SECONDS);
    expect(e.gpuBytes).toBeGreaterThan(4 * (784 * 1024 + 1024 * 1024));
    expect(reasonsToAsk(e, null)[0]).toMatch(/^it is predicted to take about \d+ min$/);
  });

  it('measured rates replace the priors: a fast machine is not asked', () => {
    const { request, skips } = checkDraft(draftOf('large'), SWIFTSHADER);
    const fast = new WorkMeter();
    fast.measured('gpu', 1e9, 1); // 1 TFLOP/s
    fast.measured('cpu', 1e9, 10);
    expect(estimateRun(request!, skips, fast).seconds).toBeLessThan(CONFIRM_SECONDS);
  });

  it('the validation rows count: 5,000 MNIST rows, evaluated at each of the page’s 50 records, cost what the formula says', () => {
    const meter = new WorkMeter();
    meter.measured('cpu', 1e9, 10); // 100 GFLOP/s, overhead 0.02 ms per step
    const overfit = draftOf('overfit');
    const at = (validationSize: string) => estimateRun(checkDraft({ ...overfit, validationSize, backends: ['cpu'] }, null).request!, [], meter).seconds;
    // 4 cells (L2, decay, twin, λ = 0) × 802 steps; each step's share of a record: 2·rows·(784·512 + 512·512 + 512·10) FLOPs / 16 steps.
    const perRow = (2 * (784 * 512 + 512 * 512 + 512 * 10)) / 16 / (1e9 / (10 - 0.02)) / 1e3;
    expect(at('5000') - at('1000')).toBeCloseTo(4 * 802 * 4000 * perRow, 6);
    expect(at('5000') / at('1000')).toBeGreaterThan(1.5);
  });

  it('a skipped width costs nothing, and its memory is not counted', () => {
    const draft = { ...draftOf('sgd'), layers: '16,32,32,8', sweep: '64,32768', baseline: false };
    const { request, skips } = checkDraft(draft, SWIFTSHADER);
    expect(skips.map((s) => s.width)).toEqual([32768, 32768]);
    const e = estimateRun(request!, skips, new WorkMeter());
    expect(e.hostBytes).toBeLessThan(1 << 20);
    expect(reasonsToAsk(e, 8 * 2 ** 30)).toEqual([]);
  });

  it('more than half the reported host memory asks first', () => {
    expect(reasonsToAsk({ seconds: 1, gpuBytes: 0, hostBytes: 5 * 2 ** 30 }, 8 * 2 ** 30)[0]).toMatch(/5\.0 GiB of host memory, over half of the 8 GiB/);
  });
});
