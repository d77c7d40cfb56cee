/**
 * MNIST on the built page: the overfitting preset at reduced steps on the CPU backend (in its
 * worker), the digits fetched from the page's own origin and only when the dataset is MNIST,
 * and the direction of the effect the preset exists for (docs/BENCHMARKS.md, "Overfitting preset").
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectBackendsRan, openApp, preset, runs, setField } from './app-driver';
import { screenshot, useServedApp, watchErrors } from './harness';

const app = useServedApp();
const RUN_MS = 540_000;
/**
 * Validation-accuracy points the regularized runs must gain over λ = 0 at 600 steps: the CLI measured
 * +5.7 at seed 1 (1,000 validation rows) and +4.1 to +6.0 over three seeds at 800 steps (docs/BENCHMARKS.md).
 */
const ACCURACY_GAIN = 2;

/** Start, and confirm if the page asks first (a run predicted over a few minutes); resolves with the run message. */
async function run(page: Page): Promise<string> {
  const before = await runs(page);
  await page.locator('[data-testid="start"]').click();
  const anyway = page.locator('[data-testid="start-anyway"]');
  if (await anyway.isVisible({ timeout: 1000 }).catch(() => false)) await anyway.click();
  await page.waitForFunction((n) => Number(document.querySelector('l2wd-app')?.getAttribute('data-runs')) > n, before, { timeout: RUN_MS });
  return (await page.locator('[data-testid="run-message"]').innerText()).trim();
}

/** A chart's final table: run label → [train, validation] as numbers (percent signs dropped). */
async function finals(page: Page, chart: 'l2wd-loss-chart' | 'l2wd-accuracy-chart'): Promise<Record<string, [number, number]>> {
  const rows = await page
    .locator(`${chart} table[aria-label^="Final"] tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), ...[...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())]),
    );
  return Object.fromEntries(rows.map(([label, train, val]) => [label, [parseFloat(train), parseFloat(val)]]));
}

describe('MNIST on the page', () => {
  it(
    'the overfitting preset at 600 steps (CPU): the digits come from the page’s origin, λ = 0 fits its noisy batches and scores worse in validation accuracy and loss',
    async () => {
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors = watchErrors(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await openApp(page, app.server.url);
      expect(
        requests.filter((u) => u.includes('mnist.bin')),
        'fetched before MNIST was chosen',
      ).toEqual([]);

      await preset(page, 'overfit');
      // 600 steps: λ = 0 has memorised most of its wrong labels, and its validation accuracy and loss are past their best (docs/BENCHMARKS.md).
      await setField(page, 'steps', '600');
      await setField(page, 'validationSize', '1000');
      await page.locator('l2wd-config-form input[name="backend"][value="gpu"]').uncheck();
      expect(new URL(page.url()).searchParams.get('dataset')).toBe('mnist');
      expect(await run(page)).toMatch(/^Done/);
      await expectBackendsRan(page, ['cpu']);

      const origin = new URL(app.server.url).origin;
      const assets = requests.filter((u) => u.includes('mnist.bin'));
      expect(assets).toEqual([`${origin}/data/mnist.bin`]);
      expect(requests.every((u) => new URL(u).origin === origin || u.startsWith('data:') || u.startsWith('blob:'))).toBe(true);

      const loss = await finals(page, 'l2wd-loss-chart');
      const accuracy = await finals(page, 'l2wd-accuracy-chart');
      const none = 'CPU λ = 0';
      // λ = 0 fits the batches it trains on, a fifth of their labels wrong (near 100 %); the regularized runs do not
      // (about the 80 % of right labels), and beat it on the unseen digits in accuracy, by points, and in loss.
      expect(accuracy[none][0]).toBeGreaterThanOrEqual(95);
      for (const variant of ['CPU L2', 'CPU decay']) {
        const both = `${variant} vs λ = 0: loss ${JSON.stringify(loss)}, accuracy ${JSON.stringify(accuracy)}`;
        expect(accuracy[variant][0], both).toBeLessThan(90);
        expect(accuracy[variant][1], both).toBeGreaterThanOrEqual(accuracy[none][1] + ACCURACY_GAIN);
        expect(loss[variant][1], both).toBeLessThan(loss[none][1]);
      }
      // Under SGD the two regularizers are one map: the verdict above, and losses equal up to float32
      // rounding, which ReLU sign flips carry far here (the CLI's 800-step runs, three seeds: 5.9e-4
      // relative at most in the train loss, 1.1e-3 in the validation loss; docs/BENCHMARKS.md); the rows the charts draw, unrounded.
      const rows = await page
        .locator('l2wd-loss-chart')
        .evaluate((el) => (el as HTMLElementTagNameMap['l2wd-loss-chart']).results!.results.map((r) => [r.finalLoss!, r.finalValidationLoss!]));
      expect(rows.length).toBe(2);
      for (const k of [0, 1]) expect(Math.abs(rows[0][k] - rows[1][k]), JSON.stringify(rows)).toBeLessThanOrEqual(5e-3 * rows[1][k]);
      const verdict = await page.locator('l2wd-agreement-chart [data-testid="gap-cpu-l2-decay"]').getAttribute('data-verdict');
      expect(verdict).toMatch(/^(same|identical)$/);
      await screenshot(page, 'overfit-preset');
      expect(errors).toEqual([]);
      await page.close();
    },
    RUN_MS + 30_000,
  );

  it.each([
    ['missing', 404, '', /The MNIST digits \(http:\/\/localhost:\d+\/data\/mnist\.bin\) are missing: HTTP 404; build it with `npm run build:data`/],
    ['corrupt', 200, 'these forty bytes are not the MNIST digits', /does not start with "L2WDMNI1".*npm run build:data/],
  ] as const)('a %s asset fails the run with a message that says what to do', async (_what, status, body, message) => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/data/mnist.bin', (route) => route.fulfill({ status, body, headers: { 'cross-origin-resource-policy': 'same-origin' } }));
    await openApp(page, app.server.url, 'dataset=mnist&layers=784,8,10&loss=ce&batch=8&trainSize=16&validationSize=8&steps=2&backend=cpu&baseline=0');
    expect(await run(page)).toMatch(message);
    await page.close();
  });

  it('MNIST in the form: the widths follow the dataset, and a bad size or label noise is an inline error', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, app.server.url);
    await page.locator('l2wd-config-form #dataset').selectOption('mnist');
    expect(await page.locator('l2wd-config-form #layers').inputValue()).toBe('784,32,10');
    // Label noise is an MNIST field, next to the sizes: 0 unless set; out of range is an inline error.
    expect(await page.locator('l2wd-config-form #labelNoise').inputValue()).toBe('0');
    await setField(page, 'labelNoise', '0.95');
    await expect(page.locator('l2wd-config-form [data-error-for="labelNoise"]').innerText()).resolves.toContain('must be a number from 0 to 0.9');
    await setField(page, 'trainSize', '1000');
    await expect(page.locator('l2wd-config-form [data-error-for="trainSize"]').innerText()).resolves.toContain('must be a multiple of batch (32)');
    await page.close();
  });
});
