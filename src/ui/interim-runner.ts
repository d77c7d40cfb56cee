/**
 * A stop-gap benchmark runner with the shape of src/bench/runner.ts (runBenchmark(options,
 * hooks)), used only until that module lands, so the page can be built and tested end to
 * end. Plain: wall-clock timing per recorded chunk, no warm-up or repeats.
 * TODO(ui): delete once src/bench/runner.ts exists; run-session.ts prefers it already.
 */
import type { AgreementRow, BenchResults, ResultRow, Spread } from '../bench/results';
import { SCHEMA } from '../bench/results';
import type { Backend, MlpConfig, Variant } from '../model/config';
import { decayAlpha } from '../model/config';
import type { Dataset } from '../model/data';
import { makeDataset } from '../model/data';
import { matmulFlopsPerStep } from '../model/flops';
import { agreement } from '../model/metrics';
import { initialParameters } from '../model/parameters';
import type { Trainer } from '../model/trainer';
import type { RunnerHooks, RunnerOptions } from './run-session';
import { withHiddenWidth } from './run-draft';

function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p10: q(0.1), p90: q(0.9) };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

export async function runBenchmark(options: RunnerOptions, hooks: RunnerHooks = {}): Promise<BenchResults> {
  const { config, backends } = options;
  const variants: Variant[] = options.variants ?? ['l2', 'decay'];
  const widths: (number | null)[] = options.sweep?.length ? options.sweep : [null];
  const recordEvery = Math.max(1, options.recordEvery ?? Math.max(1, Math.ceil(config.steps / 50)));
  const results: BenchResults = {
    schema: SCHEMA,
    createdAt: new Date().toISOString(),
    adapter: options.gpu?.adapter ?? null,
    limits: options.gpu ? { ...(options.gpu.limits as unknown as Record<string, number>) } : null,
    config: { ...config, alpha: decayAlpha(config) },
    machine: typeof navigator !== 'undefined' ? navigator.userAgent : undefined,
    results: [],
    agreement: [],
  };
  const total = widths.length * backends.length * variants.length * config.steps;
  let done = 0;
  const started = performance.now();
  const progress = (label: string) =>
    hooks.onProgress?.({ done, total, label, etaSeconds: done > 0 ? ((performance.now() - started) / 1000 / done) * (total - done) : null });

  for (const width of widths) {
    const cfg: MlpConfig = width === null ? config : { ...config, layers: withHiddenWidth(config.layers, width) };
    const data: Dataset = makeDataset(cfg);
    const init = initialParameters(cfg);
    const finals = new Map<string, Float64Array[]>();
    for (const backend of backends)
      for (const variant of variants) {
        const row: ResultRow = {
          width, backend, variant, stepMs: null, timer: null, samplesPerSec: null, gflops: null, finalLoss: null,
          norms: [], skipped: null, normSteps: [], trainLoss: [], validationLoss: [], finalValidationLoss: null, nonFiniteAtStep: null,
        };
        results.results.push(row);
        const factory = options.factories[backend];
        if (!factory) {
          row.skipped = `the ${backend} backend is not available in this build`;
          done += cfg.steps;
          continue;
        }
        let trainer: Trainer | undefined;
        try {
          trainer = await factory(cfg, variant, data);
          await trainer.setParameters(init);
          const chunkMs: number[] = [];
          for (let t = 0; t < cfg.steps; ) {
            if (hooks.signal?.aborted) break;
            const k = Math.min(recordEvery, cfg.steps - t);
            const t0 = performance.now();
            await trainer.train(k);
            chunkMs.push((performance.now() - t0) / k);
            t += k;
            done += k;
            const norms = await trainer.norms();
            const losses = await trainer.losses();
            row.norms.push(norms);
            row.normSteps!.push(t);
            row.trainLoss!.push(losses.train);
            row.validationLoss!.push(losses.validation);
            if (row.nonFiniteAtStep === null && ![...norms, losses.train, losses.validation].every(Number.isFinite)) row.nonFiniteAtStep = t;
            row.stepMs = spread(chunkMs);
            row.timer = 'wall';
            row.samplesPerSec = row.stepMs ? (cfg.batch * 1000) / row.stepMs.median : null;
            row.gflops = row.stepMs ? matmulFlopsPerStep(cfg.layers, cfg.batch) / (row.stepMs.median * 1e6) : null;
            row.finalLoss = losses.train;
            row.finalValidationLoss = losses.validation;
            progress(`${width === null ? '' : `width ${width} · `}${backend} ${variant}`);
            hooks.onPartial?.(structuredClone(results));
            await tick();
          }
          finals.set(`${backend}/${variant}`, (await trainer.getParameters()).weights);
        } catch (e) {
          row.skipped = `failed: ${(e as Error).message}`;
          if (hooks.signal?.aborted) break;
          throw e;
        } finally {
          trainer?.dispose();
        }
        if (hooks.signal?.aborted) break;
      }
    const pair = (a: [Backend, Variant], b: [Backend, Variant]) => {
      const p = finals.get(a.join('/'));
      const q = finals.get(b.join('/'));
      if (!p || !q) return;
      const g = agreement(p, q);
      const row: AgreementRow = { width, a: { backend: a[0], variant: a[1] }, b: { backend: b[0], variant: b[1] }, ...g };
      results.agreement.push(row);
    };
    for (const b of backends) pair([b, 'l2'], [b, 'decay']);
    for (const b of backends) if (b !== 'reference') for (const v of variants) pair([b, v], ['reference', v]);
    hooks.onPartial?.(structuredClone(results));
    if (hooks.signal?.aborted) break;
  }
  return results;
}
