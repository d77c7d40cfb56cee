/**
 * Export and import of results in the CLI's schema ("l2wd-bench/1"), and CSV for
 * spreadsheets. TODO(ui): switch to src/bench/export.ts (toJson/parseResultsJson/toCsv) when it lands.
 */
import type { BenchResults } from '../bench/results';
import { SCHEMA } from '../bench/results';

export function toJson(r: BenchResults): string {
  // JSON has no NaN/Infinity: they become null, which the page reads back as "no value".
  return JSON.stringify(r, null, 2);
}

export function parseResultsJson(text: string): BenchResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`This file is not JSON (${(e as Error).message}).`);
  }
  const r = data as Partial<BenchResults>;
  if (!r || typeof r !== 'object') throw new Error('This file holds no results object.');
  if (r.schema !== SCHEMA) throw new Error(`This file's schema is ${JSON.stringify(r.schema)}; the page reads "${SCHEMA}" (npm run bench -- --json FILE).`);
  if (!Array.isArray(r.results) || !r.config || !Array.isArray(r.config.layers))
    throw new Error('This file has the right schema name but no "results" list or "config".');
  return { ...r, agreement: Array.isArray(r.agreement) ? r.agreement : [] } as BenchResults;
}

const CSV_COLUMNS = ['width', 'backend', 'variant', 'stepMsMedian', 'stepMsP10', 'stepMsP90', 'timer', 'samplesPerSec', 'gflops', 'finalLoss', 'finalValidationLoss', 'nonFiniteAtStep', 'skipped'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(r: BenchResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of r.results)
    lines.push(
      [row.width, row.backend, row.variant, row.stepMs?.median, row.stepMs?.p10, row.stepMs?.p90, row.timer, row.samplesPerSec, row.gflops, row.finalLoss, row.finalValidationLoss, row.nonFiniteAtStep, row.skipped]
        .map(csvCell)
        .join(','),
    );
  return lines.join('\n') + '\n';
}
