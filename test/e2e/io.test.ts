/** Results leave and come back: JSON export → import gives the same table; CSV has the rows; a link reproduces the form. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApp, runAndWait, tableText } from './app-driver';
import { screenshot, watchErrors, useServedApp } from './harness';

const app = useServedApp();

describe('export and import', () => {
  it('JSON export then import shows the same table, and the form takes the imported configuration', async () => {
    const query = 'layers=8,16,4&batch=8&steps=10&lr=0.02&optimizer=momentum&momentum=0.8&backend=gpu,cpu,reference&baseline=0';
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, query);
    expect(await runAndWait(page)).toMatch(/^Done/);
    const table = await tableText(page);

    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-json"]').click()]);
    const jsonPath = await json.path();
    const exported = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(exported.schema).toBe('l2wd-bench/1');
    expect(exported.config).toMatchObject({ layers: [8, 16, 4], optimizer: 'momentum', momentum: 0.8, lr: 0.02 });
    expect(exported.config.alpha).toBeCloseTo(0.02 * 0.001, 15);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^kind,width,backend,variant/);
    expect(lines.filter((l) => l.startsWith('result,'))).toHaveLength(exported.results.length);
    expect(lines.filter((l) => l.startsWith('agreement,'))).toHaveLength(exported.agreement.length);

    // A fresh page with the defaults, then the file: the same table, and the form now holds the run's settings.
    const fresh = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(fresh, app.server.url);
    await fresh.locator('[data-testid="import"]').setInputFiles(jsonPath);
    await fresh.locator('[data-testid="imported"]').waitFor();
    expect(await tableText(fresh)).toBe(table);
    expect(await fresh.locator('l2wd-config-form #layers').inputValue()).toBe('8,16,4');
    expect(await fresh.locator('l2wd-config-form #optimizer').inputValue()).toBe('momentum');
    expect(fresh.url()).toContain('optimizer=momentum');
    await screenshot(fresh, 'imported');

    // A file that is not results gets a message and changes nothing.
    await fresh
      .locator('[data-testid="import"]')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"schema":"other"}') });
    const complaint = fresh.locator('[data-testid="run-message"]').filter({ hasText: /Could not import bad\.json/ });
    await complaint.waitFor();
    expect(await complaint.innerText()).toMatch(/schema/);
    expect(await tableText(fresh)).toBe(table);
    expect(errors).toEqual([]);
    await page.close();
    await fresh.close();
  });

  it('a link reproduces the configuration', async () => {
    const page = await app.browser.newPage();
    await openApp(page, app.server.url, 'layers=4,9,3&optimizer=adam&beta1=0.8&lambda=0.01&sweep=9,27&backend=cpu');
    expect(await page.locator('l2wd-config-form #layers').inputValue()).toBe('4,9,3');
    expect(await page.locator('l2wd-config-form #beta1').inputValue()).toBe('0.8');
    expect(await page.locator('l2wd-config-form #sweep').inputValue()).toBe('9,27');
    expect(await page.locator('l2wd-config-form input[value="gpu"]').isChecked()).toBe(false);
    expect(await page.locator('l2wd-config-form input[value="cpu"]').isChecked()).toBe(true);
    await expect(page.locator('l2wd-config-form [data-testid="alpha"]').innerText()).resolves.toBe('1.00e-4');
    await page.close();
  });
});
