/** Number formatting shared by the charts, the summaries and the table. */

/** A gap or other small positive figure: "3.1e-7"; exact zero stays "0"; NaN/Inf say so. */
export function fmtSci(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  return v.toExponential(digits - 1).replace('e+', 'e');
}

/** A quantity for people: 3 significant digits, thousands grouped, tiny/huge values in e-notation. */
export function fmtNum(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return fmtSci(v, digits);
  return v.toLocaleString('en-US', { maximumSignificantDigits: digits });
}

/** Milliseconds as the most readable unit: "850 µs", "12.3 ms", "1.25 s". */
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

/** A value as typed in a form or a link: the shortest exact decimal ("0.001", "1e-8"). */
export function fmtInput(v: number): string {
  return String(v);
}
