/**
 * Results to JSON ("l2wd-bench/1", docs/DESIGN.md) and to CSV; reading JSON back is
 * results-import.ts. Browser-safe: the page exports and imports with these, the CLI writes with them.
 *
 * JSON has no NaN or Infinity, and JSON.stringify would silently turn them into null, which
 * reads back as "no value". A diverged run's NaN norms are a result, so they are written as the
 * strings "NaN", "Infinity" and "-Infinity" and parsed back into numbers.
 */
import { hasAccuracy } from '../model/accuracy';
import type { BenchResults } from './results';

export function toJson(results: BenchResults, indent = 2): string {
  return JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), indent);
}

export { IMPORT_LIMITS, ResultsFormatError, parseResultsJson } from './results-import';

export const CSV_RESULT_COLUMNS = [
  'kind',
  'width',
  'backend',
  'variant',
  'steps',
  'stepMsMedian',
  'stepMsP10',
  'stepMsP90',
  'timer',
  'samplesPerSec',
  'gflops',
  'finalLoss',
  'finalValidationLoss',
  'finalTrainAccuracy',
  'finalValidationAccuracy',
  'nonFiniteAtStep',
  'skipped',
  'note',
] as const;

/** What agreement rows add: a = backend/variant, b = vsBackend/vsVariant, gaps and floors per layer ";"-joined. */
export const CSV_AGREEMENT_COLUMNS = [
  'vsBackend',
  'vsVariant',
  'step',
  'normGap',
  'weightGap',
  'floorNormGap',
  'floorWeightGap',
  'floorRatio',
  'verdict',
] as const;

/**
 * What grid lines add (kind "grid", one per heatmap cell; backend, variant, steps, finalLoss = the
 * cell's train loss and finalValidationLoss its validation loss share the result columns). A
 * heatmap that did not run is one line with `skipped` and no cell.
 */
export const CSV_GRID_COLUMNS = [
  'optimizer',
  'axis',
  'lr',
  'strength',
  'lambda',
  'alpha',
  'validationAccuracy',
  'twinValidationLoss',
  'gridSeconds',
  'modelStepsPerSec',
] as const;

/** One table: every line has every column; each kind of line leaves the other kinds' columns empty. */
export const CSV_COLUMNS = [...CSV_RESULT_COLUMNS, ...CSV_AGREEMENT_COLUMNS, ...CSV_GRID_COLUMNS] as const;

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
 * One table (CSV_COLUMNS): a line per result row (kind "result"), then a line per λ = 0 baseline
 * row (kind "baseline", the same columns), then a line per agreement row (kind "agreement"), then
 * a line per grid cell (kind "grid"), each filling its own columns. Numbers are written in full
 * precision (String(x)), so re-reading gives back the same numbers.
 */
export function toCsv(r: BenchResults): string {
  const line = (cells: Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>) => CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
  const lines = [CSV_COLUMNS.join(',')];
  const rows = [...r.results.map((row) => ['result', row] as const), ...(r.baseline ?? []).map((row) => ['baseline', row] as const)];
  for (const [kind, row] of rows)
    lines.push(
      line({
        kind,
        width: row.width,
        backend: row.backend,
        variant: row.variant,
        steps: row.steps,
        stepMsMedian: row.stepMs?.median,
        stepMsP10: row.stepMs?.p10,
        stepMsP90: row.stepMs?.p90,
        timer: row.timer,
        samplesPerSec: row.samplesPerSec,
        gflops: row.gflops,
        finalLoss: row.finalLoss,
        finalValidationLoss: row.finalValidationLoss,
        finalTrainAccuracy: row.finalTrainAccuracy,
        finalValidationAccuracy: row.finalValidationAccuracy,
        nonFiniteAtStep: row.nonFiniteAtStep,
        skipped: row.skipped,
        note: row.note,
      }),
    );
  for (const a of r.agreement)
    lines.push(
      line({
        kind: 'agreement',
        width: a.width,
        backend: a.a.backend,
        variant: a.a.variant,
        vsBackend: a.b.backend,
        vsVariant: a.b.variant,
        step: a.step,
        normGap: a.normGap.join(';'),
        weightGap: a.weightGap.join(';'),
        floorNormGap: a.floorNormGap?.join(';'),
        floorWeightGap: a.floorWeightGap?.join(';'),
        floorRatio: a.floorRatio,
        verdict: a.verdict,
      }),
    );
  for (const h of r.grid?.heatmaps ?? []) {
    const heatmap = { kind: 'grid', backend: h.backend, variant: h.variant, optimizer: h.optimizer, axis: h.axis, steps: h.steps };
    const timing = { gridSeconds: h.seconds, modelStepsPerSec: h.modelStepsPerSec, skipped: h.skipped };
    if (h.cells.length === 0) lines.push(line({ ...heatmap, ...timing }));
    h.cells.forEach((c, k) =>
      lines.push(
        line({
          ...heatmap,
          ...timing,
          lr: c.lr,
          strength: c.strength,
          lambda: c.lambda,
          alpha: c.alpha,
          finalLoss: c.trainLoss,
          finalValidationLoss: c.validationLoss,
          // Regression has no accuracy: empty, as in the result lines, so a NaN here only ever means not finite.
          validationAccuracy: hasAccuracy(r.config) ? c.validationAccuracy : undefined,
          twinValidationLoss: h.twinValidationLoss?.[k],
        }),
      ),
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
