/**
 * The page's import refuses a bad results file with one line naming the field or the limit,
 * and changes nothing: the form, the link and the table stay as they were (issue 10 item 10).
 * A sparse but valid file imports whole (every field filled), with no error on the page.
 */
import { describe, expect, it } from 'vitest';
import { openApp } from './app-driver';
import { useServedApp, watchErrors } from './harness';

const app = useServedApp();

const SCHEMA = 'l2wd-bench/1';
const row = { backend: 'gpu', variant: 'l2', norms: [[1, 2]] };
const file = (o: Record<string, unknown> = {}, r: Record<string, unknown> = {}) =>
  JSON.stringify({ schema: SCHEMA, config: { layers: [4, 8, 2] }, results: [{ ...row, ...r }], ...o });

describe('import refusals', () => {
  it('each bad file: one line naming what is wrong, and the form, the link and the page untouched', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openApp(page, app.server.url, 'layers=8,16,4&optimizer=momentum&backend=cpu');
    const url = page.url();
    const cases: [string, Buffer, RegExp][] = [
      ['activation.json', Buffer.from(file({ config: { layers: [4, 8, 2], activation: 5 } })), /config: activation = 5: must be one of tanh, relu/],
      ['layers.json', Buffer.from(file({ config: { layers: [4, -6, 3.5] } })), /width 2 \(-6\) must be an integer/],
      ['optimizer.json', Buffer.from(file({ config: { layers: [4, 8, 2], optimizer: 'rmsprop' } })), /optimizer = "rmsprop"/],
      ['normsteps.json', Buffer.from(file({}, { normSteps: [1, 2] })), /results\[0\]\.normSteps: 2 entries, but norms has 1/],
      ['width.json', Buffer.from(file({}, { width: 0 })), /results\[0\]\.width: expected an integer from 1/],
      ['deep.json', Buffer.from('['.repeat(100_000)), /nests lists or objects more than 16 deep/],
      ['big.json', Buffer.alloc(11 * 2 ** 20, 0x20), /the file is 11534336 bytes; the limit is 10485760 \(10 MiB\)/],
    ];
    for (const [name, buffer, message] of cases) {
      await page.locator('[data-testid="import"]').setInputFiles({ name, mimeType: 'application/json', buffer });
      const complaint = page.locator('[data-testid="run-message"]').filter({ hasText: `Could not import ${name}` });
      await complaint.waitFor();
      const text = await complaint.innerText();
      expect(text, name).toMatch(message);
      expect(text.trim().split('\n'), name).toHaveLength(1);
      expect(await page.locator('l2wd-config-form #layers').inputValue(), name).toBe('8,16,4');
      expect(await page.locator('l2wd-config-form #optimizer').inputValue(), name).toBe('momentum');
      expect(page.url(), name).toBe(url);
      expect(await page.locator('[data-testid="imported"]').count(), name).toBe(0);
    }

    // A sparse but valid file: imported whole, the form takes its configuration, nothing throws.
    await page.locator('[data-testid="import"]').setInputFiles({ name: 'sparse.json', mimeType: 'application/json', buffer: Buffer.from(file()) });
    await page.locator('[data-testid="imported"]').waitFor();
    expect(await page.locator('l2wd-config-form #layers').inputValue()).toBe('4,8,2');
    await page.locator('l2wd-config-form #layers').fill('4,8,3');
    expect(errors).toEqual([]);
    await page.close();
  });
});
