/**
 * Results in and out of the page: a download of the JSON or CSV export, and an imported JSON
 * file turned into what the page shows plus the form's draft that reproduces it. The λ = 0
 * baseline, a run of its own in the page, travels in the file as its rows (`baseline`, docs/DESIGN.md).
 */
import type { BenchResults } from '../bench/results';
import { IMPORT_LIMITS, parseResultsJson, toCsv, toJson } from '../bench/export';
import type { Backend } from '../model/config';
import { BACKENDS } from '../model/config';
import { widthsOf } from './chart-data';
import type { RunDraft } from './run-draft';
import { draftFromConfig } from './run-draft';

/** The run as one file: its results, and the λ = 0 baseline's rows where one ran. */
export function withBaseline(results: BenchResults, baseline: BenchResults | undefined): BenchResults {
  const { baseline: _carried, ...run } = results;
  return baseline ? { ...run, baseline: baseline.results } : run;
}

/** The reverse: a file's results without their baseline rows, and the baseline as the run it was (λ = 0, α = 0), if any. */
export function splitBaseline(file: BenchResults): { results: BenchResults; baseline: BenchResults | undefined } {
  const { baseline: rows, ...results } = file;
  if (!rows || rows.length === 0) return { results, baseline: undefined };
  return { results, baseline: { ...results, config: { ...results.config, lambda: 0, alpha: 0 }, results: rows, agreement: [] } };
}

/** Saves `results` (with the baseline's rows) as a file named by the run's time ("l2wd-results-2026-01-02T03-04-05.json"). */
export function downloadResults(shown: BenchResults, baseline: BenchResults | undefined, format: 'json' | 'csv'): void {
  const results = withBaseline(shown, baseline);
  const [text, type] = format === 'json' ? [toJson(results), 'application/json'] : [toCsv(results), 'text/csv'];
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  const stamp = (results.createdAt ?? new Date().toISOString()).replace(/[:.]/g, '-').slice(0, 19);
  a.href = url;
  a.download = `l2wd-results-${stamp}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface Imported {
  results: BenchResults;
  /** The λ = 0 baseline the file carries, as the page keeps it, or undefined. */
  baseline: BenchResults | undefined;
  /** The form's draft for the imported configuration, so Start (or the link) reproduces it. */
  draft: RunDraft;
  /** Hidden widths of a sweep, or [] (the charts' width picker starts at the first). */
  widths: number[];
}

/** Reads an exported JSON file; throws with the validator's message when it is not one. */
export async function importResults(file: File): Promise<Imported> {
  // Refused before reading: a 20 MB file would freeze the tab in the parser.
  if (file.size > IMPORT_LIMITS.fileChars) throw new Error(`the file is ${file.size} bytes; the limit is ${IMPORT_LIMITS.fileChars} (10 MiB)`);
  // Everything is checked and derived before any state changes: a refusal leaves the page as it was.
  const { results, baseline } = splitBaseline(parseResultsJson(await file.text()));
  const widths = widthsOf(results).filter((w): w is number => w !== null);
  const backends = BACKENDS.filter((b: Backend) => results.results.some((r) => r.backend === b));
  const draft = draftFromConfig(results.config, { backends, sweep: widths.join(','), baseline: false });
  return { results, baseline, draft, widths };
}
