/**
 * The grid on the page (docs/DESIGN.md, Grid): a tiny grid (layers 8,16,4, 3 × 3 cells, 30 steps)
 * on the GPU in headless Chromium. The SGD L2 and decay (α/η) heatmaps agree cell by cell to the
 * rounding floor and the Adam ones do not — in the page's own sentence and in the exported file's
 * cells; the convention switch, the value by keyboard, export, import, and axe in both schemes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseResultsJson } from '../../src/bench/export';
import { comparePair } from '../../src/bench/grid-summary';
import { openApp } from './app-driver';
import { screenshot, watchErrors, useServedApp } from './harness';

const app = useServedApp();
const ROOT = join(import.meta.dirname, '../..');
const QUERY = 'layers=8,16,4&batch=8&steps=30&backend=gpu,cpu';

async function runGrid(page: Page): Promise<string> {
  await page.locator('l2wd-grid-panel #grid-lr').fill('0.01,0.1,0.3');
  await page.locator('l2wd-grid-panel #grid-lambda').fill('1e-3,1e-2,1e-1');
  await expect.poll(() => page.locator('[data-testid="grid-estimate"]').innerText()).toMatch(/3 × 3 models per heatmap, 8 heatmaps/);
  await page.locator('[data-testid="grid-start"]').click();
  const message = page.locator('[data-testid="grid-message"]');
  await message.waitFor({ timeout: 170_000 });
  return (await message.innerText()).trim();
}

async function axeViolations(page: Page): Promise<string> {
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  return violations.join('\n');
}

describe('grid', () => {
  it('SGD: L2 and decay (α/η) agree cell by cell to the rounding floor; Adam: they do not; switch, keyboard, export, import', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, QUERY);
    expect(await runGrid(page)).toMatch(/^Done/);

    const pair = page.locator('[data-testid="grid-pair"]');
    expect(await pair.getAttribute('data-verdict')).toMatch(/^(same|identical)$/);
    expect(await pair.innerText()).toMatch(/^sgd: L2 and decay \(α\/η\) are the same map cell by cell/);
    await expect.poll(() => page.locator('[data-testid="heatmap-l2-summary"]').innerText()).toMatch(/^L2 \(λ\): best validation loss/);
    await screenshot(page, 'grid-sgd');

    await page.locator('l2wd-grid-panel #grid-show').selectOption('adam');
    await expect.poll(() => pair.getAttribute('data-verdict')).toBe('differ');
    expect(await pair.innerText()).toMatch(
      /^adam: L2 and decay \(α\/η\) differ: the final validation losses differ by up to .*× their cell's rounding floor \(at η = .*\); the largest difference is .* relative/,
    );

    // The other convention: its own grid of runs, labelled as such.
    await page.locator('l2wd-grid-panel [data-convention="alpha"]').check();
    await expect.poll(() => page.locator('[data-testid="heatmap-decay"] figcaption').innerText()).toBe('adam · decay (α)');
    await expect.poll(() => page.locator('[data-testid="heatmap-decay-summary"]').innerText()).toMatch(/^decay \(α\): best/);

    // By keyboard: focus lands on the best cell, the arrows move, the readout says the value.
    const map = page.locator('[data-testid="heatmap-l2"]');
    await map.locator('canvas').focus();
    await expect.poll(() => map.locator('[data-testid="readout"]').innerText()).toMatch(/validation loss [\d.]+.*\(best\)$/);
    const before = await map.locator('[data-testid="readout"]').innerText();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => map.locator('[data-testid="readout"]').innerText()).not.toBe(before);
    expect(await map.locator('[data-testid="readout"]').innerText()).toMatch(/^η = [\d.]+, λ = [\d.e-]+: validation loss/);
    await map.locator('canvas').hover({ position: { x: 70, y: 10 } });
    expect(await map.locator('[data-testid="readout"]').innerText()).toMatch(/^η = 0\.01, λ = 0\.001: validation loss/);

    // The exported cells themselves: the same verdicts from the data.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="grid-export-json"]').click()]);
    const path = await download.path();
    const grid = parseResultsJson(readFileSync(path, 'utf8')).grid!;
    expect(grid.lrs).toEqual([0.01, 0.1, 0.3]);
    const find = (optimizer: string, axis: string) => grid.heatmaps.find((h) => h.optimizer === optimizer && h.axis === axis)!;
    for (const h of grid.heatmaps) {
      expect(h.backend).toBe('gpu');
      expect(h.skipped).toBeNull();
      expect(h.cells).toHaveLength(9);
    }
    expect(['same', 'identical']).toContain(comparePair(find('sgd', 'lambda'), find('sgd', 'alpha-over-lr')).verdict);
    const adam = comparePair(find('adam', 'lambda'), find('adam', 'alpha-over-lr'));
    expect(adam.verdict).toBe('differ');
    expect(adam.compared).toBe(9);

    // The file imports into a fresh page and shows the same sentence.
    const fresh = await app.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await openApp(fresh, app.server.url);
    await fresh.locator('[data-testid="import"]').setInputFiles(path);
    await expect.poll(() => fresh.locator('[data-testid="grid-pair"]').innerText()).toMatch(/^sgd: L2 and decay \(α\/η\) are the same map/);
    await fresh.close();
    expect(errors).toEqual([]);

    expect(await axeViolations(page)).toBe('');
    await page.close();
  });

  it('MNIST: the grid fetches the digits and reports validation accuracy per cell', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, 'dataset=mnist&layers=784,8,10&loss=ce&batch=8&trainSize=64&validationSize=32&steps=8&backend=gpu');
    await page.locator('l2wd-grid-panel #grid-lr').fill('0.01,0.1');
    await page.locator('l2wd-grid-panel #grid-lambda').fill('1e-3,1e-1');
    await page.locator('[data-testid="grid-start"]').click();
    expect((await page.locator('[data-testid="grid-message"]').innerText({ timeout: 120_000 })).trim()).toMatch(/^Done/);
    const map = page.locator('[data-testid="heatmap-l2"]');
    await map.locator('canvas').focus();
    await expect.poll(() => map.locator('[data-testid="readout"]').innerText()).toMatch(/validation loss [\d.]+, accuracy \d+\.\d%/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="grid-export-json"]').click()]);
    const results = parseResultsJson(readFileSync(await download.path(), 'utf8'));
    expect(results.config).toMatchObject({ dataset: 'mnist', trainSize: 64, validationSize: 32 });
    for (const h of results.grid!.heatmaps)
      for (const c of h.cells) {
        expect(Number.isFinite(c.validationAccuracy)).toBe(true);
        // A share of the 32 validation rows.
        expect(c.validationAccuracy * 32).toBeCloseTo(Math.round(c.validationAccuracy * 32), 9);
      }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('dark scheme: the heatmaps read and axe finds nothing serious; bad axes are refused with nothing started', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' });
    await openApp(page, app.server.url, QUERY);
    await page.locator('l2wd-grid-panel #grid-lr').fill('1e-3..1:1');
    expect(await page.locator('l2wd-grid-panel [data-error-for="grid-lr"]').innerText()).toMatch(/count "1" .*must be an integer from 2 to 64/);
    expect(await page.locator('[data-testid="grid-start"]').isDisabled()).toBe(true);
    await page.locator('l2wd-grid-panel #grid-lr').fill('0.01,0.1');
    await page.locator('l2wd-grid-panel #grid-lambda').fill('0,1e-2');
    await page.locator('[data-testid="grid-start"]').click();
    expect((await page.locator('[data-testid="grid-message"]').innerText({ timeout: 120_000 })).trim()).toMatch(/^Done/);
    await screenshot(page, 'grid-dark');
    expect(await axeViolations(page)).toBe('');
    await page.close();
  });
});
