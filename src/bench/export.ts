/**
 * Results to and from JSON ("l2wd-bench/1", DESIGN.md) and to CSV. Browser-safe: the page
 * exports and imports with these, the CLI writes with them.
 *
 * JSON has no NaN or Infinity, and JSON.stringify would silently turn them into null, which
 * reads back as "no value". A diverged run's NaN norms are a result, so they are written as the
 * strings "NaN", "Infinity" and "-Infinity" and parsed back into numbers.
 */
import { BACKENDS, VARIANTS } from '../model/config';
import type { AgreementRow, BenchResults, ResultRow } from './results';
import { SCHEMA } from './results';

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function toJson(results: BenchResults, indent = 2): string {
  return JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), indent);
}

/** A bad results file: `message` names where (a JSON path like results[2].stepMs.median) and what is wrong. */
export class ResultsFormatError extends Error {
  override name = 'ResultsFormatError';
}

type Json = unknown;

function fail(path: string, what: string, value: Json): never {
  const shown = value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 60);
  throw new ResultsFormatError(`${path}: expected ${what}, found ${shown}`);
}

function num(value: Json, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value in NON_FINITE) return NON_FINITE[value];
  return fail(path, 'a number', value);
}

function numOrNull(value: Json, path: string): number | null {
  return value === null || value === undefined ? null : num(value, path);
}

function str(value: Json, path: string): string {
  return typeof value === 'string' ? value : fail(path, 'a string', value);
}

function obj(value: Json, path: string): Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : fail(path, 'an object', value);
}

function arr(value: Json, path: string): Json[] {
  return Array.isArray(value) ? value : fail(path, 'a list', value);
}

function numbers(value: Json, path: string): number[] {
  return arr(value, path).map((v, i) => num(v, `${path}[${i}]`));
}

function oneOf<T extends string>(value: Json, names: readonly T[], path: string): T {
  return typeof value === 'string' && (names as readonly string[]).includes(value) ? (value as T) : fail(path, `one of ${names.join(', ')}`, value);
}

function spreadOrNull(value: Json, path: string) {
  if (value === null || value === undefined) return null;
  const o = obj(value, path);
  return { median: num(o.median, `${path}.median`), p10: num(o.p10, `${path}.p10`), p90: num(o.p90, `${path}.p90`) };
}

function resultRow(value: Json, path: string): ResultRow {
  const o = obj(value, path);
  const row: ResultRow = {
    ...(o as object),
    width: numOrNull(o.width, `${path}.width`),
    backend: oneOf(o.backend, BACKENDS, `${path}.backend`),
    variant: oneOf(o.variant, VARIANTS, `${path}.variant`),
    stepMs: spreadOrNull(o.stepMs, `${path}.stepMs`),
    timer: o.timer === null || o.timer === undefined ? null : oneOf(o.timer, ['timestamp-query', 'wall'] as const, `${path}.timer`),
    samplesPerSec: numOrNull(o.samplesPerSec, `${path}.samplesPerSec`),
    gflops: numOrNull(o.gflops, `${path}.gflops`),
    finalLoss: numOrNull(o.finalLoss, `${path}.finalLoss`),
    norms: arr(o.norms, `${path}.norms`).map((n, k) => numbers(n, `${path}.norms[${k}]`)),
    skipped: o.skipped === null || o.skipped === undefined ? null : str(o.skipped, `${path}.skipped`),
  };
  for (const field of ['normSteps', 'trainLoss', 'validationLoss'] as const)
    if (o[field] !== undefined) row[field] = numbers(o[field], `${path}.${field}`);
  for (const field of ['finalValidationLoss', 'nonFiniteAtStep'] as const)
    if (o[field] !== undefined) row[field] = numOrNull(o[field], `${path}.${field}`);
  if (o.wallStepMs !== undefined) row.wallStepMs = spreadOrNull(o.wallStepMs, `${path}.wallStepMs`);
  return row;
}

function pairSide(value: Json, path: string) {
  const o = obj(value, path);
  return { backend: oneOf(o.backend, BACKENDS, `${path}.backend`), variant: oneOf(o.variant, VARIANTS, `${path}.variant`) };
}

function agreementRow(value: Json, path: string): AgreementRow {
  const o = obj(value, path);
  const row: AgreementRow = {
    ...(o as object),
    width: numOrNull(o.width, `${path}.width`),
    a: pairSide(o.a, `${path}.a`),
    b: pairSide(o.b, `${path}.b`),
    normGap: numbers(o.normGap, `${path}.normGap`),
    weightGap: numbers(o.weightGap, `${path}.weightGap`),
  };
  if (o.normGapHistory !== undefined)
    row.normGapHistory = arr(o.normGapHistory, `${path}.normGapHistory`).map((h, k) => numbers(h, `${path}.normGapHistory[${k}]`));
  if (o.historySteps !== undefined) row.historySteps = numbers(o.historySteps, `${path}.historySteps`);
  return row;
}

/**
 * Reads a results file: checks it is JSON, that its schema is "l2wd-bench/1", and the shape of
 * every field the page and the CLI read. Throws ResultsFormatError naming the first problem
 * ("results[2].stepMs.median: expected a number, found \"fast\"").
 */
export function parseResultsJson(text: string): BenchResults {
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultsFormatError(`not JSON: ${(e as Error).message}`);
  }
  const o = obj(data, 'the file');
  if (o.schema !== SCHEMA)
    throw new ResultsFormatError(
      o.schema === undefined
        ? `no "schema" field: this is not an l2wd benchmark results file (expected schema "${SCHEMA}", as written by npm run bench -- --json FILE)`
        : `schema is ${JSON.stringify(o.schema)}; this version reads "${SCHEMA}"`,
    );
  const config = obj(o.config, 'config');
  const layers = numbers(config.layers, 'config.layers');
  if (layers.length < 2) fail('config.layers', 'at least 2 widths', config.layers);
  for (const field of ['batch', 'steps', 'lr', 'lambda', 'alpha', 'seed'] as const) num(config[field], `config.${field}`);
  str(config.optimizer, 'config.optimizer');
  let adapter: BenchResults['adapter'] = null;
  if (o.adapter !== null && o.adapter !== undefined) {
    const a = obj(o.adapter, 'adapter');
    adapter = {
      ...(a as object),
      vendor: str(a.vendor ?? '', 'adapter.vendor'),
      architecture: str(a.architecture ?? '', 'adapter.architecture'),
      description: str(a.description ?? '', 'adapter.description'),
      // Files written before these fields say nothing about the implementation.
      implementation:
        a.implementation === undefined ? 'unknown' : oneOf(a.implementation, ['dawn', 'wgpu', 'browser', 'unknown'] as const, 'adapter.implementation'),
      backend: a.backend === undefined || a.backend === null ? null : str(a.backend, 'adapter.backend'),
      isFallbackAdapter: typeof a.isFallbackAdapter === 'boolean' ? a.isFallbackAdapter : fail('adapter.isFallbackAdapter', 'true or false', a.isFallbackAdapter),
    };
  }
  let limits: Record<string, number> | null = null;
  if (o.limits !== null && o.limits !== undefined) {
    const l = obj(o.limits, 'limits');
    limits = Object.fromEntries(Object.entries(l).map(([k, v]) => [k, num(v, `limits.${k}`)]));
  }
  return {
    ...(o as object),
    schema: SCHEMA,
    adapter,
    limits,
    config: { ...(config as object), layers } as BenchResults['config'],
    results: arr(o.results, 'results').map((r, i) => resultRow(r, `results[${i}]`)),
    agreement: o.agreement === undefined ? [] : arr(o.agreement, 'agreement').map((r, i) => agreementRow(r, `agreement[${i}]`)),
  } as BenchResults;
}

export const CSV_RESULT_COLUMNS = [
  'kind', 'width', 'backend', 'variant', 'steps', 'stepMsMedian', 'stepMsP10', 'stepMsP90', 'timer', 'samplesPerSec', 'gflops',
  'finalLoss', 'finalValidationLoss', 'nonFiniteAtStep', 'skipped', 'note',
] as const;

/** Agreement rows share the file: kind "agreement", a = backend/variant, b = vsBackend/vsVariant, gaps per layer ";"-joined. */
export const CSV_AGREEMENT_COLUMNS = ['kind', 'width', 'backend', 'variant', 'vsBackend', 'vsVariant', 'step', 'normGap', 'weightGap'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // String(NaN) is "NaN": spreadsheets keep it as text, which is what it is.
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
