/**
 * The form's state as typed (strings), its validation into a runnable request, and its
 * round trip through the URL query (so a link reproduces a run). Validation is the model's
 * own (configErrors), plus what only the page knows: the device's limits and what a
 * browser tab can hold for the CPU backends.
 */
import type { Backend, MlpConfig } from '../model/config';
import { BACKENDS, DEFAULT_CONFIG, MAX_WIDTH, configErrors, parameterCount, parseLayers } from '../model/config';
import { checkGpuFit } from '../bench/backends';
import { CPU_MAX_PARAMETERS } from '../model/cpu-limits';

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

/** The device limits the page checks before a GPU run (a subset of GPUSupportedLimits). */
export interface FitLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

const NUMERIC = ['batch', 'steps', 'lr', 'lambda', 'momentum', 'beta1', 'beta2', 'eps', 'seed', 'trainBatches', 'noise'] as const;

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
    backends: extra.backends ?? ['gpu', 'cpu'],
    sweep: extra.sweep ?? '',
    baseline: extra.baseline ?? true,
  };
}

export const DEFAULT_DRAFT: Readonly<RunDraft> = Object.freeze(draftFromConfig(DEFAULT_CONFIG as MlpConfig));

/** "0.01" → 0.01; "abc" stays "abc" so the validator's message quotes what was typed. */
function numberOrText(s: string): number | string {
  const t = s.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t;
}

/** Replaces every hidden width by `w` (what a sweep does). */
export function withHiddenWidth(layers: readonly number[], w: number): number[] {
  return layers.map((n, i) => (i === 0 || i === layers.length - 1 ? n : w));
}

/**
 * Validates a draft. `limits` are the GPU's (null: no GPU, so GPU limits are not checked);
 * errors name the field; a request comes back only when there are none.
 */
export function checkDraft(draft: RunDraft, limits: FitLimits | null): { request?: RunRequest; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const input: Record<string, unknown> = {
    layers: parseLayers(draft.layers),
    optimizer: draft.optimizer,
    activation: draft.activation,
    loss: draft.loss,
    regularizeBias: draft.regularizeBias,
  };
  for (const k of NUMERIC) input[k] = numberOrText(draft[k]);
  for (const e of configErrors(input)) errors[e.field as keyof RunDraft] = e.message;
  if (draft.layers.trim() === '') errors.layers = 'layers: type the widths, input to output, e.g. 16,32,8';

  let sweep: number[] | null = null;
  if (draft.sweep.trim() !== '') {
    const parsed = parseLayers(draft.sweep);
    const bad = parsed.find((w) => !(typeof w === 'number' && Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH));
    if (bad !== undefined) errors.sweep = `sweep: width ${JSON.stringify(bad)} must be an integer from 1 to ${MAX_WIDTH}`;
    else if (Array.isArray(input.layers) && (input.layers as unknown[]).length < 3)
      errors.sweep = 'sweep: replaces the hidden widths, so the network needs at least one hidden layer';
    else sweep = [...new Set(parsed as number[])].sort((a, b) => a - b);
  }
  if (draft.backends.length === 0) errors.backends = 'backends: tick at least one of GPU, CPU, reference';

  if (!errors.layers && !errors.batch) {
    const layers = input.layers as number[];
    const batch = input.batch as number;
    // A valid sweep is checked at every swept width; otherwise (none, or not yet valid) the layers as typed.
    const shapes = sweep ? sweep.map((w) => withHiddenWidth(layers, w)) : [layers];
    const field: keyof RunDraft = sweep ? 'sweep' : 'layers';
    const limitError = (message: string) => (errors[field] = `${field}: ${message}`);
    // The GPU engine's own plan of its buffers, so the form and the run agree on what fits.
    if (limits && draft.backends.includes('gpu') && !errors.trainBatches && !errors.optimizer) {
      const plan = { batch, trainBatches: input.trainBatches as number, optimizer: input.optimizer as MlpConfig['optimizer'] };
      const problem = shapes.map((shape) => checkGpuFit({ ...plan, layers: shape }, limits)).find((p) => p !== null);
      if (problem) limitError(`does not fit this GPU: ${problem}`);
    }
    const cpu = draft.backends.filter((b) => b !== 'gpu');
    const biggest = Math.max(...shapes.map(parameterCount));
    if (!errors[field] && cpu.length && biggest > CPU_MAX_PARAMETERS)
      limitError(
        `${biggest.toLocaleString('en-US')} parameters is too large for the ${cpu.join(' and ')} backend in a browser tab ` +
          `(at most ${CPU_MAX_PARAMETERS.toLocaleString('en-US')}); untick ${cpu.join(' and ')} or use smaller widths`,
      );
  }

  if (Object.keys(errors).length > 0) return { errors };
  const config = { ...DEFAULT_CONFIG, ...input } as MlpConfig;
  return { errors, request: { config, backends: [...draft.backends], sweep, baseline: draft.baseline } };
}

/** URL query keys follow the CLI's flags (DESIGN.md), so a link and a command line read alike. */
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
  if (!draft.baseline) q.set('baseline', '0');
  return q.toString();
}

/** Reads a draft from a query string; absent keys keep the defaults, and nothing is validated here. */
export function draftFromQuery(search: string, base: RunDraft = DEFAULT_DRAFT): RunDraft {
  const q = new URLSearchParams(search);
  const draft: RunDraft = { ...base, backends: [...base.backends] };
  const text = ['layers', 'batch', 'steps', 'lr', 'lambda', 'optimizer', 'momentum', 'beta1', 'beta2', 'eps', 'activation', 'loss', 'seed', 'trainBatches', 'noise', 'sweep'] as const;
  for (const k of text) {
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
