/**
 * The grid panel by keyboard (docs/DESIGN.md, Grid): Enter in an axis field starts the grid, as
 * Enter in the run form starts a run; with a bad axis it starts nothing. The heatmaps name the
 * configuration they ran with, not the form's after it changes. A 2 × 2 grid of 4 steps
 * on the CPU, so the test is about the keys, not the training.
 */
import { describe, expect, it } from 'vitest';
import { openApp } from './app-driver';
import { useServedApp, watchErrors } from './harness';

const app = useServedApp();

describe('grid panel keys', () => {
  it('Enter in an axis field starts the grid; with a bad axis it starts nothing', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, 'layers=4,6,3&batch=4&steps=4&backend=cpu');
    const message = page.locator('[data-testid="grid-message"]');
    await page.locator('l2wd-grid-panel #grid-lr').fill('0,0.1');
    await page.locator('l2wd-grid-panel #grid-lr').press('Enter');
    await page.waitForTimeout(500);
    expect(await message.count()).toBe(0);
    await page.locator('l2wd-grid-panel #grid-lr').fill('0.01,0.1');
    await page.locator('l2wd-grid-panel #grid-lambda').fill('1e-3,1e-2');
    await page.locator('l2wd-grid-panel #grid-lambda').press('Enter');
    expect((await message.innerText({ timeout: 120_000 })).trim()).toMatch(/^Done/);
    await expect.poll(() => page.locator('[data-testid="heatmap-l2-summary"]').innerText()).toMatch(/^L2 \(λ\): best validation loss/);
    // The heatmaps say what their models ran with, and keep saying it when the form changes.
    const config = page.locator('[data-testid="grid-config"]');
    expect(await config.innerText()).toBe('Every model here: layers 4,6,3 · batch 4 · 4 steps · tanh · mse · teacher, 4 training batches · seed 1.');
    await page.locator('l2wd-config-form #layers').fill('8,8,3');
    await page.locator('l2wd-config-form #steps').fill('50');
    await page.waitForTimeout(300);
    expect(await config.innerText()).toMatch(/layers 4,6,3 · batch 4 · 4 steps/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
