/**
 * What a run is predicted to cost before it starts: time (the work meter's step rates, the
 * last run's measured ones where there was one) and memory (the GPU engine's own buffer plan,
 * the CPU trainers' arrays). The page shows it beside Start and asks first when a run would be
 * long or larger than the machine (docs/DESIGN.md, "Progress").
 */
import type { Backend } from '../model/config';
import { parameterCount, validationRowCount } from '../model/config';
import { recordedStepFlops } from '../model/flops';
import { zeroState } from '../model/update-rules';
import { gpuMemoryPlan } from '../bench/backends';
import { sweepLayers } from '../bench/run-plan';
import type { WorkMeter } from '../bench/work-meter';
import type { RunRequest, SweepSkip } from './run-draft';
import { pageRecordEvery } from './run-session';

export interface RunEstimate {
  seconds: number;
  /** The largest GPU allocation of one trainer (cells run one at a time). */
  gpuBytes: number;
  /** The largest host allocation: the shared float64 initial parameters plus one CPU trainer. */
  hostBytes: number;
}

/** Above this the page asks before it starts. */
export const CONFIRM_SECONDS = 180;

/** Cells a backend runs per width on the page: L2, decay, and decay's one-ulp twin (the rounding floor, src/bench/rounding-floor.ts). */
const CELLS_PER_BACKEND = 3;
/** Untimed warm-up steps each cell runs first (the runner's default). */
const WARMUP_STEPS = 2;
/** Arrays of parameter size a CPU trainer holds besides its optimizer state: weights and gradients. */
const CPU_ARRAYS = 2;
const BYTES: Record<Backend, number> = { reference: 8, cpu: 4, gpu: 4 };

export function estimateRun(request: RunRequest, skips: readonly SweepSkip[], meter: WorkMeter): RunEstimate {
  const { config, backends } = request;
  const states = Object.keys(zeroState(config.optimizer, 0, (n) => new Float64Array(n))).length;
  let seconds = 0;
  let gpuBytes = 0;
  let hostBytes = 0;
  for (const width of request.sweep ?? [null]) {
    const layers = sweepLayers(config.layers, width);
    // Each step with its share of the records' validation passes (the page's record cadence).
    const flops = recordedStepFlops(layers, config.batch, validationRowCount(config), pageRecordEvery(config.steps));
    const params = parameterCount(layers);
    for (const backend of backends) {
      if (skips.some((s) => s.width === width && s.backend === backend)) continue;
      // The runner's shared float64 copy of the initial parameters, for any cell that runs.
      hostBytes = Math.max(hostBytes, params * 8);
      seconds += CELLS_PER_BACKEND * (config.steps + WARMUP_STEPS) * meter.stepSeconds(backend, flops);
      if (backend === 'gpu') gpuBytes = Math.max(gpuBytes, gpuMemoryPlan({ ...config, layers }).totalBytes);
      else hostBytes = Math.max(hostBytes, params * (8 + BYTES[backend] * (CPU_ARRAYS + states)));
    }
  }
  // The λ = 0 baseline: one variant on the first backend.
  if (request.baseline && !request.sweep)
    seconds +=
      (config.steps + WARMUP_STEPS) *
      meter.stepSeconds(backends[0], recordedStepFlops(config.layers, config.batch, validationRowCount(config), pageRecordEvery(config.steps)));
  return { seconds, gpuBytes, hostBytes };
}

/** Reasons to ask before starting, or none. `hostMemoryBytes`: what the browser says the machine has (navigator.deviceMemory), if it says. */
export function reasonsToAsk(e: RunEstimate, hostMemoryBytes: number | null): string[] {
  const why: string[] = [];
  if (e.seconds > CONFIRM_SECONDS) why.push(`it is predicted to take about ${Math.round(e.seconds / 60)} min`);
  if (hostMemoryBytes !== null && e.hostBytes > 0.5 * hostMemoryBytes)
    why.push(
      `it needs about ${(e.hostBytes / 2 ** 30).toFixed(1)} GiB of host memory, over half of the ${(hostMemoryBytes / 2 ** 30).toFixed(0)} GiB the browser reports`,
    );
  return why;
}
