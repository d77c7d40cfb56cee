/**
 * Results to JSON ("l2wd-bench/1", docs/DESIGN.md) and to CSV; reading JSON back is
 * results-import.ts. Browser-safe: the page exports and imports with these, the CLI writes with them.
 *
 * JSON has no NaN or Infinity, and JSON.stringify would silently turn them into null, which
 * reads back as "no value". A diverged run's NaN norms are a result, so they are written as the
 * strings "NaN", "Infinity" and "-Infinity" and parsed back into numbers.
 */
import type { BenchResults } from './results';

export function toJson(results: BenchResults, indent = 2): string {
  return JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), indent);
}

export { IMPORT_LIMITS, ResultsFormatError, parseResultsJson } from './results-import';

export const CSV_RESULT_COLUMNS = [
  'kind', 'width', 'backend', 'variant', 'steps', 'stepMsMedian', 'stepMsP10', 'stepMsP90', 'timer', 'samplesPerSec', 'gflops',
  'finalLoss', 'finalValidationLoss', 'nonFiniteAtStep', 'skipped', 'note',
] as const;

/** Agreement rows share the file: kind "agreement", a = backend/variant, b = vsBackend/vsVariant, gaps per layer ";"-joined. */
export const CSV_AGREEMENT_COLUMNS = ['kind', 'width', 'backend', 'variant', 'vsBackend', 'vsVariant', 'step', 'normGap', 'weightGap'] as const;

/** A list of numbers as toCsv writes gaps ("1e-7;NaN"): never a formula, whatever its first character. */
const NUMBER_LIST = /^(-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|NaN|-?Infinity)(;(-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|NaN|-?Infinity))*$/i;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // String(NaN) is "NaN": spreadsheets keep it as text, which is what it is.
  const s = String(v);
  // Text starting with = + - @ (or tab, CR) is run as a formula by spreadsheet tools: a leading
  // apostrophe keeps it text, inside quotes (OWASP, CSV injection). Numbers are left as they are.
  const formula = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !NUMBER_LIST.test(s);
  const out = formula ? `'${s}` : s;
  return formula || /[",\n\r]/.test(out) ? `"${out.replace(/"/g, '""')}"` : out;
}

/**
 * One line per result row (kind "result"), then a header and one line per agreement row
 * (kind "agreement"). Numbers are written in full precision (String(x)), so re-reading gives
 * back the same numbers.
 */
export function toCsv(r: BenchResults): string {
  const lines = [CSV_RESULT_COLUMNS.join(',')];
  for (const row of r.results)
    lines.push(
      [
        'result', row.width, row.backend, row.variant, row.steps, row.stepMs?.median, row.stepMs?.p10, row.stepMs?.p90, row.timer,
        row.samplesPerSec, row.gflops, row.finalLoss, row.finalValidationLoss, row.nonFiniteAtStep, row.skipped, row.note,
      ]
        .map(csvCell)
        .join(','),
    );
  if (r.agreement.length > 0) {
    lines.push('', CSV_AGREEMENT_COLUMNS.join(','));
    for (const a of r.agreement)
      lines.push(
        ['agreement', a.width, a.a.backend, a.a.variant, a.b.backend, a.b.variant, a.step, a.normGap.join(';'), a.weightGap.join(';')]
          .map(csvCell)
          .join(','),
      );
  }
  return lines.join('\n') + '\n';
}

/** Splits CSV text into records of cells (RFC 4180 quoting); what tests and tools need to read toCsv back. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let cell = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}
