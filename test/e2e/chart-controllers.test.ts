/**
 * Chart controllers, in a real browser (headless Chromium, not jsdom): a chart is built on
 * first update, streamed with setData (not rebuilt), resized with its host, destroyed on
 * disconnect, and never fed NaN. The fixture page is part of the e2e build (test/e2e/harness.ts).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { watchErrors, useServedApp } from './harness';

const app = useServedApp();
let page: Page;
let errors: string[];

beforeAll(async () => {
  page = await app.browser.newPage({ viewport: { width: 1000, height: 800 } });
  errors = watchErrors(page);
  await page.goto(`${app.server.url}/test/e2e/fixtures/components.html`);
  await page.waitForFunction(() => 'fixture' in window);
  // Every text the charts draw on a canvas (uPlot's axes, the markers), for the tests to read.
  await page.evaluate(() => {
    const drawn: string[] = [];
    (window as unknown as { drawnText: string[] }).drawnText = drawn;
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text: string, ...rest: [number, number, number?]) {
      drawn.push(String(text));
      return fillText.call(this, text, ...(rest.filter((v) => v !== undefined) as [number, number]));
    };
  });
});

/** Canvas texts drawn since the last call that match `pattern`, after the next two frames. */
async function drawnTexts(pattern: RegExp): Promise<string[]> {
  const texts = await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const drawn = (window as unknown as { drawnText: string[] }).drawnText;
    return drawn.splice(0, drawn.length);
  });
  return texts.filter((t) => pattern.test(t));
}

describe('l2wd-agreement-chart', () => {
  it('builds its charts on first update and streams later data with setData', async () => {
    const r = await page.evaluate(async () => {
      const el = document.createElement('l2wd-agreement-chart');
      el.id = 'a1';
      el.style.width = '900px';
      document.body.append(el);
      el.results = window.fixture.makeResults({ steps: 5 });
      await el.updateComplete;
      const first = el.normsChart.chart!;
      const out = { builds: el.normsChart.builds, points: first.data[0].length, gapsBuilt: el.gapsChart.builds, updates: [] as number[], same: true };
      for (const steps of [10, 20, 40]) {
        el.results = window.fixture.makeResults({ steps });
        await el.updateComplete;
        out.updates.push(el.normsChart.chart!.data[0].length);
        out.same &&= el.normsChart.chart === first;
      }
      return {
        ...out,
        buildsAfter: el.normsChart.builds,
        dataUpdates: el.normsChart.dataUpdates,
        canvases: el.shadowRoot!.querySelectorAll('canvas').length,
      };
    });
    expect(r.builds).toBe(1);
    expect(r.points).toBe(5);
    expect(r.gapsBuilt).toBe(1);
    expect(r.updates).toEqual([10, 20, 40]);
    expect(r.same).toBe(true);
    expect(r.buildsAfter).toBe(1);
    expect(r.dataUpdates).toBeGreaterThanOrEqual(3);
    expect(r.canvases).toBe(2);
  });

  it('follows its host width through the ResizeObserver', async () => {
    const widths = await page.evaluate(async () => {
      const el = document.getElementById('a1') as HTMLElementTagNameMap['l2wd-agreement-chart'];
      const before = el.normsChart.chart!.width;
      el.style.width = '500px';
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      await new Promise((r) => setTimeout(r, 50));
      return { before, after: el.normsChart.chart!.width, builds: el.normsChart.builds };
    });
    expect(widths.after).toBeLessThan(widths.before);
    expect(widths.after).toBeLessThanOrEqual(500);
    expect(widths.builds).toBe(1);
  });

  it('destroys its charts on disconnect and builds fresh ones on reconnect', async () => {
    const r = await page.evaluate(async () => {
      const el = document.getElementById('a1') as HTMLElementTagNameMap['l2wd-agreement-chart'];
      const old = el.normsChart.chart!;
      el.remove();
      const afterRemove = {
        chart: el.normsChart.chart === undefined,
        gaps: el.gapsChart.chart === undefined,
        rootGone: !old.root.isConnected,
        plots: el.shadowRoot!.querySelectorAll('.uplot').length,
      };
      document.body.append(el);
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 0));
      const rebuilt = el.normsChart.chart !== undefined && el.normsChart.chart !== old;
      el.remove();
      return { afterRemove, rebuilt, builds: el.normsChart.builds };
    });
    expect(r.afterRemove).toEqual({ chart: true, gaps: true, rootGone: true, plots: 0 });
    expect(r.rebuilt).toBe(true);
    expect(r.builds).toBe(2);
  });

  it('leaves NaN out of the chart data and flags it in text', async () => {
    const r = await page.evaluate(async () => {
      const el = document.createElement('l2wd-agreement-chart');
      document.body.append(el);
      el.results = window.fixture.makeResults({ steps: 10, nanFrom: 6 });
      await el.updateComplete;
      await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      const data = el.normsChart.chart!.data;
      const values = data.slice(1).flatMap((s) => Array.from(s as ArrayLike<number | null>));
      const flag = el.shadowRoot!.querySelector('[data-testid="nonfinite-flag"]')?.textContent ?? '';
      const gapData = el.gapsChart.chart!.data.slice(1).flatMap((s) => Array.from(s as ArrayLike<number | null>));
      el.remove();
      return {
        anyNaN: values.some((v) => typeof v === 'number' && !Number.isFinite(v)),
        nulls: values.filter((v) => v === null).length,
        gapNaN: gapData.some((v) => typeof v === 'number' && !Number.isFinite(v)),
        flag,
      };
    });
    expect(r.anyNaN).toBe(false);
    expect(r.gapNaN).toBe(false);
    expect(r.nulls).toBe(5);
    expect(r.flag).toMatch(/GPU L2 produced NaN\/Inf at step 6/);
    // The red marker on the canvas at the step it went non-finite (nonFiniteMarker).
    const markers = await drawnTexts(/NaN\/Inf from step/);
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(m).toBe(' NaN/Inf from step 6');
  });
});

describe('l2wd-throughput-chart', () => {
  it('plots a sweep on log-log axes and names the crossover width', async () => {
    const r = await page.evaluate(async () => {
      const el = document.createElement('l2wd-throughput-chart');
      el.style.width = '900px';
      document.body.append(el);
      el.results = window.fixture.makeResults({ steps: 3, sweep: [64, 256, 1024, 4096] });
      await el.updateComplete;
      await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      const u = el.chart.chart!;
      const out = {
        xs: Array.from(u.data[0] as ArrayLike<number>),
        series: u.series.slice(1).map((s) => s.label),
        xLog: u.scales.x.distr,
        yLog: u.scales.y.distr,
        crossover: el.shadowRoot!.querySelector('[data-testid="crossover"]')?.textContent ?? '',
        speedUps: [...el.shadowRoot!.querySelectorAll('[data-testid="speed-up"]')].map((td) => (td as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
        // The summary beside the plot holds its table: nothing sticks out of it.
        summary: ((a: Element) => ({ scroll: a.scrollWidth, client: a.clientWidth }))(el.shadowRoot!.querySelector('[data-testid="throughput-summary"]')!),
      };
      el.remove();
      return { ...out, destroyed: el.chart.chart === undefined };
    });
    expect(r.xs).toEqual([64, 256, 1024, 4096]);
    expect(r.series).toEqual(['GPU', 'CPU']);
    expect(r.xLog).toBe(3);
    expect(r.yLog).toBe(3);
    // CPU ms = w/64, GPU ms = 4 + w/512: equal at w ≈ 293, between 256 and 1024.
    expect(Number(r.crossover)).toBeGreaterThan(256);
    expect(Number(r.crossover)).toBeLessThan(1024);
    // Each width's speed-up with the range its spreads allow (p10 = 0.9, p90 = 1.1 × the median):
    // at 256 (CPU 4 ms, GPU 4.5 ms) the range includes 1× and says so; at 4096 (64 vs 12 ms) it does not.
    expect(r.speedUps).toHaveLength(4);
    expect(r.speedUps[1]).toBe('0.889× 0.73–1.1, overlap');
    expect(r.speedUps[3]).toBe('5.33× 4.4–6.5');
    expect(r.summary.scroll).toBeLessThanOrEqual(r.summary.client);
    // The dashed marker on the canvas names the same width.
    const markers = await drawnTexts(/crossover/);
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(m).toBe(` crossover ≈ ${Math.round(Number(r.crossover))}`);
    expect(r.destroyed).toBe(true);
  });
});

describe('l2wd-loss-chart', () => {
  it('streams loss curves into one chart', async () => {
    const r = await page.evaluate(async () => {
      const el = document.createElement('l2wd-loss-chart');
      document.body.append(el);
      for (const steps of [3, 6, 9]) {
        el.results = window.fixture.makeResults({ steps });
        await el.updateComplete;
      }
      const out = { builds: el.chart.builds, updates: el.chart.dataUpdates, len: el.chart.chart!.data[0].length };
      el.remove();
      return out;
    });
    expect(r).toEqual({ builds: 1, updates: 2, len: 9 });
    expect(errors).toEqual([]);
  });
});
