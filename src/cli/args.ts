/**
 * Command-line flags of `npm run bench`, parsed strictly: an unknown flag, a missing value,
 * a word where a number belongs or a value outside a list is a UsageError naming the flag, the
 * value and what is allowed. No Node imports, so tests call it as a plain function.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import { ConfigError, VARIANTS, isNumberSyntax, parseLayers, parseNumber, validateConfig } from '../model/config';
import { sweepError } from '../bench/runner';
import { DEFAULT_MAX_SECONDS, DEFAULT_MNIST_LAYERS, DEFAULT_SWEEP_LAYERS, FLAGS, closest } from './flags';
import { gridFlags } from './grid-args';
import type { GridFlags } from './grid-args';
import { MAX_WORKERS } from '../cpu/fast';
import { DEFAULT_CPU_MAX_WIDTH } from '../model/cpu-limits';

/** A bad command line; the CLI prints `message` and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

export const HELP_HINT = 'Run `npm run bench -- --help` for the flags.';

/** The CPU size rule lives in src/model/cpu-limits.ts; re-exported for this module's users. */
export { DEFAULT_CPU_MAX_WIDTH };
/** The flag table and its help text live in flags.ts; re-exported for this module's users. */
export { DEFAULT_MAX_SECONDS, DEFAULT_MNIST_LAYERS, DEFAULT_SWEEP_LAYERS, helpText } from './flags';

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
