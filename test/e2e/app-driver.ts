/** Small verbs for driving <l2wd-app> in the e2e tests (Playwright locators pierce shadow roots). */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { StaticServer } from './harness';
import { requireAdapter, watchErrors } from './harness';

export async function openApp(page: Page, baseUrl: string, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/${query ? `?${query}` : ''}`);
  await requireAdapter(page);
}

/** A new page of the served app at `query` (a 1280×900 window unless told), its page and console errors collected from the start. */
export async function openWatched(
  app: { readonly server: StaticServer; readonly browser: Browser },
  query = '',
  options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  const errors = watchErrors(page);
  await openApp(page, app.server.url, query);
  return { page, errors };
}

/** Clicks the export button `testId` ("export-json", "export-csv") and returns the downloaded file's text. */
export async function exported(page: Page, testId: string): Promise<{ path: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="${testId}"]`).click()]);
  const path = await download.path();
  return { path, text: readFileSync(path, 'utf8') };
}

/** The loss chart's series labels, in drawing order ("CPU L2", "CPU λ = 0", …). */
export async function lossLabels(page: Page): Promise<string[]> {
  return page
    .locator('l2wd-loss-chart')
    .evaluate((el) => (el as HTMLElementTagNameMap['l2wd-loss-chart']).chart.chart!.series.slice(1).map((s) => String(s.label)));
}

export async function runs(page: Page): Promise<number> {
  return Number((await page.locator('l2wd-app').getAttribute('data-runs')) ?? '0');
}

/** Clicks Start and waits until the run has finished (or stopped), returning the page's run message. */
export async function runAndWait(page: Page, timeoutMs = 120_000): Promise<string> {
  const before = await runs(page);
  await page.locator('[data-testid="start"]').click();
  await page.waitForFunction((n) => Number(document.querySelector('l2wd-app')?.getAttribute('data-runs')) > n, before, { timeout: timeoutMs });
  return (await page.locator('[data-testid="run-message"]').innerText()).trim();
}

/**
 * Starts a run the page asks about first (predicted over a few minutes, or large): Start, then
 * "Start anyway" (test: page.test.ts "asks first"). For long runs that a test cancels.
 */
export async function startLongRun(page: Page): Promise<void> {
  await page.locator('[data-testid="start"]').click();
  await page.locator('[data-testid="start-anyway"]').click();
}

export async function setField(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`l2wd-config-form #${name}`).fill(value);
}

export async function fieldError(page: Page, name: string): Promise<string> {
  return (await page.locator(`l2wd-config-form [data-error-for="${name}"]`).innerText()).trim();
}

export async function preset(page: Page, id: string): Promise<void> {
  await page.locator(`l2wd-config-form [data-preset="${id}"]`).click();
}

/** The headline L2-vs-decay gap the page shows for a backend, parsed from the page's own text. */
export async function shownGap(page: Page, backend: 'gpu' | 'cpu' | 'reference'): Promise<number> {
  const el = page.locator(`l2wd-agreement-chart [data-testid="gap-${backend}-l2-decay"]`);
  const text = await el.locator('[data-gap="weight"]').innerText();
  return Number(text.replace('−', '-'));
}

/** The L2-vs-decay verdict the page shows for a backend: its id (data-verdict) and its sentence. */
export async function shownVerdict(page: Page, backend: 'gpu' | 'cpu' | 'reference'): Promise<{ id: string; text: string }> {
  const el = page.locator(`l2wd-agreement-chart [data-testid="gap-${backend}-l2-decay"]`);
  return { id: (await el.getAttribute('data-verdict')) ?? '', text: (await el.innerText()).replace(/\s+/g, ' ').trim() };
}

export async function tableText(page: Page): Promise<string> {
  // innerText of the host would be empty: the table lives in its shadow root.
  return page.locator('l2wd-results-table [data-testid="results-table"]').innerText();
}

const NAMES = { gpu: 'GPU', cpu: 'CPU', reference: 'Reference' } as const;

/**
 * Fails at once, with the page's own reason, when a backend the test needs was skipped
 * (e.g. "the gpu backend is not available in this build"), instead of timing out later.
 */
export async function expectBackendsRan(page: Page, backends: readonly ('gpu' | 'cpu' | 'reference')[]): Promise<void> {
  const rows = await page.locator('l2wd-results-table [data-testid="results-rows"] tbody tr').allInnerTexts();
  for (const b of backends) {
    const mine = rows.filter((r) => new RegExp(`^\\s*\\d*\\s*${NAMES[b]}\\s`).test(r));
    if (mine.length === 0) throw new Error(`e2e: no ${NAMES[b]} rows in the results table:\n${rows.join('\n')}`);
    const skipped = mine.find((r) => /skipped|failed/.test(r));
    if (skipped) throw new Error(`e2e: the ${NAMES[b]} backend did not run: ${skipped.replace(/\s+/g, ' ').trim()}`);
  }
}
