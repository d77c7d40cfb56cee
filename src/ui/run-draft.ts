/**
 * The form's state as typed (strings), its validation into a runnable request, and its
 * round trip through the URL query (so a link reproduces a run). Validation is the model's
 * own (configErrors), plus what only the page knows: the device's limits and what a
 * browser tab can hold for the CPU backends.
 */
import type { Backend, MlpConfig } from '../model/config';
import {
  ACTIVATIONS,
  BACKENDS,
  DATASETS,
  DEFAULT_CONFIG,
  LOSSES,
  MAX_WIDTH,
  OPTIMIZERS,
  configErrors,
  parameterCount,
  parseLayers,
  parseNumber,
} from '../model/config';
import { checkGpuFit } from '../bench/backends';
import { cpuSizeProblem, sweepError, sweepLayers } from '../bench/run-plan';
import { CPU_MAX_PARAMETERS } from '../model/cpu-limits';
import { DECAY_SCHEDULES, SCHEDULES } from '../model/schedule';

/** Every field as the user typed it; checkboxes as booleans. */
export interface RunDraft {
  layers: string;
  batch: string;
  steps: string;
  lr: string;
  lambda: string;
  optimizer: string;
  momentum: string;
  beta1: string;
  beta2: string;
  eps: string;
  activation: string;
  loss: string;
  seed: string;
  regularizeBias: boolean;
  trainBatches: string;
  noise: string;
  schedule: string;
  stepEvery: string;
  stepGamma: string;
  decaySchedule: string;
  dataset: string;
  trainSize: string;
  validationSize: string;
  labelNoise: string;
  backends: Backend[];
  /** Hidden widths to sweep ("" for a single run). */
  sweep: string;
  /** Also run the configuration at λ = 0, for the loss chart's unregularized baseline. */
  baseline: boolean;
}

/** A validated run: what the app hands to the benchmark runner. */
export interface RunRequest {
  config: MlpConfig;
  backends: Backend[];
  sweep: number[] | null;
  baseline: boolean;
}

/** Field name → message, for the form's inline errors. */
export type DraftErrors = Partial<Record<keyof RunDraft, string>>;

/** A swept width a backend will not run, and why (the runner skips it with the same reason). */
export interface SweepSkip {
  width: number;
  backend: Backend;
  reason: string;
}

/** The device limits the page checks before a GPU run (a subset of GPUSupportedLimits). */
export interface FitLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

const NUMERIC = [
  'batch',
  'steps',
  'lr',
  'lambda',
  'momentum',
  'beta1',
  'beta2',
  'eps',
  'seed',
  'trainBatches',
  'noise',
  'stepEvery',
  'stepGamma',
  'trainSize',
  'validationSize',
  'labelNoise',
] as const;

/** The CPU size rule lives in src/model/cpu-limits.ts; re-exported for this module's users. */
export { CPU_MAX_PARAMETERS };

export function draftFromConfig(config: MlpConfig, extra: Partial<Pick<RunDraft, 'backends' | 'sweep' | 'baseline'>> = {}): RunDraft {
  return {
    layers: config.layers.join(','),
    batch: String(config.batch),
    steps: String(config.steps),
    lr: String(config.lr),
    lambda: String(config.lambda),
    optimizer: config.optimizer,
    momentum: String(config.momentum),
    beta1: String(config.beta1),
    beta2: String(config.beta2),
    eps: String(config.eps),
    activation: config.activation,
    loss: config.loss,
    seed: String(config.seed),
    regularizeBias: config.regularizeBias,
    trainBatches: String(config.trainBatches),
    noise: String(config.noise),
    schedule: config.schedule,
    stepEvery: String(config.stepEvery),
    stepGamma: String(config.stepGamma),
    decaySchedule: config.decaySchedule,
    dataset: config.dataset,
    trainSize: String(config.trainSize),
    validationSize: String(config.validationSize),
    labelNoise: String(config.labelNoise),
    backends: extra.backends ?? ['gpu', 'cpu'],
    sweep: extra.sweep ?? '',
    baseline: extra.baseline ?? true,
  };
}

export const DEFAULT_DRAFT: Readonly<RunDraft> = Object.freeze(draftFromConfig(DEFAULT_CONFIG as MlpConfig));

/**
 * Validates a draft. `limits` are the GPU's (null: no GPU, so GPU limits are not checked);
 * errors name the field; a request comes back only when there are none. A single run must
 * fit every backend it asks for; in a sweep, a width that does not fit a backend is skipped
 * there (listed in `skips`, with the runner's own reason) and the rest run.
 */
export function checkDraft(draft: RunDraft, limits: FitLimits | null): { request?: RunRequest; errors: DraftErrors; skips: SweepSkip[] } {
  const errors: DraftErrors = {};
  const skips: SweepSkip[] = [];
  const input: Record<string, unknown> = {
    layers: parseLayers(draft.layers),
    optimizer: draft.optimizer,
    activation: draft.activation,
    loss: draft.loss,
    regularizeBias: draft.regularizeBias,
    schedule: draft.schedule,
    decaySchedule: draft.decaySchedule,
    dataset: draft.dataset,
  };
  for (const k of NUMERIC) input[k] = parseNumber(draft[k]);
  for (const e of configErrors(input)) errors[e.field as keyof RunDraft] = e.message;
  if (draft.layers.trim() === '') errors.layers = 'layers: type the widths, input to output, e.g. 16,32,8';

  let sweep: number[] | null = null;
  if (draft.sweep.trim() !== '') {
    const parsed = parseLayers(draft.sweep);
    const text = parsed.find((w) => typeof w === 'string');
    const layers = Array.isArray(input.layers) && !errors.layers ? (input.layers as number[]) : null;
    // The runner's own sweep rule, once the widths are numbers and the layers valid.
    const problem =
      text !== undefined ? `width ${JSON.stringify(text)} must be an integer from 1 to ${MAX_WIDTH}` : layers && sweepError(layers, parsed as number[]);
    if (problem) errors.sweep = `sweep: ${problem}`;
    else if (layers) sweep = [...new Set(parsed as number[])].sort((a, b) => a - b);
  }
  if (draft.backends.length === 0) errors.backends = 'backends: tick at least one of GPU, CPU, reference';

  const shapeFields = ['layers', 'batch', 'trainBatches', 'optimizer', 'backends', 'dataset', 'trainSize', 'validationSize'] as const;
  if (!shapeFields.some((k) => errors[k])) {
    const layers = input.layers as number[];
    const shape = { ...(input as Pick<MlpConfig, 'batch' | 'trainBatches' | 'optimizer' | 'dataset' | 'trainSize' | 'validationSize'>) };
    // The GPU engine's own plan of its buffers, and the runner's CPU size rule: the form and the run agree.
    const why = (backend: Backend, hidden: number[]): string | null =>
      backend === 'gpu' ? limits && checkGpuFit({ ...shape, layers: hidden }, limits) : cpuSizeProblem(hidden, { cpuMaxParameters: CPU_MAX_PARAMETERS });
    if (sweep) {
      for (const width of sweep)
        for (const backend of draft.backends) {
          const reason = why(backend, sweepLayers(layers, width));
          if (reason) skips.push({ width, backend, reason });
        }
      if (skips.length === sweep.length * draft.backends.length)
        errors.sweep = `sweep: no swept width fits any ticked backend (width ${skips[0].width} on ${skips[0].backend}: ${skips[0].reason})`;
    } else {
      const gpuProblem = draft.backends.includes('gpu') ? why('gpu', layers) : null;
      const cpu = draft.backends.filter((b) => b !== 'gpu');
      if (gpuProblem) errors.layers = `layers: does not fit this GPU: ${gpuProblem}`;
      else if (cpu.length && why(cpu[0], layers))
        errors.layers =
          `layers: ${parameterCount(layers).toLocaleString('en-US')} parameters is too large for the ${cpu.join(' and ')} backend in a browser tab ` +
          `(at most ${CPU_MAX_PARAMETERS.toLocaleString('en-US')}); untick ${cpu.join(' and ')} or use smaller widths`;
    }
  }

  if (Object.keys(errors).length > 0) return { errors, skips };
  const config = { ...DEFAULT_CONFIG, ...input } as MlpConfig;
  return { errors, skips, request: { config, backends: [...draft.backends], sweep, baseline: draft.baseline && !sweep } };
}

const QUERY_TEXT_KEYS = [
  'layers',
  'batch',
  'steps',
  'lr',
  'lambda',
  'optimizer',
  'momentum',
  'beta1',
  'beta2',
  'eps',
  'activation',
  'loss',
  'seed',
  'trainBatches',
  'noise',
  'schedule',
  'stepEvery',
  'stepGamma',
  'decaySchedule',
  'dataset',
  'trainSize',
  'validationSize',
  'labelNoise',
  'sweep',
] as const;
/** Every key the page's URL query reads (the fuzz test draws from these). */
export const QUERY_KEYS = new Set<string>([...QUERY_TEXT_KEYS, 'backend', 'regularizeBias', 'baseline']);
const BOOLEAN_TEXT = ['true', 'false', '1', '0'];

/** URL query keys follow the CLI's flags (docs/DESIGN.md), so a link and a command line read alike. */
export function draftToQuery(draft: RunDraft): string {
  const q = new URLSearchParams();
  q.set('layers', draft.layers.replace(/\s+/g, ''));
  for (const k of ['batch', 'steps', 'lr', 'lambda', 'optimizer'] as const) q.set(k, draft[k].trim());
  // The optimizer's own settings always; the others when changed, so the link reproduces the whole config.
  if (draft.optimizer === 'momentum' || draft.momentum.trim() !== DEFAULT_DRAFT.momentum) q.set('momentum', draft.momentum.trim());
  for (const k of ['beta1', 'beta2', 'eps'] as const) if (draft.optimizer === 'adam' || draft[k].trim() !== DEFAULT_DRAFT[k]) q.set(k, draft[k].trim());
  for (const k of ['activation', 'loss', 'seed'] as const) q.set(k, draft[k].trim());
  q.set('backend', draft.backends.join(','));
  if (draft.sweep.trim()) q.set('sweep', draft.sweep.replace(/\s+/g, ''));
  // Rarely changed settings only appear when they differ from the defaults: shorter links.
  if (draft.regularizeBias !== DEFAULT_DRAFT.regularizeBias) q.set('regularizeBias', String(draft.regularizeBias));
  if (draft.trainBatches.trim() !== DEFAULT_DRAFT.trainBatches) q.set('trainBatches', draft.trainBatches.trim());
  if (draft.noise.trim() !== DEFAULT_DRAFT.noise) q.set('noise', draft.noise.trim());
  // The schedule when it is not constant, with its settings; the decay convention when not the default.
  if (draft.schedule !== DEFAULT_DRAFT.schedule) q.set('schedule', draft.schedule);
  for (const k of ['stepEvery', 'stepGamma'] as const) if (draft.schedule === 'step' || draft[k].trim() !== DEFAULT_DRAFT[k]) q.set(k, draft[k].trim());
  if (draft.decaySchedule !== DEFAULT_DRAFT.decaySchedule) q.set('decaySchedule', draft.decaySchedule);
  // The dataset and its sizes when it is MNIST (the teacher does not read the sizes).
  if (draft.dataset !== DEFAULT_DRAFT.dataset) {
    q.set('dataset', draft.dataset);
    for (const k of ['trainSize', 'validationSize'] as const) q.set(k, draft[k].trim());
  }
  // Label noise when set (any dataset: on the teacher its field says it must be 0, not dropped silently).
  if (draft.labelNoise.trim() !== DEFAULT_DRAFT.labelNoise) q.set('labelNoise', draft.labelNoise.trim());
  if (!draft.baseline) q.set('baseline', '0');
  return q.toString();
}

/** Reads a draft from a query string; absent keys keep the defaults, and nothing is validated here. */
export function draftFromQuery(search: string, base: RunDraft = DEFAULT_DRAFT): RunDraft {
  const q = new URLSearchParams(search);
  const draft: RunDraft = { ...base, backends: [...base.backends] };
  for (const k of QUERY_TEXT_KEYS) {
    const v = q.get(k);
    if (v !== null) draft[k] = v;
  }
  const backends = q.get('backend');
  if (backends !== null)
    draft.backends = backends
      .split(',')
      .map((s) => s.trim())
      .filter((s): s is Backend => (BACKENDS as readonly string[]).includes(s));
  const bias = q.get('regularizeBias');
  if (bias !== null) draft.regularizeBias = bias === 'true' || bias === '1';
  const baseline = q.get('baseline');
  if (baseline !== null) draft.baseline = !(baseline === '0' || baseline === 'false');
  return draft;
}

/**
 * What in a link the page could not take as given: unknown keys, unknown backends, choices
 * and switches that are none of the allowed values. Numbers are kept as typed and their
 * fields say what is wrong; these would otherwise fall back silently.
 */
export function queryNotices(search: string): string[] {
  const q = new URLSearchParams(search);
  const notices: string[] = [];
  const unknown = [...new Set(q.keys())].filter((k) => !QUERY_KEYS.has(k));
  if (unknown.length) notices.push(`ignored unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  const backends = q.get('backend');
  const badBackends =
    backends
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s && !(BACKENDS as readonly string[]).includes(s)) ?? [];
  if (badBackends.length) notices.push(`backend ${badBackends.map((b) => JSON.stringify(b)).join(', ')} dropped (known: ${BACKENDS.join(', ')})`);
  const choices = {
    optimizer: OPTIMIZERS,
    activation: ACTIVATIONS,
    loss: LOSSES,
    schedule: SCHEDULES,
    decaySchedule: DECAY_SCHEDULES,
    dataset: DATASETS,
  } as const;
  for (const [key, allowed] of Object.entries(choices)) {
    const v = q.get(key);
    if (v !== null && !(allowed as readonly string[]).includes(v)) notices.push(`${key} = ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  }
  for (const key of ['regularizeBias', 'baseline']) {
    const v = q.get(key);
    if (v !== null && !BOOLEAN_TEXT.includes(v))
      notices.push(`${key} = ${JSON.stringify(v)} read as ${key === 'baseline' ? 'on' : 'off'} (use true or false)`);
  }
  return notices;
}
