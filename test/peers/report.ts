/**
 * What the peer benchmark concludes from the raw samples: per engine the median step time
 * with p10/p90, samples/s, matmul GFLOP/s (docs/RULES.md's FLOP count), the check that it
 * really trained (finite loss that went down), and the ratio ours / peer of samples/s on
 * the same shape. Pure functions, so the table and the JSON say the same thing.
 */
import { matmulFlopsPerStep, spread, type Spread } from '../../src/index';
import { OURS_FOR, type EngineFailure, type EngineId, type EngineResult, type PageEnvironment, type PeerShape } from './protocol';

export interface Machine {
  cpu: string;
  cores: number;
  /** 1, 5 and 15-minute load averages when the run started and when it ended. */
  loadBefore: number[];
  loadAfter: number[];
  node: string;
}

export interface EngineSummary {
  engine: EngineId;
  label: string;
  shape: PeerShape;
  msPerStep: Spread;
  samplesPerSecond: number;
  matmulGflops: number;
  stepsPerSample: number;
  samples: number;
  lossFirst: number;
  lossLast: number;
  /** Why this result does not count as training (non-finite timing or loss, loss not decreasing), or null. */
  invalid: string | null;
  /** Ours / this engine, samples per second, same shape; null for ours or when either side is missing or invalid. */
  oursRatio: number | null;
  /** With --rounds > 1: the same ratio from each round's own samples, in round order (else empty). */
  roundRatios: number[];
}

export interface PeersReport {
  machine: Machine;
  browser: PageEnvironment;
  /** "software adapter (...)" or "GPU (...)": SwiftShader timings are not GPU performance. */
  adapterLabel: string;
  results: EngineSummary[];
  failures: EngineFailure[];
  raw: EngineResult[];
}

export function shapeName(s: PeerShape): string {
  return `${s.layers.join(',')} batch ${s.batch}`;
}

export function describeAdapterKind(env: PageEnvironment): string {
  const a = env.adapter;
  if (!a) return 'no WebGPU adapter';
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || 'unnamed adapter';
  return a.isFallbackAdapter ? `software adapter (${name}, isFallbackAdapter: true) — CPU emulation, not GPU performance` : `GPU (${name})`;
}

export function invalidReason(r: EngineResult): string | null {
  if (r.msPerStep.length === 0 || r.msPerStep.some((ms) => !Number.isFinite(ms) || ms <= 0))
    return `timings not finite and positive: ${r.msPerStep.join(', ')}`;
  if (!Number.isFinite(r.lossFirst) || !Number.isFinite(r.lossLast)) return `loss not finite: first ${r.lossFirst}, last ${r.lossLast}`;
  if (!(r.lossLast < r.lossFirst)) return `loss did not decrease: first ${r.lossFirst}, last ${r.lossLast} after ${r.steps} steps`;
  return null;
}

/** Each engine's results on one shape as one: samples pooled over rounds, first loss of the first, last of the last. */
function pooled(raw: readonly EngineResult[]): EngineResult[] {
  const groups = new Map<string, EngineResult[]>();
  for (const r of raw) {
    const key = `${r.engine} ${shapeName(r.shape)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) =>
    rs.length === 1
      ? rs[0]
      : {
          ...rs[0],
          msPerStep: rs.flatMap((r) => r.msPerStep),
          lossLast: rs[rs.length - 1].lossLast,
          steps: rs.reduce((n, r) => n + r.steps, 0),
          round: undefined,
        },
  );
}

function samplesPerSecond(r: EngineResult): number {
  return (r.shape.batch * 1000) / spread(r.msPerStep).median;
}

export function summarize(raw: readonly EngineResult[]): EngineSummary[] {
  const rows = pooled(raw).map((r): EngineSummary => {
    const invalid = invalidReason(r);
    const ms = invalid ? { median: Number.NaN, p10: Number.NaN, p90: Number.NaN } : spread(r.msPerStep);
    return {
      engine: r.engine,
      label: r.label,
      shape: r.shape,
      msPerStep: ms,
      samplesPerSecond: (r.shape.batch * 1000) / ms.median,
      matmulGflops: matmulFlopsPerStep(r.shape.layers, r.shape.batch) / (ms.median * 1e6),
      stepsPerSample: r.stepsPerSample,
      samples: r.msPerStep.length,
      lossFirst: r.lossFirst,
      lossLast: r.lossLast,
      // Every round's piece must be valid too: a pooled median could hide one that did not train.
      invalid:
        invalid ??
        raw
          .filter((x) => x.engine === r.engine && shapeName(x.shape) === shapeName(r.shape))
          .map(invalidReason)
          .find((x) => x) ??
        null,
      oursRatio: null,
      roundRatios: [],
    };
  });
  for (const row of rows) {
    const ours = OURS_FOR[row.engine];
    if (ours === row.engine || row.invalid) continue;
    const mine = rows.find((o) => o.engine === ours && shapeName(o.shape) === shapeName(row.shape) && !o.invalid);
    if (!mine) continue;
    row.oursRatio = mine.samplesPerSecond / row.samplesPerSecond;
    const rounds = [...new Set(raw.map((r) => r.round).filter((r) => r !== undefined))];
    for (const round of rounds) {
      const at = (engine: EngineId) => raw.find((r) => r.round === round && r.engine === engine && shapeName(r.shape) === shapeName(row.shape));
      const [o, p] = [at(ours), at(row.engine)];
      if (o && p) row.roundRatios.push(samplesPerSecond(o) / samplesPerSecond(p));
    }
  }
  return rows;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** The printed report: machine and adapter first, then one table per shape. */
export function formatReport(report: PeersReport): string {
  const m = report.machine;
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores; load average ${m.loadBefore.map((x) => x.toFixed(2)).join(' ')} at start, ${m.loadAfter.map((x) => x.toFixed(2)).join(' ')} at end; Node ${m.node}`,
    `browser: ${report.browser.userAgent}; crossOriginIsolated ${report.browser.crossOriginIsolated}, hardwareConcurrency ${report.browser.hardwareConcurrency}`,
    `adapter: ${report.adapterLabel}`,
    'step: tanh, MSE, SGD + L2 (λ 1e-3, η 0.01), float32; ms/step median [p10 – p90]; ratio = ours samples/s ÷ engine samples/s' +
      (report.results.some((r) => r.roundRatios.length > 1)
        ? ' (samples pooled over the rounds; in brackets, the lowest and highest ratio of one round)'
        : ''),
  ];
  const shapes = [...new Map(report.results.map((r) => [shapeName(r.shape), r.shape])).values()];
  for (const shape of shapes) {
    const gflop = matmulFlopsPerStep(shape.layers, shape.batch) / 1e9;
    lines.push('', `${shapeName(shape)} (${gflop.toFixed(3)} GFLOP of matmul per step)`);
    lines.push('| engine | what ran | ms/step [p10 – p90] | samples/s | matmul GFLOP/s | ours ÷ it | loss first → last |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const r of report.results.filter((x) => shapeName(x.shape) === shapeName(shape))) {
      const ms = r.invalid ? `INVALID: ${r.invalid}` : `${fmt(r.msPerStep.median, 2)} [${fmt(r.msPerStep.p10, 2)} – ${fmt(r.msPerStep.p90, 2)}]`;
      const rounds = r.roundRatios.length > 1 ? ` (rounds ${Math.min(...r.roundRatios).toFixed(2)}–${Math.max(...r.roundRatios).toFixed(2)}×)` : '';
      const ratio = r.oursRatio === null ? '' : `${r.oursRatio.toFixed(2)}×${rounds}`;
      lines.push(
        `| ${r.engine} | ${r.label} | ${ms} | ${fmt(r.samplesPerSecond, 0)} | ${fmt(r.matmulGflops, 2)} | ${ratio} | ${r.lossFirst.toPrecision(4)} → ${r.lossLast.toPrecision(4)} |`,
      );
    }
  }
  for (const f of report.failures) lines.push('', `FAILED ${f.engine} at ${shapeName(f.shape)}: ${f.error}`);
  return lines.join('\n');
}
