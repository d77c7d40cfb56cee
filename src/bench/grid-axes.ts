/**
 * A grid axis as text, the one syntax of the CLI's --grid-lr / --grid-lambda and the page's grid
 * fields (docs/DESIGN.md, Grid): `a..b:n`, n values log-spaced from a to b, or a comma list.
 * Strict: every problem is an error naming the value and what is allowed; nothing is clamped.
 *
 * Browser-safe: no Node imports.
 */
import { isNumberSyntax, parseNumber, show } from '../model/config';

/** Most values on one axis: a 64 × 64 grid is 4096 models per heatmap, already a long run. */
export const MAX_AXIS_VALUES = 64;

export interface AxisRule {
  /** What the values are, for messages ("learning rate"). */
  name: string;
  /** Whether 0 is allowed (a strength may be 0: no regularization; a learning rate may not). */
  allowZero: boolean;
}

export const LR_AXIS: AxisRule = { name: 'learning rate', allowZero: false };
export const STRENGTH_AXIS: AxisRule = { name: 'strength', allowZero: true };

/** n values from a to b, evenly spaced in log10, ends exact, each rounded to 12 significant digits (1e-3..1e0:4 is 0.001, 0.01, 0.1, 1). */
export function logSpace(a: number, b: number, n: number): number[] {
  if (n === 1) return [a];
  const la = Math.log10(a);
  const lb = Math.log10(b);
  return Array.from({ length: n }, (_, i) => (i === 0 ? a : i === n - 1 ? b : Number((10 ** (la + ((lb - la) * i) / (n - 1))).toPrecision(12))));
}

function numberOf(text: string, rule: AxisRule, where: string): number {
  const n = parseNumber(text);
  if (typeof n === 'string')
    throw new Error(
      isNumberSyntax(text.trim())
        ? `${where} ${show(text)} is beyond what a float64 holds (it would read as ${Number(text.trim())})`
        : `${where} ${show(text)} is not a number (expected e.g. 1e-3)`,
    );
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !rule.allowZero))
    throw new Error(`${where} ${show(text)}: a ${rule.name} must be a finite number ${rule.allowZero ? '≥ 0' : '> 0'}`);
  return n;
}

/**
 * Parses `a..b:n` (log-spaced; 0 < a < b, n an integer from 2 to MAX_AXIS_VALUES) or a comma
 * list (1 to MAX_AXIS_VALUES distinct values). Returns the values in ascending order; throws an
 * Error whose message names the bad part and what is allowed.
 */
export function parseGridAxis(text: string, rule: AxisRule): number[] {
  const t = text.trim();
  if (t === '') throw new Error(`empty: give a..b:n (log-spaced, e.g. 1e-3..1e0:6) or a comma list of ${rule.name}s`);
  const range = /^(.*)\.\.(.*):(.*)$/.exec(t);
  if (range) {
    const a = numberOf(range[1].trim(), { ...rule, allowZero: false }, 'start');
    const b = numberOf(range[2].trim(), { ...rule, allowZero: false }, 'end');
    const count = parseNumber(range[3].trim());
    if (!(typeof count === 'number' && Number.isInteger(count) && count >= 2 && count <= MAX_AXIS_VALUES))
      throw new Error(`count ${show(range[3].trim())} in ${show(t)}: must be an integer from 2 to ${MAX_AXIS_VALUES}`);
    if (!(a < b)) throw new Error(`${show(t)}: the start must be below the end (log spacing needs 0 < a < b)`);
    return logSpace(a, b, count);
  }
  if (t.includes('..')) throw new Error(`${show(t)}: a range is written a..b:n (e.g. 1e-3..1e0:6), with the count after the colon`);
  const parts = t.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new Error(`${show(t)}: an empty entry in the list (write values separated by single commas)`);
  if (parts.length > MAX_AXIS_VALUES) throw new Error(`${parts.length} values: at most ${MAX_AXIS_VALUES} per axis`);
  const values = parts.map((p) => numberOf(p, rule, 'value'));
  const sorted = [...values].sort((x, y) => x - y);
  const twice = sorted.find((v, i) => i > 0 && v === sorted[i - 1]);
  if (twice !== undefined) throw new Error(`value ${twice} is listed twice: each ${rule.name} once`);
  return sorted;
}

/** The text that parses back to `values` (the page's field, a link's query). */
export function formatGridAxis(values: readonly number[]): string {
  return values.map((v) => String(v)).join(',');
}
