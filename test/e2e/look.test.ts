/** How the page looks: dark scheme at a phone width and light at a laptop width, with keyboard focus visible. */
import { describe, expect, it } from 'vitest';
import { openApp, runAndWait } from './app-driver';
import { screenshot, watchErrors, useServedApp } from './harness';

const app = useServedApp();

describe('look', () => {
  it('dark scheme, narrow: nothing overflows sideways, the charts fit', async () => {
    const page = await app.browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', deviceScaleFactor: 2 });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, 'layers=8,16,4&batch=8&steps=30&optimizer=adam&backend=gpu,cpu,reference');
    expect(await runAndWait(page)).toMatch(/^Done/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await screenshot(page, 'dark-narrow');
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 18, 24)');
    const chartWidth = await page
      .locator('l2wd-agreement-chart')
      .evaluate((el) => (el as HTMLElementTagNameMap['l2wd-agreement-chart']).normsChart.chart?.width ?? 0);
    expect(chartWidth).toBeGreaterThan(200);
    expect(chartWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'dark-narrow');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keyboard: Tab reaches the presets and fields with a visible focus ring', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, app.server.url);
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      const cs = el ? getComputedStyle(el) : null;
      return { tag: el?.tagName, text: el?.textContent?.trim(), outline: cs?.outlineStyle, width: cs?.outlineWidth };
    });
    expect(outline.tag).toBe('BUTTON');
    expect(outline.text).toMatch(/SGD/);
    expect(outline.outline).toBe('solid');
    expect(outline.width).toBe('3px');
    // Enter on the focused preset applies it, like a click.
    await page.keyboard.press('Enter');
    expect(page.url()).toContain('optimizer=sgd');
    await screenshot(page, 'keyboard-focus');
    await page.close();
  });
});
