/**
 * The checks a results file is read with (src/bench/results-import.ts, grid-import.ts): each
 * value's type, each list's length against a cap, and the one error a refusal throws, naming the
 * JSON path. Browser-safe: no Node imports.
 */
import { show } from '../model/config';
import { MAX_RECORDS_PER_ROW } from './results';

/** What an import accepts at most; each refusal names the limit it hit. */
export const IMPORT_LIMITS = Object.freeze({
  /** Characters of the file (≈ bytes for the ASCII a results file is). */
  fileChars: 10 * 1024 * 1024,
  resultRows: 10_000,
  agreementRows: 10_000,
  /** Recorded steps per row (norms, losses, gap history); the runner thins to fewer. */
  records: MAX_RECORDS_PER_ROW,
  /** Characters of any one string (notes, reasons, adapter names). */
  stringChars: 2_000,
  notes: 1_000,
  /** Nesting of lists and objects (the schema needs 4). */
  depth: 16,
});

/** A bad results file: `message` names where (a JSON path like results[2].stepMs.median) and what is wrong. */
export class ResultsFormatError extends Error {
  override name = 'ResultsFormatError';
}

export type Json = unknown;

export function fail(path: string, what: string, value: Json): never {
  throw new ResultsFormatError(`${path}: expected ${what}, found ${value === undefined ? 'nothing' : show(value)}`);
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function num(value: Json, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
  return fail(path, 'a number', value);
}

export function numOrNull(value: Json, path: string): number | null {
  return value === null || value === undefined ? null : num(value, path);
}

export function integerIn(value: Json, min: number, max: number, path: string): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : fail(path, `an integer from ${min} to ${max}`, value);
}

export function str(value: Json, path: string): string {
  if (typeof value !== 'string') return fail(path, 'a string', value);
  if (value.length > IMPORT_LIMITS.stringChars)
    throw new ResultsFormatError(`${path}: a string of ${value.length} characters; the limit is ${IMPORT_LIMITS.stringChars}`);
  return value;
}

export function strOrNull(value: Json, path: string): string | null {
  return value === null || value === undefined ? null : str(value, path);
}

export function obj(value: Json, path: string): Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : fail(path, 'an object', value);
}

export function arr(value: Json, path: string, max: number): Json[] {
  if (!Array.isArray(value)) return fail(path, 'a list', value);
  if (value.length > max) throw new ResultsFormatError(`${path}: ${value.length} entries; the limit is ${max}`);
  return value;
}

export function numbers(value: Json, path: string, max: number = IMPORT_LIMITS.records): number[] {
  return arr(value, path, max).map((v, i) => num(v, `${path}[${i}]`));
}

export function oneOf<T extends string>(value: Json, names: readonly T[], path: string): T {
  return typeof value === 'string' && (names as readonly string[]).includes(value) ? (value as T) : fail(path, `one of ${names.join(', ')}`, value);
}
