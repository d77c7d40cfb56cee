/**
 * Number formatting, the one module of the CLI tables and the page (charts, summaries, table).
 * Browser-safe. Missing values print as "—" and non-finite ones as what they are (NaN, Inf,
 * -Inf), never as a number, with the same glyphs everywhere.
 */

import type { MlpConfig } from '../model/config';
import { validationRowCount } from '../model/config';

export { formatBytes } from '../model/units';

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s < 0.01) return `${Number((s * 1000).toPrecision(2))} ms`;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 10) return `${Number(s.toPrecision(2))} s`;
  return `${Math.round(s)} s`;
}

function nonFinite(x: number | null | undefined): string | null {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  return null;
}

/** A gap or other small relative figure: 1.2e-16 (0 prints as 0). */
export function formatGap(x: number | null | undefined): string {
  const bad = nonFinite(x);
  if (bad) return bad;
  return x === 0 ? '0' : x!.toExponential(1).replace('e+', 'e');
}

/** Three significant digits, switching to exponent form outside [1e-3, 1e6). */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  const bad = nonFinite(x);
  if (bad) return bad;
  const a = Math.abs(x!);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x!.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(x!.toPrecision(digits)));
}

/** Rates with a k/M/G suffix: 20813 → 20.8k. */
export function formatRate(x: number | null | undefined): string {
  const bad = nonFinite(x);
  if (bad) return bad;
  const a = Math.abs(x!);
  if (a >= 1e9) return `${(x! / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(x! / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(x! / 1e3).toPrecision(3)}k`;
  return formatNumber(x);
}

/** Step time: 12.3 ms, 0.045 ms, 1.23e3 ms. */
export function formatMs(x: number | null | undefined): string {
  return formatNumber(x);
}

// For people on the page: digits grouped, units chosen, times left in words.

/** A gap or other small positive figure: "3.1e-7"; exact zero stays "0"; NaN/Inf say so. */
export function fmtSci(v: number | null | undefined, digits = 2): string {
  const bad = nonFinite(v);
  if (bad) return bad;
  if (v === 0) return '0';
  return v!.toExponential(digits - 1).replace('e+', 'e');
}

/** A quantity for people: 3 significant digits, thousands grouped, tiny/huge values in e-notation. */
export function fmtNum(v: number | null | undefined, digits = 3): string {
  const bad = nonFinite(v);
  if (bad) return bad;
  const a = Math.abs(v!);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return fmtSci(v, digits);
  return v!.toLocaleString('en-US', { maximumSignificantDigits: digits });
}

/** Milliseconds as the most readable unit: "850 µs", "12.3 ms", "1.25 s". */
/** A share in [0, 1] as a percentage with one decimal ("98.4 %"); — when absent or not finite. */
export function fmtPercent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)} %`;
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return fmtNum(ms);
  if (ms < 1) return `${fmtNum(ms * 1000)} µs`;
  if (ms < 1000) return `${fmtNum(ms)} ms`;
  return `${fmtNum(ms / 1000)} s`;
}

/** Seconds left, for the progress bar: "12 s", "3 min 5 s". */
export function fmtEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'estimating…';
  if (seconds < 1) return 'under a second';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** An estimate: "about 2 min 5 s", or "under a second" (never "about under a second"). */
export function fmtAbout(seconds: number): string {
  return seconds < 1 ? 'under a second' : `about ${fmtEta(seconds)}`;
}

/** A plain-text table: first row the header, numbers right-aligned (a cell is numeric when `align` says so). */
export function renderTable(header: string[], rows: string[][], alignRight: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (alignRight[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Which rows the train and val columns are of (docs/RULES.md, "Accuracy"): a train figure of 100 % is one batch's, not the training set's. */
export function rowsMeasured(c: MlpConfig): string {
  return `train: the last step's batch (${c.batch} rows), not the whole training set; val: all ${validationRowCount(c)} validation rows`;
}
