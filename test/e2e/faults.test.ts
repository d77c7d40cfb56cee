/** Faults: a GPU process crash mid-run is reported and the next run gets a new device. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectBackendsRan, openApp, runAndWait, setField } from './app-driver';
import { screenshot, watchErrors, useServedApp } from './harness';

const app = useServedApp();

/** The crash takes the charts' accelerated canvases with it: waits until they draw again. */
async function chartsDrawing(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector('l2wd-app')?.shadowRoot?.querySelector('l2wd-agreement-chart');
      const ctx = el?.normsChart.chart?.ctx as (CanvasRenderingContext2D & { isContextLost?: () => boolean }) | undefined;
      return ctx !== undefined && ctx.isContextLost?.() === false;
    },
    null,
    { timeout: 10_000 },
  );
}

describe('lost device', () => {
  it('Browser.crashGpuProcess during a run stops it with a message, and the next run works', async () => {
    const page: Page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, 'layers=8,32,4&batch=8&steps=20000&backend=gpu&baseline=0');
    const before = Number(await page.locator('l2wd-app').getAttribute('data-runs'));
    await page.locator('[data-testid="start"]').click();
    // Steps under way on the GPU (or the run already over, which means the GPU never ran).
    await Promise.race([
      page
        .locator('[data-testid="progress-text"]')
        .filter({ hasText: /\b[1-9][\d,]* \/ [\d,]+ steps/ })
        .waitFor({ timeout: 60_000 }),
      page.waitForFunction((n) => Number(document.querySelector('l2wd-app')?.getAttribute('data-runs')) > n, before, { timeout: 60_000 }),
    ]);
    if (Number(await page.locator('l2wd-app').getAttribute('data-runs')) > before) {
      await expectBackendsRan(page, ['gpu']);
      await chartsDrawing(page);
      await screenshot(page, 'device-lost-recovered');
      throw new Error('e2e: the GPU run finished before the crash could be injected; make it longer');
    }

    const cdp = await app.browser.newBrowserCDPSession();
    await cdp.send('Browser.crashGpuProcess' as never);
    await page.waitForFunction((n) => Number(document.querySelector('l2wd-app')?.getAttribute('data-runs')) > n, before, { timeout: 60_000 });
    const message = await page.locator('[data-testid="run-message"]').innerText();
    expect(message).toMatch(/GPU device was lost/);
    expect(message).toMatch(/next run acquires a new device/);
    await chartsDrawing(page);
    await screenshot(page, 'device-lost');

    await setField(page, 'steps', '20');
    expect(await runAndWait(page)).toMatch(/^Done/);
    await expectBackendsRan(page, ['gpu']);
    await chartsDrawing(page);
    await screenshot(page, 'device-lost-recovered');
    // The crash itself logs GPU errors in the console; nothing else may.
    expect(errors.filter((e) => !/GPU|WebGPU|device|lost|context/i.test(e))).toEqual([]);
    await page.close();
  });
});
