/**
 * The schedule fields of the form in headless Chromium (docs/DESIGN.md, Page): choosing a schedule
 * shows its settings, a bad step factor is named inline and blocks the run, and the choice lives in
 * the URL, so a link reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { fieldError, openApp, setField } from './app-driver';
import { useServedApp, watchErrors } from './harness';

const app = useServedApp();

describe('the schedule fields', () => {
  it('step shows S and γ, a γ of 0 is refused inline, and the link carries schedule and convention', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openApp(page, app.server.url);
    const form = page.locator('l2wd-config-form');
    expect(await form.locator('#stepGamma').count()).toBe(0);
    await form.locator('#schedule').selectOption('step');
    await form.locator('#decaySchedule').selectOption('fixed');
    await setField(page, 'stepEvery', '25');
    await setField(page, 'stepGamma', '0');
    expect(await fieldError(page, 'stepGamma')).toBe('stepGamma = 0: must be a number in (0, 1]');
    await expect.poll(() => page.locator('[data-testid="start"]').isDisabled()).toBe(true);
    await setField(page, 'stepGamma', '0.5');
    expect(await fieldError(page, 'stepGamma')).toBe('');
    await expect.poll(() => new URL(page.url()).search).toContain('schedule=step&stepEvery=25&stepGamma=0.5&decaySchedule=fixed');
    // The link reproduces the choice in a fresh page.
    const again = await app.browser.newPage();
    await openApp(again, app.server.url, new URL(page.url()).search.slice(1));
    expect(await again.locator('l2wd-config-form #schedule').inputValue()).toBe('step');
    expect(await again.locator('l2wd-config-form #stepGamma').inputValue()).toBe('0.5');
    expect(await again.locator('l2wd-config-form #decaySchedule').inputValue()).toBe('fixed');
    await again.close();
    expect(errors).toEqual([]);
    await page.close();
  });
});
