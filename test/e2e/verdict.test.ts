/**
 * Every preset on the built page, at reduced steps, on SwiftShader: the verdict the page states
 * against the measured rounding floor (docs/RULES.md, "Rounding floor and verdict"). SGD presets read "the same
 * map", Adam "they drift", and a diverged run neither; in a sweep, every width's pair agrees.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectBackendsRan, openWatched, preset, runAndWait, setField, shownVerdict } from './app-driver';
import { screenshot, useServedApp } from './harness';

const app = useServedApp();

/**
 * The Large preset (three runs of 784-1024-1024-10 per backend: L2, decay and the twin) and the
 * sweep up to width 2048 take about a minute each on SwiftShader on an idle two-core machine,
 * several on a loaded one.
 */
const RUN_MS = 480_000;

const freshPage = (query = '') => openWatched(app, query);

/** The verdict ids of the results table's L2-vs-decay rows (P and Q on one backend), one per width and backend. */
async function tableVerdicts(page: Page): Promise<string[]> {
  return page.locator('l2wd-results-table [data-testid="agreement-rows"] tbody tr').evaluateAll((rows) =>
    rows
      .filter((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim());
        return cells[1].split(' ')[0] === cells[2].split(' ')[0];
      })
      .map((tr) => tr.querySelector('[data-verdict]')!.getAttribute('data-verdict')!),
  );
}

describe('the verdict on every preset (reduced steps)', () => {
  it.each([
    ['sgd', '60', /^the same map/, /^(same|identical)$/],
    ['adam', '60', /^they drift: norm gap [\d.e+]+× the rounding floor/, /^drift$/],
    // The schedule pair (docs/RULES.md, Schedules): under SGD with cosine η, decay that tracks η_t is L2's map; a fixed α is not.
    ['cosine-tracks', '60', /^the same map/, /^(same|identical)$/],
    ['cosine-fixed', '60', /^they drift: norm gap [\d.e+]+× the rounding floor — α is fixed at η_0·λ while η_t follows the schedule/, /^drift$/],
    ['large', '4', /^the same map/, /^(same|identical)$/],
    ['sweep', '2', /^the same map/, /^(same|identical)$/],
  ] as const)(
    '%s preset at %s steps',
    async (id, steps, sentence, verdictId) => {
      const { page, errors } = await freshPage();
      await preset(page, id);
      await setField(page, 'steps', steps);
      expect(await runAndWait(page, RUN_MS)).toMatch(/^Done/);
      await expectBackendsRan(page, ['gpu', 'cpu']);
      for (const backend of ['gpu', 'cpu'] as const) {
        const v = await shownVerdict(page, backend);
        expect(v.id, v.text).toMatch(verdictId);
        expect(v.text.replace(/^.*L2 vs decay /, ''), v.text).toMatch(sentence);
      }
      const ids = await tableVerdicts(page);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const v of ids) expect(v).toMatch(verdictId);
      await screenshot(page, `verdict-${id}`);
      expect(errors).toEqual([]);
      await page.close();
    },
    RUN_MS + 20_000,
  );

  it('the schedule presets say which decay convention runs, in the explainer and beside the verdict', async () => {
    const { page, errors } = await freshPage();
    const note = (id: string) => page.locator(`[data-testid="${id}"]`).innerText();
    expect(await note('schedule-running')).toMatch(/keeps η constant/);
    await preset(page, 'cosine-tracks');
    expect(await note('schedule-running')).toBe('This configuration runs the cosine schedule with decay tracking it (α_t = η_t·λ).');
    await preset(page, 'cosine-fixed');
    expect(await note('schedule-running')).toBe('This configuration runs the cosine schedule with a fixed α = η_0·λ.');
    await setField(page, 'steps', '20');
    expect(await runAndWait(page, RUN_MS)).toMatch(/^Done/);
    expect(await note('pairing-note')).toMatch(
      /^Schedule cosine: η_t from 0.05 down to 0 over 20 steps; decay fixed, α = η_0·λ = 0.0005\.\s+Plain SGD with a fixed α/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a diverged run reads neither "same map" nor "drift"', async () => {
    const { page, errors } = await freshPage('layers=8,16,4&batch=8&steps=20&lr=1000000&activation=relu&backend=gpu,cpu&baseline=0');
    expect(await runAndWait(page)).toMatch(/^Done/);
    for (const backend of ['gpu', 'cpu'] as const) {
      const v = await shownVerdict(page, backend);
      expect(v.id).toBe('diverged');
      expect(v.text).not.toMatch(/same map|drift/);
      expect(v.text).toMatch(/training diverged/);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
