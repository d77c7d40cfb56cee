/**
 * The CLI's text report: config, a table per width, agreement, and a sweep summary.
 * Pure functions of the results (no Node imports), so tests can read what users see.
 */
import { parameterCount, trainBatchCount } from '../model/config';
import { describeSchedule } from '../model/schedule';
import { matmulFlopsPerStep } from '../model/flops';
import { fmtPercent, formatGap, formatMs, formatNumber, formatRate, formatSeconds, renderTable, rowsMeasured } from '../bench/format';
import type { AdapterSummary, AgreementRow, BenchResults, ResultRow } from '../bench/results';
import { sweepLayers } from '../bench/runner';
import { implementationLabel } from '../gpu/adapter-summary';
import { describeVerdict, sameMapExpected } from '../model/verdict';
import { hasAccuracy } from '../model/accuracy';

export const SOFTWARE_ADAPTER_WARNING = 'software adapter (SwiftShader): GPU timings are CPU emulation, not GPU performance';

export function adapterLine(adapter: AdapterSummary | null, why: string | null): string {
  if (!adapter) return `GPU: none (${why ?? 'not requested'})`;
  const name = [adapter.vendor, adapter.architecture, adapter.description].filter((s) => s).join(' / ') || 'unnamed adapter';
  // Which WebGPU implementation ran the GPU rows: Dawn (Node) and wgpu (Deno) time differently.
  const line = `GPU: ${name} · WebGPU ${implementationLabel(adapter)}`;
  return adapter.isFallbackAdapter ? `${line}\n!!! WARNING: ${SOFTWARE_ADAPTER_WARNING} !!!` : line;
}

export function configLines(r: BenchResults): string[] {
  const c = r.config;
  const opt =
    c.optimizer === 'sgd' ? 'sgd' : c.optimizer === 'momentum' ? `momentum (μ = ${c.momentum})` : `adam (β1 = ${c.beta1}, β2 = ${c.beta2}, ε = ${c.eps})`;
  return [
    `config: layers ${c.layers.join(',')} · batch ${c.batch} · steps ${c.steps} · ${c.activation} · ${c.loss} · seed ${c.seed} · ${dataLine(c)}`,
    `        optimizer ${opt} · η = ${c.lr} · λ = ${c.lambda} (l2) · α = η·λ = ${formatNumber(c.alpha, 4)} (decay) · ${c.regularizeBias ? 'weights and biases' : 'weights only'} regularized`,
    `        schedule: ${describeSchedule(c)}`,
    `        PyTorch convention: Adam/SGD weight_decay = λ (coupled, our l2); AdamW weight_decay = α/η = ${formatNumber(c.alpha / c.lr, 4)} (decoupled, our decay)`,
  ];
}

/** Where the rows come from, as the header says it. */
function dataLine(c: BenchResults['config']): string {
  if (c.dataset === 'mnist')
    return `MNIST: ${c.trainSize} training rows (${trainBatchCount(c)} batches), ${c.validationSize} validation rows${c.labelNoise > 0 ? `, label noise ${c.labelNoise} (${Math.round(c.labelNoise * c.trainSize)} training labels wrong)` : ''}`;
  return `teacher: ${c.trainBatches} training batches`;
}

function rowLabel(row: ResultRow): string[] {
  return [row.engine ? `${row.backend} (${row.engine})` : row.backend, row.variant];
}

/** One table per width: timings, losses and the final per-layer norms. */
export function widthTable(r: BenchResults, width: number | null): string {
  const rows = r.results.filter((row) => row.width === width);
  const layers = sweepLayers(r.config.layers, width);
  const title =
    `${width === null ? 'run' : `width ${width}`}: layers ${layers.join(',')} · ${formatRate(parameterCount(layers))} parameters · ` +
    `${formatNumber(matmulFlopsPerStep(layers, r.config.batch) / 1e9)} GFLOP per step`;
  // Classification runs: the accuracy column (docs/RULES.md, "Accuracy").
  const accuracy = hasAccuracy(r.config);
  const body = rows.map((row) => {
    if (row.skipped) return [...rowLabel(row), 'skipped (below)', '', '', '', '', '', ...(accuracy ? [''] : []), ''];
    const s = row.stepMs;
    return [
      ...rowLabel(row),
      s ? `${formatMs(s.median)} [${formatMs(s.p10)}–${formatMs(s.p90)}]` : '–',
      row.timer ?? '–',
      `${row.steps ?? '–'}`,
      formatRate(row.samplesPerSec),
      formatNumber(row.gflops),
      `${formatNumber(row.finalLoss)} / ${formatNumber(row.finalValidationLoss)}`,
      ...(accuracy ? [`${fmtPercent(row.finalTrainAccuracy)} / ${fmtPercent(row.finalValidationAccuracy)}`] : []),
      (row.norms.at(-1) ?? []).map((n) => formatNumber(n, 4)).join(' '),
    ];
  });
  const table = renderTable(
    [
      'backend',
      'variant',
      'step ms median [p10–p90]',
      'timer',
      'steps',
      'samples/s',
      'GFLOP/s',
      'loss train / val',
      ...(accuracy ? ['accuracy train / val'] : []),
      '‖W_l‖ final per layer',
    ],
    body,
    [false, false, true, false, true, true, true, true, ...(accuracy ? [true] : []), false],
  );
  // Reasons under the table, one line per distinct reason, so a long one does not stretch every column.
  const reasons = new Map<string, string[]>();
  for (const row of rows) if (row.skipped) reasons.set(row.skipped, [...(reasons.get(row.skipped) ?? []), `${row.backend} ${row.variant}`]);
  const notes = [
    ...[...reasons].map(([reason, who]) => `  skipped: ${who.join(', ')}: ${reason}`),
    ...rows.filter((row) => row.note).map((row) => `  note: ${row.backend} ${row.variant}: ${row.note}`),
  ];
  return [title, table, ...notes].join('\n');
}

function side(a: AgreementRow['a']): string {
  return `${a.backend} ${a.variant}`;
}

export function agreementTable(r: BenchResults, width: number | null): string | null {
  const rows = r.agreement.filter((a) => a.width === width);
  if (rows.length === 0) return null;
  const perLayer = (gaps: number[] | null | undefined) => (gaps ? gaps.map(formatGap).join(' ') : '–');
  const body = rows.map((a) => [
    side(a.a),
    side(a.b),
    `${a.step ?? '–'}`,
    perLayer(a.normGap),
    perLayer(a.weightGap),
    formatGap(maxGap(a)),
    perLayer(a.floorNormGap),
    perLayer(a.floorWeightGap),
    a.floorRatio == null ? '–' : `${formatNumber(a.floorRatio)}×`,
    a.verdict ?? '–',
  ]);
  return [
    `agreement${width === null ? '' : ` at width ${width}`} (per layer; norm gap |‖P‖−‖Q‖|/‖Q‖, weight gap max|P−Q|/max|Q|, Q the second;` +
      ` floor: the same gaps between b and its one-ulp twin; ratio: largest gap / floor):`,
    renderTable(['a', 'vs b', 'step', 'norm gap per layer', 'weight gap per layer', 'max', 'floor norm', 'floor weight', 'ratio', 'verdict'], body, [
      false,
      false,
      true,
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]),
    ...verdictLines(r, rows),
  ].join('\n');
}

/** The verdicts in words, the float64 identity where the reference ran, and zero-norm layers. */
function verdictLines(r: BenchResults, rows: AgreementRow[]): string[] {
  const lines: string[] = [];
  for (const a of rows) {
    if (a.a.backend === a.b.backend && a.a.backend !== 'reference' && a.verdict)
      lines.push(`  ${a.a.backend} L2 vs decay: ${describeVerdict(a.verdict, a.floorRatio ?? null, r.config)}`);
    if (a.a.backend === 'reference' && a.b.backend === 'reference' && sameMapExpected(r.config) && (a.verdict === 'same' || a.verdict === 'identical'))
      lines.push(`  float64 reference: L2 vs decay gap ${formatGap(maxGap(a))} — the identity holds exactly in float64`);
    else if (a.a.backend === 'reference' && a.b.backend === 'reference' && a.verdict)
      lines.push(`  reference L2 vs decay (float64): ${describeVerdict(a.verdict, a.floorRatio ?? null, r.config)}`);
    if (a.zeroScaleLayers?.length)
      lines.push(`  ${side(a.b)} has all-zero weights in layer ${a.zeroScaleLayers.join(', ')}: gaps there are 0 when both are 0, ∞ otherwise`);
  }
  return lines;
}

/** Largest gap of a row (NaN wins: a NaN is never "small"). */
export function maxGap(a: AgreementRow): number {
  const all = [...a.normGap, ...a.weightGap];
  return all.some(Number.isNaN) ? Number.NaN : Math.max(...all);
}

function pick(r: BenchResults, width: number | null, backend: 'gpu' | 'cpu'): ResultRow | undefined {
  // The l2 row stands for the backend (both variants run the same kernels but the rule).
  const rows = r.results.filter((row) => row.width === width && row.backend === backend);
  return rows.find((row) => row.variant === 'l2' && row.stepMs) ?? rows.find((row) => row.stepMs) ?? rows[0];
}

/** In a sweep: one line per width with GPU vs CPU side by side. */
export function sweepTable(r: BenchResults): string | null {
  if (!r.sweep) return null;
  const body = r.sweep.map((width) => {
    const g = pick(r, width, 'gpu');
    const c = pick(r, width, 'cpu');
    const speedUp = g?.stepMs && c?.stepMs ? c.stepMs.median / g.stepMs.median : null;
    const gaps = r.agreement.filter((a) => a.width === width).map(maxGap);
    const skipped = r.results.filter((row) => row.width === width && row.skipped).map((row) => `${row.backend} ${row.variant}: ${row.skipped}`);
    // One reason per backend (its variants usually share it; a budget skip differs only in seconds left).
    const firstByBackend = new Map<string, string>();
    for (const s of skipped) {
      const m = /^(\w+) (?:l2|decay): (.*)$/s.exec(s);
      if (m && !firstByBackend.has(m[1])) firstByBackend.set(m[1], m[2]);
    }
    const reasons = [...firstByBackend].map(([backend, reason]) => `${backend}: ${reason}`);
    return [
      `${width}`,
      formatRate(parameterCount(sweepLayers(r.config.layers, width))),
      g?.stepMs ? formatMs(g.stepMs.median) : '–',
      c?.stepMs ? formatMs(c.stepMs.median) : '–',
      speedUp === null ? '–' : `${formatNumber(speedUp)}×`,
      formatNumber(g?.gflops),
      formatNumber(c?.gflops),
      gaps.length ? formatGap(gaps.some(Number.isNaN) ? Number.NaN : Math.max(...gaps)) : '–',
      reasons.join('; '),
    ];
  });
  return [
    'sweep summary (l2 rows; speed-up = CPU step / GPU step; agreement = largest gap of the width):',
    renderTable(['width', 'params', 'GPU ms', 'CPU ms', 'GPU/CPU', 'GPU GFLOP/s', 'CPU GFLOP/s', 'agreement', 'skipped'], body, [
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]),
  ].join('\n');
}

/** The whole report after the header lines. */
export function resultsReport(r: BenchResults): string {
  const widths: (number | null)[] = r.sweep ?? [null];
  const parts: string[] = [];
  for (const width of widths) {
    parts.push(widthTable(r, width));
    const a = agreementTable(r, width);
    if (a) parts.push(a);
  }
  const sweep = sweepTable(r);
  if (sweep) parts.push(sweep);
  for (const note of r.notes ?? []) parts.push(`note: ${note}`);
  const timers = new Set(r.results.filter((row) => row.timer).map((row) => `${row.backend}: ${row.timer}`));
  parts.push(
    `step time: median over chunks of ${r.results.find((row) => row.chunkSteps)?.chunkSteps ?? '–'} steps (p10/p90 by linear interpolation), after ${r.results.find((row) => row.warmupSteps)?.warmupSteps ?? 0} warm-up steps; timers ${[...timers].join(', ') || '–'}` +
      `\nloss and accuracy, ${rowsMeasured(r.config)}` +
      `\nfinished in ${formatSeconds(r.elapsedSeconds ?? 0)}${r.maxSeconds ? ` (budget ${r.maxSeconds} s)` : ''}${r.stopped ? ` — ${r.stopped}` : ''}`,
  );
  return parts.join('\n\n');
}
