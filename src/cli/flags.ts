/**
 * The flags of `npm run bench`: each one's kind, the config field it sets and its help line, the
 * help text built from them, the defaults the help states, and the nearest known flag for a typo.
 * args.ts parses a command line against this table. No Node imports.
 */
import type { MlpConfig } from '../model/config';
import { ACTIVATIONS, BACKENDS, DATASETS, DEFAULT_CONFIG, LOSSES, MAX_LABEL_NOISE, OPTIMIZERS, VARIANTS } from '../model/config';
import { DECAY_CONVENTIONS } from '../bench/grid-results';
import { MAX_WORKERS } from '../cpu/fast';
import { DEFAULT_CPU_MAX_WIDTH } from '../model/cpu-limits';
import { DECAY_SCHEDULES, SCHEDULES } from '../model/schedule';

/** Default time budget: a sweep is a stress test and must end; a single run gets longer. */
export const DEFAULT_MAX_SECONDS = { sweep: 120, single: 300 } as const;
/**
 * Layers of a sweep when --layers is not given: docs/DESIGN.md's example, two hidden layers, so the
 * swept width meets itself (a width × width weight matrix) and the stress test reaches the device's
 * buffer limits. The model's default (one small hidden layer) would never stress anything.
 */
export const DEFAULT_SWEEP_LAYERS = [784, 1024, 1024, 10] as const;
/** Layers with --dataset mnist when --layers is not given: 28 × 28 pixels in, ten digits out. */
export const DEFAULT_MNIST_LAYERS = [784, 128, 10] as const;

export type Kind = 'number' | 'integer' | 'list' | 'enum' | 'enum-list' | 'int-list' | 'path' | 'axis' | 'flag';

export interface FlagSpec {
  kind: Kind;
  /** Config field, for flags that set one. */
  field?: keyof MlpConfig;
  values?: readonly string[];
  help: string;
}

export const FLAGS: Record<string, FlagSpec> = {
  '--layers': {
    kind: 'list',
    field: 'layers',
    help: `widths, input to output (default ${DEFAULT_CONFIG.layers.join(',')}; with --sweep ${DEFAULT_SWEEP_LAYERS.join(',')}; with --dataset mnist ${DEFAULT_MNIST_LAYERS.join(',')})`,
  },
  '--batch': { kind: 'number', field: 'batch', help: `rows per mini-batch (default ${DEFAULT_CONFIG.batch})` },
  '--steps': { kind: 'number', field: 'steps', help: `training steps per cell (default ${DEFAULT_CONFIG.steps})` },
  '--lr': { kind: 'number', field: 'lr', help: `learning rate η (default ${DEFAULT_CONFIG.lr})` },
  '--lambda': { kind: 'number', field: 'lambda', help: `L2 coefficient λ; decay uses α = η·λ (default ${DEFAULT_CONFIG.lambda})` },
  '--seed': { kind: 'number', field: 'seed', help: `seed for data and initial weights (default ${DEFAULT_CONFIG.seed})` },
  '--optimizer': {
    kind: 'enum',
    field: 'optimizer',
    values: OPTIMIZERS,
    help: `${OPTIMIZERS.join('|')} (default ${DEFAULT_CONFIG.optimizer}; a list for a grid)`,
  },
  '--momentum': { kind: 'number', field: 'momentum', help: `momentum μ (default ${DEFAULT_CONFIG.momentum})` },
  '--beta1': { kind: 'number', field: 'beta1', help: `Adam β1 (default ${DEFAULT_CONFIG.beta1})` },
  '--beta2': { kind: 'number', field: 'beta2', help: `Adam β2 (default ${DEFAULT_CONFIG.beta2})` },
  '--eps': { kind: 'number', field: 'eps', help: `Adam ε (default ${DEFAULT_CONFIG.eps})` },
  '--activation': { kind: 'enum', field: 'activation', values: ACTIVATIONS, help: `${ACTIVATIONS.join('|')} (default ${DEFAULT_CONFIG.activation})` },
  '--loss': { kind: 'enum', field: 'loss', values: LOSSES, help: `${LOSSES.join('|')} (default ${DEFAULT_CONFIG.loss}; with --dataset mnist ce)` },
  '--dataset': {
    kind: 'enum',
    field: 'dataset',
    values: DATASETS,
    help: `${DATASETS.join('|')}: teacher MLP or MNIST digits (default ${DEFAULT_CONFIG.dataset})`,
  },
  '--train-size': {
    kind: 'number',
    field: 'trainSize',
    help: `MNIST training rows, a multiple of --batch (default ${DEFAULT_CONFIG.trainSize}; the teacher uses --train-batches)`,
  },
  '--validation-size': { kind: 'number', field: 'validationSize', help: `MNIST validation rows (default ${DEFAULT_CONFIG.validationSize})` },
  '--label-noise': {
    kind: 'number',
    field: 'labelNoise',
    help: `MNIST: fraction of training rows given a wrong label, 0 to ${MAX_LABEL_NOISE} (default ${DEFAULT_CONFIG.labelNoise})`,
  },
  '--regularize-bias': { kind: 'flag', field: 'regularizeBias', help: 'also regularize biases (default: weights only)' },
  '--train-batches': { kind: 'number', field: 'trainBatches', help: `distinct training mini-batches, cycled (default ${DEFAULT_CONFIG.trainBatches})` },
  '--noise': { kind: 'number', field: 'noise', help: `std of the noise on regression targets (default ${DEFAULT_CONFIG.noise})` },
  '--schedule': {
    kind: 'enum',
    field: 'schedule',
    values: SCHEDULES,
    help: `learning-rate schedule η_t, ${SCHEDULES.join('|')} (default ${DEFAULT_CONFIG.schedule})`,
  },
  '--step-every': {
    kind: 'number',
    field: 'stepEvery',
    help: `step schedule: η is multiplied by the step γ every S steps (default ${DEFAULT_CONFIG.stepEvery})`,
  },
  '--step-gamma': { kind: 'number', field: 'stepGamma', help: `step schedule: the factor γ, in (0, 1] (default ${DEFAULT_CONFIG.stepGamma})` },
  '--decay-schedule': {
    kind: 'enum',
    field: 'decaySchedule',
    values: DECAY_SCHEDULES,
    help: `tracks: α_t = η_t·λ; fixed: α = η·λ at every step (default ${DEFAULT_CONFIG.decaySchedule})`,
  },
  '--backend': { kind: 'enum-list', values: BACKENDS, help: 'any of gpu,cpu,reference, comma-separated (default gpu,cpu)' },
  '--variant': { kind: 'enum-list', values: VARIANTS, help: 'l2, decay or both (default l2,decay)' },
  '--sweep': { kind: 'int-list', help: 'hidden widths; each replaces every hidden width in turn, e.g. 256,1024,4096' },
  '--grid-lr': { kind: 'axis', help: 'a grid run: learning rates, a..b:n log-spaced (1e-3..1e0:6) or a list' },
  '--grid-lambda': { kind: 'axis', help: "the grid's strengths: λ for L2, and α/η or α for decay (1e-5..1e-1:6)" },
  '--grid-decay': { kind: 'enum-list', values: DECAY_CONVENTIONS, help: 'the decay axis: alpha-over-lr (PyTorch), alpha (the paper) or both (default)' },
  '--json': { kind: 'path', help: 'write results as JSON to FILE, or - for stdout (tables then go to stderr)' },
  '--csv': { kind: 'path', help: 'write results as CSV to FILE, or - for stdout' },
  '--max-seconds': {
    kind: 'number',
    help: `time budget of the whole run; 0 for none (default ${DEFAULT_MAX_SECONDS.sweep} with --sweep, else ${DEFAULT_MAX_SECONDS.single})`,
  },
  '--cpu-max-width': { kind: 'integer', help: `skip CPU backends when a layer is wider; 0 for no limit (default ${DEFAULT_CPU_MAX_WIDTH})` },
  '--record-every': { kind: 'integer', help: 'record norms/losses every k steps; one timing sample per k steps (default steps/50)' },
  '--workers': { kind: 'integer', help: `worker threads for the fast CPU backend, 1 to ${MAX_WORKERS} (default: its own choice)` },
  '--gpu-memory-mib': { kind: 'integer', help: 'GPU memory budget in MiB (default: half the free RAM on a software adapter, none on a GPU)' },
  '--help': { kind: 'flag', help: 'show this help' },
};

/** What a flag's value looks like in the help, by kind. */
const ARG_TEXT: Partial<Record<Kind, string>> = { flag: '', path: ' FILE|-', axis: ' a..b:n|A,B', enum: ' NAME' };

export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([flag, spec]) => {
    const arg = ARG_TEXT[spec.kind] ?? (spec.kind.endsWith('list') ? ' A,B,…' : ' N');
    return `  ${(flag + arg).padEnd(26)} ${spec.help}`;
  });
  return [
    'Usage: npm run bench -- [flags]',
    '',
    'Trains an MLP with L2 regularization (λ) and with weight decay (α = η·λ) on each backend,',
    'times the steps (median and p10–p90 over chunks, after warm-up) and reports how far the',
    'two variants agree, per layer. Under plain SGD they should agree to rounding.',
    '',
    'Flags (also --flag=value):',
    ...rows,
    '',
    'Examples:',
    '  npm run bench -- --backend reference --layers 16,32,8',
    '  npm run bench -- --backend reference --layers 16,32,8 --optimizer adam',
    '  npm run bench -- --schedule cosine --decay-schedule fixed   # under SGD, L2 and a fixed α part',
    '  npm run bench -- --sweep 64,256,1024,4096 --json sweep.json --csv sweep.csv',
    '  npm run bench -- --dataset mnist --train-size 1024 --validation-size 5000 --backend cpu',
    '  npm run bench -- --backend cpu --optimizer sgd,adam --grid-lr 1e-3..1e0:6 --grid-lambda 1e-5..1e-1:6',
    '',
    'Exit status: 0 on success (skipped cells say why), 2 for a bad command line, 1 when the run fails.',
  ].join('\n');
}

/** The known flag nearest to a mistyped one, or null. */
export function closest(flag: string): string | null {
  // Levenshtein distance ≤ 2, or a prefix: enough to catch "--bach" and "--optim".
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | null = null;
  let bestD = 3;
  for (const known of Object.keys(FLAGS)) {
    const d = known.startsWith(flag) && flag.length > 3 ? 0 : dist(flag, known);
    if (d < bestD) [best, bestD] = [known, d];
  }
  return best;
}
