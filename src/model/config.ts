import { DECAY_SCHEDULES, SCHEDULES, type DecaySchedule, type ScheduleName } from './schedule';

/**
 * The run configuration and its validation. Every backend, the CLI and the page's form
 * go through `validateConfig`: a bad value is rejected with the field, the value and
 * what is allowed, never clamped.
 */

import { MNIST_CLASSES, MNIST_IMAGES, MNIST_INPUTS } from './mnist';

export const ACTIVATIONS = ['tanh', 'relu'] as const;
export const LOSSES = ['mse', 'ce'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
/** `l2`: coupled penalty (λ/2)‖W‖² in the gradient; `decay`: decoupled (1 − α)·w with α = η·λ. */
export const VARIANTS = ['l2', 'decay'] as const;
export const BACKENDS = ['gpu', 'cpu', 'reference'] as const;
/** `teacher`: synthetic rows from a seeded teacher MLP; `mnist`: the MNIST digits asset (docs/RULES.md, "Data"). */
export const DATASETS = ['teacher', 'mnist'] as const;

export type Activation = (typeof ACTIVATIONS)[number];
export type Loss = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type Variant = (typeof VARIANTS)[number];
export type Backend = (typeof BACKENDS)[number];
export type DatasetName = (typeof DATASETS)[number];

export interface MlpConfig {
  /** Layer widths n_0 … n_L, input to output. */
  layers: number[];
  /** Rows per mini-batch, B. */
  batch: number;
  /** Training steps per run. */
  steps: number;
  /** Learning rate η. */
  lr: number;
  /** L2 coefficient λ; the decay variant uses α = η·λ. */
  lambda: number;
  optimizer: OptimizerName;
  /** Momentum μ (optimizer `momentum`). */
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  activation: Activation;
  loss: Loss;
  seed: number;
  /** Also regularize biases (docs/RULES.md: weights only, unless configured). */
  regularizeBias: boolean;
  /** Distinct mini-batches in the training set; step t uses batch (t − 1) mod trainBatches. */
  trainBatches: number;
  /** Standard deviation of the Gaussian noise added to regression targets. */
  noise: number;
  /** Learning-rate schedule η_t (docs/RULES.md, Schedules); `constant` keeps η_t = η. */
  schedule: ScheduleName;
  /** `step` schedule: η is multiplied by `stepGamma` after every `stepEvery` steps. */
  stepEvery: number;
  stepGamma: number;
  /** How the decay follows the schedule: `tracks` α_t = η_t·λ, `fixed` α = η·λ (η the base rate). */
  decaySchedule: DecaySchedule;
  /** Where the rows come from: the teacher MLP, or the MNIST digits. */
  dataset: DatasetName;
  /** MNIST training rows (a multiple of batch); step t uses batch (t − 1) mod (trainSize / batch). Teacher: unused. */
  trainSize: number;
  /** MNIST validation rows. Teacher: unused (its validation set is one batch). */
  validationSize: number;
  /**
   * MNIST: the fraction of training rows whose label is replaced by a different, seeded class
   * (round(labelNoise × trainSize) rows; validation rows never). Teacher: must be 0.
   */
  labelNoise: number;
}

export const DEFAULT_CONFIG: Readonly<MlpConfig> = Object.freeze({
  layers: [16, 32, 8],
  batch: 32,
  steps: 200,
  lr: 0.01,
  lambda: 1e-3,
  optimizer: 'sgd',
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  activation: 'tanh',
  loss: 'mse',
  seed: 1,
  regularizeBias: false,
  trainBatches: 4,
  noise: 0.1,
  schedule: 'constant',
  stepEvery: 100,
  stepGamma: 0.1,
  decaySchedule: 'tracks',
  dataset: 'teacher',
  trainSize: 1024,
  validationSize: 5000,
  labelNoise: 0,
});

type DataShape = Pick<MlpConfig, 'dataset' | 'batch' | 'trainBatches' | 'trainSize' | 'validationSize'>;

/** Distinct mini-batches of the training set, cycled: step t uses batch (t − 1) mod this (docs/RULES.md, "Data"). */
export function trainBatchCount(config: DataShape): number {
  return config.dataset === 'mnist' ? config.trainSize / config.batch : config.trainBatches;
}

/** Rows of the training set: trainBatches × batch (teacher) or trainSize (MNIST). */
export function trainRowCount(config: DataShape): number {
  return trainBatchCount(config) * config.batch;
}

/** Rows of the validation set: one batch (teacher) or validationSize (MNIST). */
export function validationRowCount(config: DataShape): number {
  return config.dataset === 'mnist' ? config.validationSize : config.batch;
}

/** Largest layer width we accept at all; device limits are checked separately, per backend. */
export const MAX_WIDTH = 1 << 20;
export const MAX_LAYERS = 64;

/** α = η·λ: the decay factor paired with the L2 coefficient (docs/RULES.md, "The pairing"). */
export function decayAlpha(config: Pick<MlpConfig, 'lr' | 'lambda'>): number {
  return config.lr * config.lambda;
}

export interface FieldError {
  field: keyof MlpConfig | string;
  message: string;
}

/** One or more bad fields; `message` lists them all, `errors` has one entry per field. */
export class ConfigError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ConfigError';
  }
}

/** A value as a message names it; never throws (objects without a prototype, cycles, symbols). */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) {
    if (depth > 1) return '[…]';
    const shown = value.slice(0, 8).map((v) => show(v, depth + 1));
    return `[${shown.join(', ')}${value.length > 8 ? `, … ${value.length} in all` : ''}]`;
  }
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

type Check = (value: unknown) => string | null;

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

function integerIn(min: number, max: number): Check {
  return (v) => (isNumber(v) && Number.isInteger(v) && v >= min && v <= max ? null : `must be an integer from ${min} to ${max}`);
}

function finiteAbove(min: number, inclusive: boolean): Check {
  return (v) => (isNumber(v) && Number.isFinite(v) && (inclusive ? v >= min : v > min) ? null : `must be a finite number ${inclusive ? '≥' : '>'} ${min}`);
}

function halfOpenUnit(v: unknown): string | null {
  return isNumber(v) && v >= 0 && v < 1 ? null : 'must be a number in [0, 1)';
}

function unitInterval(v: unknown): string | null {
  return isNumber(v) && v > 0 && v <= 1 ? null : 'must be a number in (0, 1]';
}

function oneOf(names: readonly string[]): Check {
  return (v) => (typeof v === 'string' && names.includes(v) ? null : `must be one of ${names.join(', ')}`);
}

function checkLayers(v: unknown): string | null {
  if (!Array.isArray(v)) return 'must be a list of layer widths, e.g. 784,256,10';
  if (v.length < 2 || v.length > MAX_LAYERS + 1) return `must list from 2 to ${MAX_LAYERS + 1} widths (input, hidden…, output)`;
  const bad = v.findIndex((w) => !(isNumber(w) && Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH));
  return bad < 0 ? null : `width ${bad + 1} (${show(v[bad])}) must be an integer from 1 to ${MAX_WIDTH}`;
}

/** Largest labelNoise: at 0.9 a tenth of the rows keep their label, about what chance gives a class anyway. */
export const MAX_LABEL_NOISE = 0.9;

const CHECKS: { [K in keyof MlpConfig]: Check } = {
  layers: checkLayers,
  batch: integerIn(1, 1 << 20),
  steps: integerIn(1, 10_000_000),
  lr: finiteAbove(0, false),
  lambda: finiteAbove(0, true),
  optimizer: oneOf(OPTIMIZERS),
  momentum: halfOpenUnit,
  beta1: halfOpenUnit,
  beta2: halfOpenUnit,
  eps: finiteAbove(0, false),
  activation: oneOf(ACTIVATIONS),
  loss: oneOf(LOSSES),
  seed: integerIn(0, 0xffffffff),
  regularizeBias: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  trainBatches: integerIn(1, 1024),
  noise: finiteAbove(0, true),
  schedule: oneOf(SCHEDULES),
  stepEvery: integerIn(1, 10_000_000),
  stepGamma: unitInterval,
  decaySchedule: oneOf(DECAY_SCHEDULES),
  dataset: oneOf(DATASETS),
  trainSize: integerIn(1, MNIST_IMAGES),
  validationSize: integerIn(1, MNIST_IMAGES),
  labelNoise: (v) =>
    isNumber(v) && v >= 0 && v <= MAX_LABEL_NOISE ? null : `must be a number from 0 to ${MAX_LABEL_NOISE} (a fraction of the training rows)`,
};

/** What the dataset asks of the other fields; run only once each field is valid on its own. */
function datasetErrors(c: MlpConfig, labelNoiseValid: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const say = (field: keyof MlpConfig, message: string) => errors.push({ field, message: `${field} = ${show(c[field])}: ${message}` });
  if (c.dataset !== 'mnist') {
    if (labelNoiseValid && c.labelNoise !== 0)
      say('labelNoise', 'must be 0 with dataset teacher (label noise is for dataset mnist; the teacher has --noise for regression targets)');
    return errors;
  }
  const L = c.layers.length - 1;
  if (c.layers[0] !== MNIST_INPUTS || c.layers[L] !== MNIST_CLASSES)
    say('layers', `with dataset mnist must start at ${MNIST_INPUTS} (28 × 28 pixels) and end at ${MNIST_CLASSES} (digits), e.g. 784,512,10`);
  if (c.loss !== 'ce') say('loss', 'with dataset mnist must be ce (the digits are classes)');
  if (c.trainSize % c.batch !== 0) {
    const below = Math.floor(c.trainSize / c.batch) * c.batch;
    const near = [below, below + c.batch].filter((n) => n >= 1 && n <= MNIST_IMAGES);
    say('trainSize', `with dataset mnist must be a multiple of batch (${c.batch}), e.g. ${near.join(' or ')}`);
  }
  if (c.trainSize + c.validationSize > MNIST_IMAGES)
    say('validationSize', `with trainSize ${c.trainSize} must be at most ${MNIST_IMAGES - c.trainSize}: the MNIST asset holds ${MNIST_IMAGES} images`);
  return errors;
}

/** Checks every field; returns one error per bad field (empty when the config is valid). */
export function configErrors(input: Partial<Record<keyof MlpConfig, unknown>>): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of Object.keys(CHECKS) as (keyof MlpConfig)[]) {
    const value = input[field];
    const problem = CHECKS[field](value);
    if (problem) errors.push({ field, message: `${field} = ${show(value)}: ${problem}` });
  }
  // The dataset's demands on other fields, once the fields they read are valid on their own.
  // labelNoise is not among them: its own error must not hide the sizes' (it is only checked against the dataset when valid).
  const read = ['dataset', 'layers', 'loss', 'batch', 'trainSize', 'validationSize'];
  if (!errors.some((e) => read.includes(e.field))) errors.push(...datasetErrors(input as MlpConfig, !errors.some((e) => e.field === 'labelNoise')));
  return errors;
}

/**
 * Fills unset fields from DEFAULT_CONFIG, then validates; throws ConfigError naming
 * every bad field. Unknown fields are rejected too (a typo must not be silently ignored).
 */
export function validateConfig(input: unknown): MlpConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ConfigError([{ field: 'config', message: `config = ${show(input)}: must be an object of settings, e.g. { layers: [16, 32, 8] }` }]);
  // Own keys only: an inherited name (toString, constructor) or a JSON "__proto__" is not a setting.
  const given = input as Record<string, unknown>;
  const own = Object.keys(given);
  const errors: FieldError[] = own
    .filter((k) => !Object.hasOwn(CHECKS, k) && k !== 'alpha')
    .map((field) => ({
      field,
      message: `${field.length > 40 ? `${field.slice(0, 40)}…` : field}: unknown setting (known: ${Object.keys(CHECKS).join(', ')})`,
    }));
  // alpha is derived (α = η·λ) and never read, but a results file carries it: typed, then dropped.
  if (own.includes('alpha') && given.alpha !== undefined && !(isNumber(given.alpha) && Number.isFinite(given.alpha)))
    errors.push({ field: 'alpha', message: `alpha = ${show(given.alpha)}: must be a finite number (it is derived as lr × lambda)` });
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const k of own) if (Object.hasOwn(CHECKS, k) && given[k] !== undefined) merged[k] = given[k];
  errors.push(...configErrors(merged as Record<keyof MlpConfig, unknown>));
  if (errors.length > 0) throw new ConfigError(errors);
  const config = merged as unknown as MlpConfig;
  return { ...config, layers: [...config.layers] };
}

/** The one number syntax of form fields, URL values and CLI flags: a decimal with an optional exponent. */
const NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when `text` is written as a number (whether or not a float64 can hold it). */
export function isNumberSyntax(text: string): boolean {
  return NUMBER_SYNTAX.test(text.trim());
}

/**
 * Text → number, the one parser of the page, the URL and the CLI. What is not a number, or
 * is one a float64 cannot hold (1e-400 would round to 0, a 5000-digit one to Infinity),
 * stays the trimmed text, so validation quotes what was typed instead of a rounded value.
 */
export function parseNumber(text: string): number | string {
  const t = text.trim();
  if (!NUMBER_SYNTAX.test(t)) return t;
  const n = Number(t);
  const nonzeroDigits = /[1-9]/.test(t.replace(/[eE].*$/, ''));
  return Number.isFinite(n) && (n !== 0 || !nonzeroDigits) ? n : t;
}

/**
 * Parses "784,256,10" into widths. A token that is not a number stays a string, so
 * validation can name it as typed ("width 2 (\"abc\") must be an integer …").
 */
export function parseLayers(text: string): Array<number | string> {
  return text
    .split(/[,\s]+/)
    .filter((s) => s.length > 0)
    .map(parseNumber);
}

/** Number of trainable parameters (weights and biases). */
export function parameterCount(layers: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < layers.length; l++) n += layers[l - 1] * layers[l] + layers[l];
  return n;
}
