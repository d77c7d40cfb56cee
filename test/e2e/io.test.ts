/**
 * Results leave and come back: JSON export → import gives the same table; CSV has the rows; the
 * λ = 0 baseline travels with them and is drawn again; a link reproduces the form.
 */
import { describe, expect, it } from 'vitest';
import { exported, lossLabels, openApp, openWatched, runAndWait, tableText } from './app-driver';
import { screenshot, useServedApp } from './harness';

const app = useServedApp();

describe('export and import', () => {
  it('JSON export then import shows the same table, and the form takes the imported configuration', async () => {
    const query = 'layers=8,16,4&batch=8&steps=10&lr=0.02&optimizer=momentum&momentum=0.8&backend=gpu,cpu,reference&baseline=0';
    const { page, errors } = await openWatched(app, query, { acceptDownloads: true });
    expect(await runAndWait(page)).toMatch(/^Done/);
    const table = await tableText(page);

    const json = await exported(page, 'export-json');
    const jsonPath = json.path;
    const file = JSON.parse(json.text);
    expect(file.schema).toBe('l2wd-bench/1');
    expect(file.config).toMatchObject({ layers: [8, 16, 4], optimizer: 'momentum', momentum: 0.8, lr: 0.02 });
    expect(file.config.alpha).toBeCloseTo(0.02 * 0.001, 15);
    expect(file).not.toHaveProperty('baseline'); // baseline=0: none ran

    const lines = (await exported(page, 'export-csv')).text.trim().split('\n');
    expect(lines[0]).toMatch(/^kind,width,backend,variant/);
    expect(lines.filter((l) => l.startsWith('result,'))).toHaveLength(file.results.length);
    expect(lines.filter((l) => l.startsWith('agreement,'))).toHaveLength(file.agreement.length);

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

  it('the λ = 0 baseline is exported (a JSON field, CSV lines) and drawn again after an import', async () => {
    const { page, errors } = await openWatched(app, 'layers=8,16,4&batch=8&steps=6&backend=cpu&baseline=1', { acceptDownloads: true });
    expect(await runAndWait(page)).toMatch(/^Done/);
    const labels = await lossLabels(page);
    expect(labels.filter((l) => /λ = 0/.test(l)).length).toBeGreaterThan(0);

    const json = await exported(page, 'export-json');
    const file = JSON.parse(json.text);
    expect(file.baseline).toHaveLength(1);
    expect(file.baseline[0]).toMatchObject({ backend: 'cpu', variant: 'l2', skipped: null });
    expect(file.baseline[0].trainLoss.length).toBeGreaterThan(0);
    const lines = (await exported(page, 'export-csv')).text.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('baseline,,cpu,l2,'))).toHaveLength(1);

    // A fresh page without a run: the import brings the baseline back into the loss chart.
    const fresh = await openWatched(app, '', { acceptDownloads: true });
    await fresh.page.locator('[data-testid="import"]').setInputFiles(json.path);
    await fresh.page.locator('[data-testid="imported"]').waitFor();
    expect(await lossLabels(fresh.page)).toEqual(labels);
    await expect(fresh.page.locator('[data-testid="run-message"]').innerText()).resolves.toMatch(/and 1 λ = 0 baseline/);
    // Exported again from the imported page, the file keeps the baseline.
    expect(JSON.parse((await exported(fresh.page, 'export-json')).text).baseline).toEqual(file.baseline);
    expect([...errors, ...fresh.errors]).toEqual([]);
    await page.close();
    await fresh.page.close();
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
