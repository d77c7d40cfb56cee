/**
 * Pure transforms from a BenchResults (live, partial or imported) to what the charts,
 * summaries and table show. No DOM here. Non-finite numbers never reach a chart: they
 * become gaps (null) and are reported as flags instead.
 */
import { fmtNum } from '../bench/format';
import type { AgreementRow, BenchResults, ResultRow } from '../bench/results';
import type { Backend, Variant } from '../model/config';
import type { VerdictId } from '../model/verdict';

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
  /** Worst layer's norm gap at each step of the axis, from the runner's normGapHistory (null where it has none). */
  history: (number | null)[];
  /** At the step the runner compared, worst layer. */
  finalWeightGap: number | null;
  finalNormGap: number | null;
  /** Per layer, at the end. */
  weightGapPerLayer: number[] | null;
  normGapPerLayer: number[] | null;
  /** The step the gaps are at. */
  step: number | null;
  /** L2-vs-decay pairs: the rounding floor's worst layer (weight and norm), the ratio and the verdict (docs/RULES.md, "Rounding floor and verdict"). */
  floorWeightGap: number | null;
  floorNormGap: number | null;
  floorRatio: number | null;
  verdict: VerdictId | null;
  /** Layers (1-based) whose baseline weights are all exactly 0. */
  zeroScaleLayers: number[];
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

/** The worst-layer norm gap of a runner's agreement row laid out on the step axis `xs`. */
function historyOnAxis(g: AgreementRow, xs: readonly number[]): (number | null)[] {
  const at = new Map<number, number>();
  (g.historySteps ?? []).forEach((s, k) => at.set(s, k));
  return xs.map((x) => {
    const k = at.get(x);
    return k === undefined ? null : finiteOrNull(worst(g.normGapHistory![k]));
  });
}

/**
 * The comparisons a run made at one width, as the runner computed them (results.agreement):
 * L2 vs decay on each backend (the point of the page), then each backend against the float64
 * reference for the same variant. Nothing is recomputed here; a pair appears once the runner
 * has compared it (both its runs finished).
 */
export function gapPairs(results: BenchResults, width: number | null): GapPair[] {
  const rows = rowsAt(results, width).filter((r) => !r.skipped && r.norms.length > 0);
  const xs = stepAxis(rows);
  const order = (g: AgreementRow) => (g.a.backend === g.b.backend ? 0 : 1);
  return results.agreement
    .filter((g) => g.width === width)
    .sort((p, q) => order(p) - order(q))
    .map((g) => {
      const regularizer = g.a.backend === g.b.backend;
      return {
        id: regularizer ? `${g.a.backend}-l2-decay` : `${g.a.backend}-vs-reference-${g.a.variant}`,
        label: regularizer ? `${BACKEND_LABEL[g.a.backend]}: L2 vs decay` : `${BACKEND_LABEL[g.a.backend]} vs reference (${VARIANT_LABEL[g.a.variant]})`,
        kind: regularizer ? 'regularizer' : 'backend',
        a: g.a,
        b: g.b,
        history: historyOnAxis(g, xs),
        finalWeightGap: worst(g.weightGap),
        finalNormGap: worst(g.normGap),
        weightGapPerLayer: g.weightGap,
        normGapPerLayer: g.normGap,
        step: g.step ?? null,
        floorWeightGap: worst(g.floorWeightGap),
        floorNormGap: worst(g.floorNormGap),
        floorRatio: g.floorRatio ?? null,
        verdict: g.verdict ?? null,
        zeroScaleLayers: g.zeroScaleLayers ?? [],
      } satisfies GapPair;
    });
}

export type ThroughputMetric = 'stepMs' | 'samplesPerSec' | 'gflops';

export const METRIC_LABEL: Record<ThroughputMetric, string> = {
  stepMs: 'Step time (ms)',
  samplesPerSec: 'Samples / s',
  gflops: 'Matmul GFLOP/s',
};

/**
 * One backend's figure for a width: the mean step time over the variants that ran (they do the
 * same work), and for the rates the harmonic mean, which is the rate at that mean step time, so
 * the three figures beside each other agree (samples/s = batch / step time).
 */
export function metricOf(results: BenchResults, width: number | null, backend: Backend, metric: ThroughputMetric): number | null {
  const values = rowsAt(results, width)
    .filter((r) => r.backend === backend && !r.skipped)
    .map((r) => (metric === 'stepMs' ? r.stepMs?.median : r[metric]))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (!values.length) return null;
  return metric === 'stepMs' ? values.reduce((s, v) => s + v, 0) / values.length : values.length / values.reduce((s, v) => s + 1 / v, 0);
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

export interface SpeedUp {
  /** CPU median step time over GPU median step time (>1: GPU faster); each backend's median is the mean over its variants. */
  ratio: number;
  /** The ratio's range from the step-time spreads: CPU p10 / GPU p90 and CPU p90 / GPU p10. */
  low: number;
  high: number;
  /** False when the range includes 1: the spreads overlap and neither backend is reliably faster. */
  meaningful: boolean;
  /** Backends whose L2 and decay medians (the same work) differ by more than NOISY_VARIANTS×. */
  noisy: { backend: Backend; factor: number }[];
}

/** Two rows doing the same work whose medians differ more than this are noise, not a difference. */
export const NOISY_VARIANTS = 1.5;

/** GPU over CPU speed-up at one width from medians, with the range their p10/p90 allow. */
export function speedUpWithSpread(results: BenchResults, width: number | null): SpeedUp | null {
  const of = (backend: Backend) => rowsAt(results, width).filter((r) => r.backend === backend && !r.skipped && r.stepMs && r.stepMs.median > 0);
  const gpu = of('gpu');
  const cpu = of('cpu');
  const ratio = speedUp(results, width);
  if (ratio === null || gpu.length === 0 || cpu.length === 0) return null;
  const p10 = (rows: ResultRow[]) => Math.min(...rows.map((r) => r.stepMs!.p10));
  const p90 = (rows: ResultRow[]) => Math.max(...rows.map((r) => r.stepMs!.p90));
  const low = p10(cpu) / p90(gpu);
  const high = p90(cpu) / p10(gpu);
  const noisy = (['gpu', 'cpu'] as const).flatMap((backend) => {
    const medians = of(backend).map((r) => r.stepMs!.median);
    const factor = medians.length > 1 ? Math.max(...medians) / Math.min(...medians) : 1;
    return factor > NOISY_VARIANTS ? [{ backend, factor }] : [];
  });
  return { ratio, low, high, meaningful: !(low <= 1 && high >= 1), noisy };
}

/** One sentence for SpeedUp.noisy: "The GPU L2 and decay rows, which do the same work, differ 1.7×; the CPU …". */
export function noisyRowsText(noisy: SpeedUp['noisy']): string {
  return noisy
    .map((n, i) => `${i === 0 ? 'The' : 'the'} ${BACKEND_LABEL[n.backend]} L2 and decay rows, which do the same work, differ ${fmtNum(n.factor)}×`)
    .join('; ');
}

/** "16", "16 and 64", "16, 64 and 256". */
function widthList(widths: number[]): string {
  return widths.length < 2 ? widths.join('') : `${widths.slice(0, -1).join(', ')} and ${widths[widths.length - 1]}`;
}

/**
 * What the sweep's spreads allow us to say about who is faster, as one sentence. A width counts
 * for a backend only when its whole p10–p90 speed-up range lies on that side of 1× (speedUpWithSpread);
 * a median alone never makes "faster at every width" (DESIGN.md, numbers stated with their uncertainty).
 */
export function sweepStandingText(results: BenchResults): string {
  const standings = widthsOf(results)
    .filter((w): w is number => w !== null)
    .flatMap((width) => {
      const s = speedUpWithSpread(results, width);
      return s === null ? [] : [{ width, faster: !s.meaningful ? null : s.ratio > 1 ? ('gpu' as const) : ('cpu' as const) }];
    });
  if (standings.length === 0) return 'Needs GPU and CPU timings at the same widths to compare them.';
  const at = (faster: 'gpu' | 'cpu' | null) => standings.filter((s) => s.faster === faster).map((s) => s.width);
  const gpu = at('gpu');
  const cpu = at('cpu');
  const overlap = at(null);
  if (gpu.length === standings.length) return 'The GPU is faster at every width tried, beyond the p10–p90 spreads.';
  if (cpu.length === standings.length) return 'The CPU is faster at every width tried, beyond the p10–p90 spreads: try larger widths.';
  if (overlap.length === standings.length) return 'At every width tried the p10–p90 spreads overlap: neither backend is reliably faster.';
  const claims = (
    [
      ['GPU', gpu],
      ['CPU', cpu],
    ] as const
  )
    .filter(([, ws]) => ws.length > 0)
    .map(([name, ws], i) => `the ${name}${i === 0 ? ' is reliably faster' : ''} at width ${widthList(ws)}`);
  const parts = [
    ...claims,
    ...(overlap.length ? [`at width ${widthList(overlap)} the p10–p90 spreads overlap, so neither is reliably faster there`] : []),
  ];
  const sentence = parts.join('; ');
  return `${sentence[0].toUpperCase()}${sentence.slice(1)}.`;
}

/**
 * What a single run's per-backend step time is: metricOf's mean of the L2 and decay medians, so
 * each median is named beside it, and a difference beyond NOISY_VARIANTS between the two (which
 * do the same work) is called noise. Empty for one variant.
 */
export function stepTimeOrigin(results: BenchResults, backend: Backend, fmt: (ms: number) => string): string {
  const rows = rowsAt(results, null).filter((r) => r.backend === backend && !r.skipped && r.stepMs && r.stepMs.median > 0);
  if (rows.length < 2) return '';
  const medians = rows.map((r) => r.stepMs!.median);
  const factor = Math.max(...medians) / Math.min(...medians);
  const each = rows.map((r) => `${VARIANT_LABEL[r.variant]} ${fmt(r.stepMs!.median)}`).join(', ');
  return `mean of the medians (${each})${factor > NOISY_VARIANTS ? `; they do the same work, so their ${fmtNum(factor)}× difference is timing noise` : ''}`;
}
