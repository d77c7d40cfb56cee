/**
 * Pure transforms from a BenchResults (live, partial or imported) to what the charts,
 * summaries and table show. No DOM here. Non-finite numbers never reach a chart: they
 * become gaps (null) and are reported as flags instead.
 */
import type { AgreementRow, BenchResults, ResultRow } from '../bench/results';
import type { Backend, Variant } from '../model/config';
import { normGap } from '../model/metrics';

export const BACKEND_LABEL: Record<Backend, string> = { gpu: 'GPU', cpu: 'CPU', reference: 'Reference' };
export const VARIANT_LABEL: Record<Variant, string> = { l2: 'L2', decay: 'decay' };

/** Finite numbers pass; NaN, ±Inf, null and undefined become null (a gap in the line). */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** For log axes: additionally, values ≤ 0 cannot be drawn, so they become `floor`. */
export function forLog(v: number | null | undefined, floor: number): number | null {
  const f = finiteOrNull(v);
  if (f === null) return null;
  return f > 0 ? f : floor;
}

/** The swept widths present (ascending), or [null] outside a sweep. */
export function widthsOf(results: BenchResults): (number | null)[] {
  const ws = [...new Set(results.results.map((r) => r.width))];
  return ws.sort((a, b) => (a ?? -1) - (b ?? -1));
}

export function rowsAt(results: BenchResults, width: number | null): ResultRow[] {
  return results.results.filter((r) => r.width === width);
}

/** The first step at which a row went non-finite: the runner's flag, or what its numbers show. */
export function nonFiniteStep(row: ResultRow): number | null {
  if (row.nonFiniteAtStep !== undefined && row.nonFiniteAtStep !== null) return row.nonFiniteAtStep;
  const steps = row.normSteps ?? row.norms.map((_, k) => k + 1);
  for (let k = 0; k < row.norms.length; k++) {
    const bad =
      row.norms[k].some((v) => !Number.isFinite(v)) ||
      (row.trainLoss && row.trainLoss[k] !== undefined && !Number.isFinite(row.trainLoss[k])) ||
      (row.validationLoss && row.validationLoss[k] !== undefined && !Number.isFinite(row.validationLoss[k]));
    if (bad) return steps[k] ?? k + 1;
  }
  if (row.finalLoss !== null && row.finalLoss !== undefined && !Number.isFinite(row.finalLoss)) return steps.at(-1) ?? 0;
  return null;
}

export interface NonFiniteFlag {
  backend: Backend;
  variant: Variant;
  width: number | null;
  step: number;
}

export function nonFiniteFlags(results: BenchResults, width?: number | null): NonFiniteFlag[] {
  return results.results
    .filter((r) => width === undefined || r.width === width)
    .flatMap((r) => {
      const step = nonFiniteStep(r);
      return step === null ? [] : [{ backend: r.backend, variant: r.variant, width: r.width, step }];
    });
}

/** Sorted union of the recorded steps of some rows: the shared x axis of the step charts. */
export function stepAxis(rows: readonly ResultRow[]): number[] {
  const steps = new Set<number>();
  for (const r of rows) (r.normSteps ?? r.norms.map((_, k) => k + 1)).forEach((s) => steps.add(s));
  return [...steps].sort((a, b) => a - b);
}

/** A row's per-step values (pick(k) for its k-th record) laid out on `xs`; missing steps are null. */
export function onAxis(row: ResultRow, xs: readonly number[], pick: (k: number) => number | null | undefined): (number | null)[] {
  const steps = row.normSteps ?? row.norms.map((_, k) => k + 1);
  const at = new Map<number, number>();
  steps.forEach((s, k) => at.set(s, k));
  return xs.map((x) => {
    const k = at.get(x);
    return k === undefined ? null : finiteOrNull(pick(k));
  });
}

export interface GapPair {
  /** "gpu-l2-decay", "cpu-vs-reference-l2": stable ids for tests and keys. */
  id: string;
  label: string;
  kind: 'regularizer' | 'backend';
  a: { backend: Backend; variant: Variant };
  b: { backend: Backend; variant: Variant };
  /** Worst layer's norm gap at each step of the axis, computed from the rows' norms. */
  history: (number | null)[];
  /** At the last recorded step, worst layer: from the runner's agreement row when present. */
  finalWeightGap: number | null;
  finalNormGap: number | null;
  /** Per layer, at the end. */
  weightGapPerLayer: number[] | null;
  normGapPerLayer: number[] | null;
}

/** Max over layers that lets NaN through (a NaN layer must not hide behind a finite one). */
export function worst(values: readonly number[] | null | undefined): number | null {
  if (!values || values.length === 0) return null;
  let m = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return Number.NaN;
    if (v > m) m = v;
  }
  return m;
}

function pairHistory(p: ResultRow, q: ResultRow, xs: readonly number[]): (number | null)[] {
  const qSteps = q.normSteps ?? q.norms.map((_, k) => k + 1);
  const qAt = new Map<number, number>();
  qSteps.forEach((s, k) => qAt.set(s, k));
  return onAxis(p, xs, (k) => {
    const step = (p.normSteps ?? p.norms.map((_, i) => i + 1))[k];
    const kq = qAt.get(step);
    if (kq === undefined) return null;
    return worst(p.norms[k].map((n, l) => normGap(n, q.norms[kq][l])));
  });
}

function agreementRow(results: BenchResults, width: number | null, a: GapPair['a'], b: GapPair['b']): AgreementRow | undefined {
  return results.agreement.find(
    (g) =>
      g.width === width &&
      ((g.a.backend === a.backend && g.a.variant === a.variant && g.b.backend === b.backend && g.b.variant === b.variant) ||
        (g.a.backend === b.backend && g.a.variant === b.variant && g.b.backend === a.backend && g.b.variant === a.variant)),
  );
}

/**
 * The comparisons a run supports at one width: L2 vs decay on each backend (the point of
 * the page), then each backend against the float64 reference for the same variant.
 */
export function gapPairs(results: BenchResults, width: number | null): GapPair[] {
  const rows = rowsAt(results, width).filter((r) => !r.skipped && r.norms.length > 0);
  const xs = stepAxis(rows);
  const get = (backend: Backend, variant: Variant) => rows.find((r) => r.backend === backend && r.variant === variant);
  const pairs: GapPair[] = [];
  const make = (id: string, label: string, kind: GapPair['kind'], p: ResultRow, q: ResultRow): GapPair => {
    const a = { backend: p.backend, variant: p.variant };
    const b = { backend: q.backend, variant: q.variant };
    const g = agreementRow(results, width, a, b);
    const history = pairHistory(p, q, xs);
    const lastNorms = p.norms.at(-1);
    const lastQ = q.norms.at(-1);
    const normPerLayer = g?.normGap ?? (lastNorms && lastQ ? lastNorms.map((n, l) => normGap(n, lastQ[l])) : null);
    return {
      id,
      label,
      kind,
      a,
      b,
      history,
      finalWeightGap: worst(g?.weightGap),
      finalNormGap: worst(normPerLayer),
      weightGapPerLayer: g?.weightGap ?? null,
      normGapPerLayer: normPerLayer,
    };
  };
  for (const backend of ['gpu', 'cpu', 'reference'] as const) {
    const l2 = get(backend, 'l2');
    const decay = get(backend, 'decay');
    if (l2 && decay) pairs.push(make(`${backend}-l2-decay`, `${BACKEND_LABEL[backend]}: L2 vs decay`, 'regularizer', l2, decay));
  }
  for (const backend of ['gpu', 'cpu'] as const)
    for (const variant of ['l2', 'decay'] as const) {
      const p = get(backend, variant);
      const q = get('reference', variant);
      if (p && q)
        pairs.push(make(`${backend}-vs-reference-${variant}`, `${BACKEND_LABEL[backend]} vs reference (${VARIANT_LABEL[variant]})`, 'backend', p, q));
    }
  return pairs;
}

/** The headline gap of a pair: the weight gap when the runner gave one, else the norm gap. */
export function headlineGap(p: GapPair): { value: number | null; kind: 'weight' | 'norm' } {
  return p.finalWeightGap !== null ? { value: p.finalWeightGap, kind: 'weight' } : { value: p.finalNormGap, kind: 'norm' };
}

export type ThroughputMetric = 'stepMs' | 'samplesPerSec' | 'gflops';

export const METRIC_LABEL: Record<ThroughputMetric, string> = {
  stepMs: 'Step time (ms)',
  samplesPerSec: 'Samples / s',
  gflops: 'Matmul GFLOP/s',
};

/** One backend's figure for a width: the mean over the variants that ran (they do the same work). */
export function metricOf(results: BenchResults, width: number | null, backend: Backend, metric: ThroughputMetric): number | null {
  const values = rowsAt(results, width)
    .filter((r) => r.backend === backend && !r.skipped)
    .map((r) => (metric === 'stepMs' ? r.stepMs?.median : r[metric]))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** Backends with timings, in display order. */
export function timedBackends(results: BenchResults): Backend[] {
  return (['gpu', 'cpu', 'reference'] as const).filter((b) => results.results.some((r) => r.backend === b && r.stepMs));
}

export interface Crossover {
  /** Width (interpolated in log-log space) where GPU and CPU step times cross; null if they never do. */
  width: number | null;
  /** Who is faster at the smallest and at the largest width tried. */
  smallest: 'gpu' | 'cpu' | null;
  largest: 'gpu' | 'cpu' | null;
  /** Who is faster at every width tried, or null when it changes (or there is nothing to compare). */
  throughout: 'gpu' | 'cpu' | null;
}

/** Where the GPU starts to win: the first sign change of log(cpu/gpu) across the swept widths. */
export function crossover(results: BenchResults): Crossover {
  const pts = widthsOf(results)
    .filter((w): w is number => w !== null)
    .map((w) => ({ w, gpu: metricOf(results, w, 'gpu', 'stepMs'), cpu: metricOf(results, w, 'cpu', 'stepMs') }))
    .filter((p): p is { w: number; gpu: number; cpu: number } => p.gpu !== null && p.cpu !== null);
  if (pts.length === 0) return { width: null, smallest: null, largest: null, throughout: null };
  const faster = (p: { gpu: number; cpu: number }) => (p.gpu < p.cpu ? 'gpu' : 'cpu');
  let width: number | null = null;
  for (let i = 1; i < pts.length; i++) {
    const r0 = Math.log(pts[i - 1].cpu / pts[i - 1].gpu);
    const r1 = Math.log(pts[i].cpu / pts[i].gpu);
    if (r0 < 0 && r1 >= 0) {
      const t = r0 === r1 ? 0 : -r0 / (r1 - r0);
      width = Math.exp(Math.log(pts[i - 1].w) + t * (Math.log(pts[i].w) - Math.log(pts[i - 1].w)));
      break;
    }
  }
  const winners = new Set(pts.map(faster));
  return { width, smallest: faster(pts[0]), largest: faster(pts[pts.length - 1]), throughout: winners.size === 1 ? faster(pts[0]) : null };
}

/** GPU over CPU speed-up at one width (>1: GPU faster), from median step times. */
export function speedUp(results: BenchResults, width: number | null): number | null {
  const g = metricOf(results, width, 'gpu', 'stepMs');
  const c = metricOf(results, width, 'cpu', 'stepMs');
  return g !== null && c !== null ? c / g : null;
}
