/**
 * The page as a user meets it: a sweep with a width over the device's limits runs the rest,
 * Enter starts a run and focus follows it, a link's bad values get a notice, a long run asks
 * first, Cancel keeps the bar where it was, and axe finds no serious or critical violation in
 * either colour scheme. Configurations are tiny: SwiftShader runs on two shared cores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openApp, openWatched, preset, runAndWait, runs } from './app-driver';
import { ROOT, screenshot, useServedApp } from './harness';

const app = useServedApp();

/** The element that has focus, through shadow roots. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute('data-testid') ?? el?.id ?? el?.tagName ?? '';
  });
}

describe('sweep over the limits', () => {
  it('a width that fits nothing is skipped with its reason and the other widths run', async () => {
    const { page, errors } = await openWatched(app, 'layers=8,16,16,4&batch=8&steps=6&backend=gpu,cpu&sweep=8,16,32768&baseline=0');
    await expect(page.locator('l2wd-config-form [data-testid="sweep-skips"]').innerText()).resolves.toMatch(/Width 32768 is skipped on gpu: .*GiB/);
    expect(await page.locator('[data-testid="start"]').isEnabled()).toBe(true);
    expect(await runAndWait(page)).toMatch(/^Done/);
    const rows = await page.locator('l2wd-results-table [data-testid="results-rows"] tbody tr').allInnerTexts();
    const wide = rows.filter((r) => r.trim().startsWith('32768'));
    expect(wide.length).toBe(4);
    for (const r of wide) expect(r).toMatch(/skipped/);
    for (const w of ['8', '16']) {
      const ran = rows.filter((x) => new RegExp(`^\\s*${w}\\s`).test(x));
      expect(ran.length, `rows at width ${w}`).toBe(4);
      for (const r of ran) expect(r).not.toMatch(/skipped|failed/);
    }
    // In a sweep the throughput chart (the point of a sweep) comes first.
    const order = await page
      .locator('l2wd-app')
      .evaluate((el) => [...el.shadowRoot!.querySelectorAll('.results > *')].map((c) => c.tagName.toLowerCase()).filter((t) => t.startsWith('l2wd-')));
    expect(order[0]).toBe('l2wd-throughput-chart');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the form', () => {
  it('Enter in a field starts the run; focus moves to Cancel, and back to Start after', async () => {
    const { page, errors } = await openWatched(app, 'layers=8,16,4&batch=8&steps=200&backend=cpu&baseline=0', { viewport: { width: 1280, height: 800 } });
    // Start is above the fold at 1280×800.
    const box = await page.locator('[data-testid="start"]').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    const before = await runs(page);
    await page.locator('l2wd-config-form #steps').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('l2wd-app')?.getAttribute('data-phase') !== 'idle', null, { timeout: 10_000 }).catch(() => {});
    await page.waitForFunction((n) => Number(document.querySelector('l2wd-app')?.getAttribute('data-runs')) > n, before, { timeout: 60_000 });
    expect(await focused(page)).toBe('start');
    expect(await page.locator('[data-testid="run-message"]').innerText()).toMatch(/^Done/);
    // A longer run, to see focus on Cancel while it goes.
    await page.locator('l2wd-config-form #steps').fill('20000');
    await page.locator('l2wd-config-form #steps').press('Enter');
    await page
      .locator('[data-testid="progress-text"]')
      .filter({ hasText: /\b[1-9][\d,]* \/ [\d,]+ steps/ })
      .waitFor({ timeout: 30_000 });
    expect(await focused(page)).toBe('cancel');
    const value = () => page.locator('l2wd-run-controls progress').evaluate((p) => (p as HTMLProgressElement).value);
    await page.keyboard.press('Enter'); // Cancel has focus
    await page.waitForFunction(() => document.querySelector('l2wd-app')?.getAttribute('data-phase') === 'idle', null, { timeout: 10_000 });
    // After Cancel the bar stays where the run was, not full.
    expect(await value()).toBeLessThan(0.5);
    expect(await focused(page)).toBe('start');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a link with unknown or invalid values says so on the page', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, app.server.url, 'layers=8,16,4&backend=gpu,tpu&optimizer=sgdd&colour=red');
    const notice = await page.locator('[data-testid="link-notice"]').innerText();
    expect(notice).toMatch(/unknown key "colour"/);
    expect(notice).toMatch(/backend "tpu" dropped/);
    expect(notice).toMatch(/optimizer = "sgdd" is not one of sgd, momentum, adam/);
    await page.close();
  });

  it('a run predicted to take minutes shows its estimate and asks first', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, app.server.url);
    await preset(page, 'large');
    await expect(page.locator('[data-testid="estimate"]').innerText()).resolves.toMatch(
      /Predicted: about \d+ min \d+ s, .* on the GPU, .* of host memory/,
    );
    const before = await runs(page);
    await page.locator('[data-testid="start"]').click();
    await expect(page.locator('[data-testid="ask-first"]').innerText()).resolves.toMatch(/Start this run\? it is predicted to take about \d+ min/);
    expect(await page.locator('l2wd-app').getAttribute('data-phase')).toBe('idle');
    await page.locator('[data-testid="ask-first"] button', { hasText: 'Not now' }).click();
    expect(await page.locator('[data-testid="ask-first"]').count()).toBe(0);
    expect(await runs(page)).toBe(before);
    await page.close();
  });
});

describe('charts you can read', () => {
  it('baseline under L2 and decay, integer step ticks, legend toggles by keyboard, a log/linear switch', async () => {
    const { page, errors } = await openWatched(app, 'layers=8,16,4&batch=8&steps=5&backend=gpu');
    expect(await runAndWait(page)).toMatch(/^Done/);
    const loss = await page.locator('l2wd-loss-chart').evaluate((el) => {
      const u = (el as HTMLElementTagNameMap['l2wd-loss-chart']).chart.chart!;
      const splits = (u.axes[0] as unknown as { _splits?: number[] })._splits ?? [];
      return { labels: u.series.slice(1).map((x) => String(x.label)), splits };
    });
    // uPlot draws in series order: the grey λ = 0 curves first, under L2 and decay.
    expect(loss.labels[0]).toMatch(/λ = 0/);
    expect(loss.labels.at(-1)).not.toMatch(/λ = 0/);
    expect(loss.splits.length).toBeGreaterThan(1);
    for (const x of loss.splits) expect(Number.isInteger(x), `step tick ${x}`).toBe(true);
    // A legend entry is a toggle button: Enter hides its series.
    const entry = page.locator('l2wd-loss-chart .u-legend .u-series').nth(1);
    await entry.focus();
    await page.keyboard.press('Enter');
    await expect(entry.getAttribute('aria-pressed')).resolves.toBe('false');
    expect(await page.locator('l2wd-loss-chart').evaluate((el) => (el as HTMLElementTagNameMap['l2wd-loss-chart']).chart.chart!.series[1].show)).toBe(
      false,
    );
    // The gap chart's log axis can be switched to linear.
    const distr = () =>
      page.locator('l2wd-agreement-chart').evaluate((el) => (el as HTMLElementTagNameMap['l2wd-agreement-chart']).gapsChart.chart!.scales.y.distr);
    expect(await distr()).toBe(3);
    await page.locator('l2wd-agreement-chart [data-testid="gap-log"]').uncheck();
    await expect.poll(distr).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('accessibility (axe-core)', () => {
  for (const colorScheme of ['light', 'dark'] as const)
    it(`no serious or critical violations, ${colorScheme}, with results shown`, async () => {
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
      await openApp(page, app.server.url, 'layers=8,16,4&batch=8&steps=10&backend=gpu,cpu');
      expect(await runAndWait(page)).toMatch(/^Done/);
      await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(
                ctx: Document,
                opts: object,
              ): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown; failureSummary: string }[] }[] }>;
            };
          }
        ).axe;
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) =>
              `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n')}`,
          );
      });
      await screenshot(page, `axe-${colorScheme}`);
      expect(violations.join('\n')).toBe('');
      // No empty table header, whatever its impact (issue 9 item 7): every column head has a name.
      const heads = await page.locator('l2wd-results-table th').allTextContents();
      expect(heads.length).toBeGreaterThan(0);
      expect(heads.filter((h) => h.trim() === '')).toEqual([]);
      await page.close();
    });
});
