/**
 * The page's CPU backend runs in workers (remote-trainer.ts): the main thread stays responsive
 * through a long CPU run (no long task over 50 ms), the run keeps making progress (it used to
 * freeze), Cancel ends it at once, and the adapter panel names the engine and its threads.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp, startLongRun } from './app-driver';
import { useServedApp, watchErrors } from './harness';

const app = useServedApp();
let page: Page;
afterAll(() => page?.close());

/** Steps done, read from the progress line ("1,234 / 10,000,000 steps"). */
async function stepsDone(p: Page): Promise<number> {
  const text = await p.locator('[data-testid="progress-text"]').innerText();
  const m = /([\d,]+) \/ [\d,]+ steps/.exec(text);
  return m ? Number(m[1].replace(/,/g, '')) : 0;
}

describe('CPU backend in the page', () => {
  it('a long CPU run keeps the main thread free (no long task > 50 ms), keeps progressing, and Cancel ends it', async () => {
    page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    // Long tasks of the main thread, recorded from page start; the test reads those after Start.
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: { start: number; duration: number }[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await openApp(page, app.server.url, 'layers=32,256,256,8&batch=64&steps=10000000&backend=cpu&baseline=0');
    await expect(page.locator('[data-testid="cpu-engine"]').innerText()).resolves.toMatch(/^CPU: WASM SIMD( \(relaxed FMA\))?, \d+ threads?/);
    const startedAt = await page.evaluate(() => performance.now());
    // Ten million steps: the page asks before it starts such a run.
    await startLongRun(page);
    await page
      .locator('[data-testid="progress-text"]')
      .filter({ hasText: /\b[1-9][\d,]* \/ [\d,]+ steps/ })
      .waitFor({ timeout: 60_000 });
    // From here the run is in its steady state (start-up — building the dataset, the workers,
    // the charts — is behind it): progress must go on (the old page pool froze after some
    // chunks), sampled over ~8 s, with the main thread free.
    const steadyFrom = await page.evaluate(() => performance.now());
    const first = await stepsDone(page);
    await page.waitForTimeout(8_000);
    const later = await stepsDone(page);
    expect(later, 'steps after 8 more seconds').toBeGreaterThan(first);
    const steadyTo = await page.evaluate(() => performance.now());
    const t0 = Date.now();
    await page.locator('[data-testid="cancel"]').click();
    await page.waitForFunction(() => document.querySelector('l2wd-app')?.getAttribute('data-phase') === 'idle', null, { timeout: 10_000 });
    expect(Date.now() - t0, 'ms from Cancel to idle').toBeLessThan(5_000);
    await expect(page.locator('[data-testid="run-message"]').innerText()).resolves.toMatch(/Cancelled/);
    const long = await page.evaluate(
      ([from, to]) =>
        (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start + t.duration >= from && t.start <= to),
      [steadyFrom, steadyTo],
    );
    expect(
      long.map((t) => `${Math.round(t.duration)} ms at +${Math.round(t.start - startedAt)} ms`),
      'long tasks on the main thread during the CPU run',
    ).toEqual([]);
    expect(errors).toEqual([]);
  });
});
