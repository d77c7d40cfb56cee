/**
 * One cell of a run (one backend × variant at one width): create its trainer, warm it up, set
 * the shared initial parameters, train in timed chunks recording norms and losses, and keep the
 * weights the agreement pairs need. Never throws for the cell's own failure: the row says why.
 *
 * Browser-safe: no Node imports.
 */
import { frozenFrom } from '../model/float32-range';
import type { Trainer } from '../model/trainer';
import type { ResultRow } from './results';
import type { Cell, RunState, WidthRun } from './run-state';
import { CancelledError, abortReason } from './run-state';
import { spread } from './stats';
import type { TimeBudget } from './time-budget';
import { hasAccuracy } from '../model/accuracy';

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The row's step-time figures from its chunk samples. Mixing device and wall samples would make the spread meaningless: one timer per row. */
function timeFigures(row: ResultRow, wallMs: number[], deviceMs: number[], allDevice: boolean, batch: number, flopsPerStep: number): void {
  const useDevice = allDevice && deviceMs.length === wallMs.length;
  const step = spread(useDevice ? deviceMs : wallMs);
  row.stepMs = step;
  row.wallStepMs = spread(wallMs);
  row.timer = useDevice ? 'timestamp-query' : 'wall';
  row.samplesPerSec = (batch * 1000) / step.median;
  row.gflops = flopsPerStep / (step.median * 1e6);
}

/**
 * Halves a row's records (norms, losses, their steps), keeping the latest and every second one
 * before it. Called whenever a row passes maxRecords, so the oldest points have been halved most
 * often: recent history stays dense, early history sparse. Rows recorded at the same steps thin
 * alike, so their agreement history still lines up.
 */
export function thinRecords(row: ResultRow): void {
  const n = row.normSteps.length;
  const keep = (_: unknown, i: number) => (n - 1 - i) % 2 === 0;
  row.norms = row.norms.filter(keep);
  row.normSteps = row.normSteps.filter(keep);
  row.trainLoss = row.trainLoss.filter(keep);
  row.validationLoss = row.validationLoss.filter(keep);
  row.trainAccuracy = row.trainAccuracy.filter(keep);
  row.validationAccuracy = row.validationAccuracy.filter(keep);
}

export async function runCell(state: RunState, budget: TimeBudget, w: WidthRun, cell: Cell): Promise<void> {
  const { plan, signal } = state;
  const { config, options, gpu, warmupSteps, deadline, maxSeconds, maxRecords } = plan;
  const { cfg, flopsPerStep, prefix, cells, plans, width } = w;
  const { backend, variant, row } = cell;
  let trainer: Trainer | undefined;
  let trained = 0;
  let planned = config.steps;
  /** Per-step times of each timed chunk, wall clock and (when every chunk had it) device time. */
  const wallMs: number[] = [];
  const deviceMs: number[] = [];
  let allDevice = false;
  try {
    const { data: d, init } = w.shared();
    const p0 = cell.twin ? w.sharedTwin(backend) : init;
    trainer = await options.factories[backend]!(cfg, variant, d, { workers: options.workers, signal, twin: cell.twin });
    if (trainer.engine) row.engine = trainer.engine;
    // Warm-up: the first steps pay for pipeline compilation, lazy buffer zeroing and JIT.
    // They also give the step-time estimate that sizes this cell to the time budget.
    let perStepMs = 0;
    let warmedUp = 0;
    if (warmupSteps > 0) {
      let t = performance.now();
      await trainer.train(1);
      perStepMs = performance.now() - t;
      warmedUp = 1;
      // A step that already takes a tenth of the cell's share has amortised its compilation:
      // more warm-up would only eat the budget.
      if (warmupSteps > 1 && perStepMs < 0.1 * budget.shareMs(flopsPerStep)) {
        t = performance.now();
        await trainer.train(warmupSteps - 1);
        perStepMs = (performance.now() - t) / (warmupSteps - 1);
        warmedUp = warmupSteps;
      }
      row.warmupSteps = warmedUp;
      budget.measured(backend, flopsPerStep / (perStepMs * 1e6), width);
      state.meter.measured(backend, flopsPerStep, perStepMs);
    }
    // Reading norms and losses once warms their pipelines too; the second read is what a
    // record costs from then on (the first can be hundreds of ms of shader compilation).
    await trainer.norms();
    await trainer.losses();
    let t = performance.now();
    await trainer.norms();
    await trainer.losses();
    const recordMs = performance.now() - t;
    // Every backend and variant starts from the same weights, optimizer state zero, step 0.
    await trainer.setParameters(p0);
    if (signal?.aborted) throw new CancelledError();

    let steps = plans.get(backend);
    if (!steps) {
      steps = budget.planSteps(w, perStepMs, recordMs);
      plans.set(backend, steps);
    }
    if (steps.skip) {
      row.skipped = steps.skip;
      return; // its steps are dropped in `finally`, like every step the cell did not train
    }
    planned = steps.steps;
    row.note = steps.note;
    row.chunkSteps = steps.chunk;
    // Chunk boundaries: every `chunk` steps, plus the steps where other cells of this width
    // stopped, so this one can keep its weights there for a like-for-like comparison.
    const others = [...cells.values()].map((c) => c.finalStep).filter((s): s is number => s !== undefined && s > 0 && s < planned);
    const boundaries = new Set<number>(others);
    for (let s = steps.chunk; s < planned; s += steps.chunk) boundaries.add(s);
    boundaries.add(planned);
    const checkpoints = new Set(others);

    allDevice = backend === 'gpu' && gpu?.hasTimestamps === true;
    for (const boundary of [...boundaries].sort((x, y) => x - y)) {
      if (signal?.aborted) {
        row.note = `${abortReason(signal)} after ${trained} of ${planned} steps`;
        break;
      }
      if (performance.now() > deadline) {
        row.note = `stopped after ${trained} of ${planned} steps: time budget of ${maxSeconds} s spent`;
        break;
      }
      const n = boundary - trained;
      t = performance.now();
      const timing = await trainer.train(n);
      wallMs.push((performance.now() - t) / n);
      if (timing.deviceMs !== undefined && Number.isFinite(timing.deviceMs)) deviceMs.push(timing.deviceMs / n);
      else allDevice = false;
      trained = boundary;
      state.trained(width, cell, n);
      const norms = await trainer.norms();
      const losses = await trainer.losses();
      row.norms.push(norms);
      row.normSteps.push(trained);
      row.trainLoss.push(losses.train);
      row.validationLoss.push(losses.validation);
      row.finalLoss = losses.train;
      row.finalValidationLoss = losses.validation;
      if (hasAccuracy(config)) {
        row.trainAccuracy.push(losses.trainAccuracy);
        row.validationAccuracy.push(losses.validationAccuracy);
        row.finalTrainAccuracy = losses.trainAccuracy;
        row.finalValidationAccuracy = losses.validationAccuracy;
      }
      row.steps = trained;
      if (row.normSteps.length > maxRecords) thinRecords(row);
      if (checkpoints.has(trained)) cell.checkpoints.set(trained, (await trainer.getParameters()).weights);
      // Live figures: every chunk while there are few samples, then every ⌈n / MAX⌉ chunks (a
      // sort of n samples each time), so their cost per chunk stays flat; the final figures,
      // after the loop, are over every sample.
      if (wallMs.length <= maxRecords || wallMs.length % Math.ceil(wallMs.length / maxRecords) === 0)
        timeFigures(row, wallMs, deviceMs, allDevice, cfg.batch, flopsPerStep);
      // The last chunk's step time prices what is left of the run (work-meter.ts): no sort per chunk.
      state.meter.measured(backend, flopsPerStep, wallMs[wallMs.length - 1]);
      state.label = `${prefix}${backend} ${variant}${cell.twin ? ' (rounding twin)' : ''} · step ${trained}/${planned}`;
      if (![...norms, losses.train, losses.validation].every(Number.isFinite)) {
        row.nonFiniteAtStep = trained;
        row.note = `NaN/Inf first seen at step ${trained} (recorded every ${steps.chunk}); the cell stopped there`;
        break;
      }
      state.progress();
      state.partial();
      await yieldToEventLoop();
    }
    const frozen = frozenFrom(row.norms, row.normSteps);
    if (frozen !== null && frozen < trained) {
      const why =
        backend === 'reference'
          ? ''
          : ' — float32 optimizer state may have overflowed or underflowed (see the run notes; compare with the float64 reference)';
      row.note = `${row.note ? `${row.note}; ` : ''}weights stopped changing at step ${frozen}: the norms are identical in every record from there to step ${trained}${why}`;
    }
    if (trained === 0) {
      row.skipped = signal?.aborted ? abortReason(signal) : `time budget of ${maxSeconds} s spent`;
    } else {
      cell.finalStep = trained;
      cell.finalWeights = (await trainer.getParameters()).weights;
    }
  } catch (e) {
    if (e instanceof CancelledError || signal?.aborted) {
      if (trained === 0) row.skipped = abortReason(signal);
      else row.note = `${abortReason(signal)} after ${trained} of ${planned} steps`;
    } else if (trained === 0) {
      row.skipped = `failed: ${message(e)}`;
    } else {
      row.note = `failed after ${trained} steps: ${message(e)}`;
    }
    row.stepMs ??= null;
  } finally {
    // The final figures are over every timed chunk, however the cell ended.
    if (wallMs.length > 0) {
      timeFigures(row, wallMs, deviceMs, allDevice, cfg.batch, flopsPerStep);
      // The median over the cell's chunks: a steadier rate than its warm-up for the widths after it.
      if (row.gflops !== null) budget.measured(backend, row.gflops, width);
    }
    trainer?.dispose();
    state.dropped(width, cell, config.steps - trained);
    state.progress();
  }
}
