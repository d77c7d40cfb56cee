/**
 * Times one engine the same way for all (docs/TESTING.md, "Timing"): warm-up steps first,
 * then an estimate of the step time to size the samples, then `samples` timed samples of
 * `stepsPerSample` steps each, with one wait for completion per sample.
 */
import type { EngineResult, EngineSpec } from '../protocol';
import type { EngineRun } from './problem';

/** A bound so that a mis-estimate (a first step that happened to be fast) cannot make a sample run for minutes. */
const MAX_STEPS_PER_SAMPLE = 1024;

export async function measure(spec: EngineSpec, setup: () => Promise<EngineRun>): Promise<EngineResult> {
  const t0 = performance.now();
  const run = await setup();
  try {
    let steps = 0;
    const take = async (n: number): Promise<number> => {
      const loss = await run.steps(n);
      steps += n;
      return loss ?? (await run.loss());
    };
    const lossFirst = await take(1);
    if (spec.warmupSteps > 1) await take(spec.warmupSteps - 1);
    const setupMs = performance.now() - t0;
    const e0 = performance.now();
    await run.steps(1);
    steps++;
    const estimate = performance.now() - e0;
    const stepsPerSample = Math.max(1, Math.min(MAX_STEPS_PER_SAMPLE, Math.round(spec.sampleMs / Math.max(estimate, 1e-3))));
    const msPerStep: number[] = [];
    for (let s = 0; s < spec.samples; s++) {
      const s0 = performance.now();
      await run.steps(stepsPerSample);
      msPerStep.push((performance.now() - s0) / stepsPerSample);
      steps += stepsPerSample;
    }
    const lossLast = await run.loss();
    return { engine: spec.engine, label: run.label, shape: spec.shape, stepsPerSample, msPerStep, lossFirst, lossLast, steps, setupMs };
  } finally {
    run.dispose();
  }
}
