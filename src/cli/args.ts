/**
 * Command-line flags of `npm run bench`, parsed strictly: an unknown flag, a missing value,
 * a word where a number belongs or a value outside a list is a UsageError naming the flag, the
 * value and what is allowed. No Node imports, so tests call it as a plain function.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import {
  ACTIVATIONS,
  BACKENDS,
  ConfigError,
  DATASETS,
  DEFAULT_CONFIG,
  LOSSES,
  OPTIMIZERS,
  VARIANTS,
  isNumberSyntax,
  parseLayers,
  parseNumber,
  validateConfig,
} from '../model/config';
import { sweepError } from '../bench/runner';
import { DECAY_CONVENTIONS } from '../bench/grid-results';
import { gridFlags } from './grid-args';
import type { GridFlags } from './grid-args';
import { MAX_WORKERS } from '../cpu/fast';
import { DEFAULT_CPU_MAX_WIDTH } from '../model/cpu-limits';
import { DECAY_SCHEDULES, SCHEDULES } from '../model/schedule';

/** A bad command line; the CLI prints `message` and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

export const HELP_HINT = 'Run `npm run bench -- --help` for the flags.';

/** Default time budget: a sweep is a stress test and must end; a single run gets longer. */
export const DEFAULT_MAX_SECONDS = { sweep: 120, single: 300 } as const;
/** The CPU size rule lives in src/model/cpu-limits.ts; re-exported for this module's users. */
export { DEFAULT_CPU_MAX_WIDTH };
/**
 * Layers of a sweep when --layers is not given: docs/DESIGN.md's example, two hidden layers, so the
 * swept width meets itself (a width × width weight matrix) and the stress test reaches the device's
 * buffer limits. The model's default (one small hidden layer) would never stress anything.
 */
export const DEFAULT_SWEEP_LAYERS = [784, 1024, 1024, 10] as const;
/** Layers with --dataset mnist when --layers is not given: 28 × 28 pixels in, ten digits out. */
export const DEFAULT_MNIST_LAYERS = [784, 128, 10] as const;

export interface CliOptions {
  /** The validated run configuration. */
  config: MlpConfig;
  backends: Backend[];
  variants: Variant[];
  sweep: number[] | null;
  /** File to write JSON to, "-" for stdout, null for none. */
  json: string | null;
  csv: string | null;
  /** Seconds for the whole run; null: no budget. */
  maxSeconds: number | null;
  cpuMaxWidth: number | null;
  recordEvery: number | undefined;
  workers: number | undefined;
  gpuMemoryMiB: number | undefined;
  /** A grid run (--grid-lr and --grid-lambda), or null for the plain runner. */
  grid: GridFlags | null;
}

export type { GridFlags } from './grid-args';

export type ParsedArgs = { help: true } | ({ help: false } & CliOptions);

type Kind = 'number' | 'integer' | 'list' | 'enum' | 'enum-list' | 'int-list' | 'path' | 'axis' | 'flag';

interface FlagSpec {
  kind: Kind;
  /** Config field, for flags that set one. */
  field?: keyof MlpConfig;
  values?: readonly string[];
  help: string;
}

const FLAGS: Record<string, FlagSpec> = {
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

function closest(flag: string): string | null {
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

function usage(text: string): never {
  throw new UsageError(`${text}\n${HELP_HINT}`);
}

/** Config fields that take whole numbers: validateConfig says so for 2.5, the parser for "abc". */
const WHOLE = new Set<string>(['--batch', '--steps', '--seed', '--train-batches', '--step-every', '--train-size', '--validation-size']);

function numberFlag(flag: string, value: string, integer: boolean): number {
  const n = parseNumber(value);
  if (typeof n === 'string')
    usage(
      isNumberSyntax(value)
        ? `${flag} ${JSON.stringify(value)}: beyond what a float64 holds (it would read as ${Number(value)})`
        : `${flag} ${JSON.stringify(value)}: not a number (expected ${integer || WHOLE.has(flag) ? 'a whole number, e.g. 64' : 'a number such as 0.01 or 1e-3'})`,
    );
  if (integer && !Number.isInteger(n)) usage(`${flag} ${JSON.stringify(value)}: must be a whole number`);
  return n;
}

function parseEnum(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) usage(`${flag} ${JSON.stringify(value)}: not allowed; use one of ${allowed.join(', ')}`);
  return value;
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses argv (without `node script`). Throws UsageError for anything malformed, and for
 * configuration errors (ConfigError's messages, which name each bad field and value).
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const raw: Partial<Record<keyof MlpConfig, unknown>> = {};
  const seen = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') return { help: true };
    if (!arg.startsWith('--')) usage(`unexpected argument ${JSON.stringify(arg)}: every setting is a --flag (e.g. --batch 64)`);
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[flag];
    if (!spec) {
      const hint = closest(flag);
      usage(`unknown flag ${flag}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    if (flag === '--help') return { help: true };
    if (spec.kind === 'flag') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') usage(`${flag} ${JSON.stringify(v)}: use ${flag} alone, or ${flag}=true / ${flag}=false`);
        seen.set(flag, v === 'true' ? true : 'false');
      } else seen.set(flag, true);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // A following flag is not a value ("--json --csv x"); a negative number ("-1") is.
      if (next === undefined || next.startsWith('--')) usage(`${flag} needs a value (${spec.help})`);
      value = next;
      i++;
    }
    if (value.trim() === '') usage(`${flag} needs a value (${spec.help})`);
    seen.set(flag, value);
  }

  const get = (flag: string) => seen.get(flag);
  for (const [flag, value] of seen) {
    const spec = FLAGS[flag];
    if (!spec.field) continue;
    if (spec.kind === 'flag') raw[spec.field] = value === true;
    else if (spec.kind === 'list') raw[spec.field] = parseLayers(value as string);
    // A list of optimizers is a grid's (gridFlags checks it); the config holds the first.
    else if (spec.kind === 'enum') raw[spec.field] = parseEnum(flag, parseList(value as string)[0] ?? '', spec.values!);
    else raw[spec.field] = numberFlag(flag, value as string, false);
  }

  const enumList = (flag: string, fallback: readonly string[]) => {
    const v = get(flag);
    if (v === undefined) return [...fallback];
    const items = parseList(v as string);
    if (items.length === 0) usage(`${flag} needs at least one of ${FLAGS[flag].values!.join(', ')}`);
    return [...new Set(items.map((item) => parseEnum(flag, item, FLAGS[flag].values!)))];
  };
  const backends = enumList('--backend', ['gpu', 'cpu']) as Backend[];
  const variants = enumList('--variant', VARIANTS) as Variant[];

  let sweep: number[] | null = null;
  if (get('--sweep') !== undefined) {
    const items = parseList(get('--sweep') as string);
    if (items.length === 0) usage('--sweep needs at least one width, e.g. --sweep 256,1024');
    // A width given twice is one width (as on the page): duplicate rows would read as two measurements.
    sweep = [...new Set(items.map((item) => numberFlag('--sweep', item, true)))];
  }
  const optionalInt = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = get(flag);
    if (v === undefined) return undefined;
    const n = numberFlag(flag, v as string, true);
    if (n < min) usage(`${flag} ${n}: must be at least ${min}`);
    if (n > max) usage(`${flag} ${n}: must be at most ${max}`);
    return n;
  };
  const path = (flag: string): string | null => (get(flag) === undefined ? null : (get(flag) as string));

  let maxSeconds: number | null = sweep ? DEFAULT_MAX_SECONDS.sweep : DEFAULT_MAX_SECONDS.single;
  if (get('--max-seconds') !== undefined) {
    const n = numberFlag('--max-seconds', get('--max-seconds') as string, false);
    if (!(n >= 0) || !Number.isFinite(n)) usage(`--max-seconds ${n}: must be a number ≥ 0 (0: no budget)`);
    maxSeconds = n === 0 ? null : n;
  }
  const cpuMax = optionalInt('--cpu-max-width', 0);
  const json = path('--json');
  const csv = path('--csv');
  if (json === '-' && csv === '-') usage('--json - and --csv - both write to stdout; send one of them to a file');

  if (raw.dataset === 'mnist') {
    // MNIST fixes the input and output widths and is a classification task: its own defaults.
    if (raw.layers === undefined) raw.layers = sweep ? [...DEFAULT_SWEEP_LAYERS] : [...DEFAULT_MNIST_LAYERS];
    if (raw.loss === undefined) raw.loss = 'ce';
  }
  if (sweep && raw.layers === undefined) raw.layers = [...DEFAULT_SWEEP_LAYERS];
  let config: MlpConfig;
  try {
    config = validateConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError)
      usage(
        e.errors
          .map((err) => {
            // "batch = 0: must be …" → "--batch 0: must be …", so the message names what was typed.
            const m = /^(\w+) = (.*?): (.*)$/s.exec(err.message);
            return m ? `${flagOf(m[1])} ${m[2]}: ${m[3]}` : err.message;
          })
          .join('\n'),
      );
    throw e;
  }
  const sweepProblem = sweepError(config.layers, sweep);
  if (sweepProblem) usage(`--sweep: ${sweepProblem}`);
  const recordEvery = optionalInt('--record-every', 1);
  const grid = gridFlags(get, enumList, sweep !== null, usage);
  return {
    help: false,
    config,
    backends,
    variants,
    sweep,
    json,
    csv,
    maxSeconds,
    cpuMaxWidth: cpuMax === undefined ? DEFAULT_CPU_MAX_WIDTH : cpuMax === 0 ? null : cpuMax,
    recordEvery,
    // The fast CPU backend runs at most MAX_WORKERS threads: a larger count would be recorded but not run.
    workers: optionalInt('--workers', 1, MAX_WORKERS),
    gpuMemoryMiB: optionalInt('--gpu-memory-mib', 1),
    grid,
  };
}

/** The flag that sets a config field ("trainBatches" → "--train-batches"). */
function flagOf(field: string): string {
  const found = Object.entries(FLAGS).find(([, spec]) => spec.field === field);
  return found ? found[0] : field;
}
