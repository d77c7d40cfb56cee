/**
 * The page end to end on SwiftShader: the SGD preset agrees to rounding, Adam drifts, a
 * sweep fills the table and the chart, bad input gets its message and a valid run follows,
 * cancel keeps what was measured. Configurations are tiny: SwiftShader runs on two shared cores.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectBackendsRan, fieldError, openWatched, preset, runAndWait, setField, shownGap, tableText } from './app-driver';
import { screenshot, useServedApp } from './harness';

const app = useServedApp();
let page: Page;
let errors: string[];

async function freshPage(query = '', viewport = { width: 1280, height: 900 }): Promise<Page> {
  await page?.close();
  ({ page, errors } = await openWatched(app, query, { viewport, acceptDownloads: true }));
  return page;
}

describe('agreement', () => {
  it('SGD preset: L2 and decay give the same weights (gap ≤ 1e-5) on GPU and CPU', async () => {
    await freshPage();
    await preset(page, 'sgd');
    expect(page.url()).toContain('optimizer=sgd');
    const message = await runAndWait(page);
    expect(message).toMatch(/^Done/);
    await expectBackendsRan(page, ['gpu', 'cpu']);
    for (const backend of ['gpu', 'cpu'] as const) {
      const gap = await shownGap(page, backend);
      expect(gap, `${backend} L2-vs-decay gap shown by the page`).toBeLessThanOrEqual(1e-5);
      expect(Number.isFinite(gap)).toBe(true);
    }
    await expect(page.locator('l2wd-agreement-chart [data-testid="gap-gpu-l2-decay"]').innerText()).resolves.toContain('the same map');
    expect(await page.locator('l2wd-agreement-chart canvas').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'sgd-preset');
    expect(errors).toEqual([]);
  });

  it('Adam preset: L2 and decoupled decay drift apart (gap > 1e-4)', async () => {
    await freshPage();
    await preset(page, 'adam');
    expect(page.url()).toContain('optimizer=adam');
    expect(await runAndWait(page)).toMatch(/^Done/);
    await expectBackendsRan(page, ['gpu', 'cpu']);
    for (const backend of ['gpu', 'cpu'] as const) expect(await shownGap(page, backend)).toBeGreaterThan(1e-4);
    await expect(page.locator('l2wd-agreement-chart [data-testid="gap-gpu-l2-decay"]').innerText()).resolves.toContain('they drift');
    await screenshot(page, 'adam-preset');
    expect(errors).toEqual([]);
  });
});

describe('sweep', () => {
  it('a two-width sweep fills the table and the throughput chart', async () => {
    await freshPage('layers=8,16,4&batch=8&steps=10&backend=gpu,cpu&sweep=8,32&baseline=0');
    expect(await runAndWait(page)).toMatch(/^Done/);
    await expectBackendsRan(page, ['gpu', 'cpu']);
    const rows = await page.locator('l2wd-results-table [data-testid="results-rows"] tbody tr').allInnerTexts();
    expect(rows).toHaveLength(8);
    for (const w of ['8', '32']) expect(rows.filter((r) => r.trim().startsWith(w)).length).toBe(4);
    expect(rows.join('\n')).not.toMatch(/skipped|NaN/);
    const xs = await page.locator('l2wd-throughput-chart').evaluate((el) => {
      const chart = (el as HTMLElementTagNameMap['l2wd-throughput-chart']).chart.chart;
      return chart ? { xs: Array.from(chart.data[0] as ArrayLike<number>), series: chart.series.length } : null;
    });
    expect(xs).toEqual({ xs: [8, 32], series: 3 });
    await screenshot(page, 'sweep');
    expect(errors).toEqual([]);
  });
});

describe('bad input', () => {
  it('each bad width gets its message, nothing starts, and a valid run works afterwards', async () => {
    await freshPage('layers=8,8,4&batch=8&steps=10&backend=gpu,cpu,reference&baseline=0');
    const start = page.locator('[data-testid="start"]');
    for (const [typed, expected] of [
      ['8,0,4', /width 2 \(0\) must be an integer/],
      ['8,abc,4', /width 2 \("abc"\) must be an integer/],
      ['8,-3,4', /width 2 \(-3\) must be an integer/],
      ['', /type the widths/],
      ['16,20000,20000,8', /maxStorageBufferBindingSize|maxBufferSize/],
    ] as const) {
      await setField(page, 'layers', typed);
      await expect(fieldError(page, 'layers')).resolves.toMatch(expected);
      expect(await page.locator('l2wd-config-form #layers').getAttribute('aria-invalid')).toBe('true');
      expect(await start.isDisabled(), `Start must be disabled for layers "${typed}"`).toBe(true);
    }
    await setField(page, 'lr', 'fast');
    await expect(fieldError(page, 'lr')).resolves.toMatch(/lr = "fast": must be a finite number/);
    await setField(page, 'sweep', '8,zero');
    await expect(fieldError(page, 'sweep')).resolves.toMatch(/sweep: width "zero"/);
    await screenshot(page, 'bad-input');

    await setField(page, 'layers', '8,8,4');
    await setField(page, 'lr', '0.01');
    await setField(page, 'sweep', '');
    expect(await fieldError(page, 'layers')).toBe('');
    expect(await start.isEnabled()).toBe(true);
    expect(await runAndWait(page)).toMatch(/^Done/);
    expect(await tableText(page)).toMatch(/Reference\s+L2\s.*ok/);
    expect(await tableText(page)).not.toMatch(/failed/);
    expect(errors).toEqual([]);
  });
});

describe('cancel', () => {
  it('stops within a step or so and keeps what was measured', async () => {
    await freshPage('layers=8,64,64,4&batch=16&steps=20000&backend=reference&baseline=0');
    await page.locator('[data-testid="start"]').click();
    // Some steps done (not just started), so there is something to keep.
    await page
      .locator('[data-testid="progress-text"]')
      .filter({ hasText: /\b[1-9][\d,]* \/ [\d,]+ steps/ })
      .waitFor({ timeout: 30_000 });
    const t0 = Date.now();
    await page.locator('[data-testid="cancel"]').click();
    await page.waitForFunction(() => document.querySelector('l2wd-app')?.getAttribute('data-phase') === 'idle', null, { timeout: 10_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await expect(page.locator('[data-testid="run-message"]').innerText()).resolves.toMatch(/Cancelled/);
    const rows = await page.locator('l2wd-results-table [data-testid="results-rows"] tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatch(/Reference\s+L2/);
    expect(errors).toEqual([]);
  });
});

describe('divergence', () => {
  it('NaN/Inf from training is flagged on the chart and in the table, never plotted', async () => {
    await freshPage('layers=8,16,4&batch=8&steps=40&lr=1000&activation=relu&backend=gpu,cpu,reference&baseline=0');
    expect(await runAndWait(page)).toMatch(/^Done/);
    await expect(page.locator('l2wd-agreement-chart [data-testid="nonfinite-flag"]').innerText()).resolves.toMatch(/NaN\/Inf at step \d+/);
    expect(await tableText(page)).toMatch(/⚠ NaN\/Inf at step \d+/);
    const plotted = await page.locator('l2wd-agreement-chart').evaluate((el) => {
      const chart = (el as HTMLElementTagNameMap['l2wd-agreement-chart']).normsChart.chart!;
      return chart.data
        .slice(1)
        .flatMap((s) => Array.from(s as ArrayLike<number | null>))
        .filter((v) => v !== null && !Number.isFinite(v)).length;
    });
    expect(plotted).toBe(0);
    await screenshot(page, 'diverged');
    expect(errors).toEqual([]);
  });
});
