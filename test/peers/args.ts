/**
 * Flags of `npm run bench:peers`, parsed strictly: an unknown flag, a missing value or a bad
 * value is an error naming the flag, the value and what is allowed.
 */
import { ENGINES, type EngineId, type PeerShape } from './protocol';
import type { PeersOptions } from './run-peers';

export const DEFAULT_SHAPES: PeerShape[] = [
  { layers: [256, 512, 512, 10], batch: 128 },
  { layers: [784, 1024, 1024, 10], batch: 64 },
];
/** --quick: a shape small enough that every engine compiles and trains in seconds (CI, the e2e test). */
export const QUICK_SHAPES: PeerShape[] = [{ layers: [32, 64, 64, 8], batch: 16 }];

/** The run's options as the command line gives them, plus where the JSON goes and --help. */
export interface PeersArgs extends Omit<PeersOptions, 'onResult'> {
  json: string | null;
  help: boolean;
}

export const USAGE = `npm run bench:peers -- [flags]
  --shapes LIST    shapes as LAYERS:BATCH separated by '/', e.g. 256,512,512,10:128/784,1024,1024,10:64 (the default)
  --engines LIST   a subset of ${ENGINES.join(',')} (default: all)
  --samples N      timed samples per engine (default 5; --quick 3)
  --rounds N       run every engine N times per shape, in alternating order, each in a fresh page
                   (default 1): the report pools the samples and gives the spread of the N ratios
  --quick          CI-sized: shape ${QUICK_SHAPES.map((s) => `${s.layers.join(',')}:${s.batch}`).join('/')} unless --shapes, 3 samples of ~100 ms
  --json FILE      also write the report as JSON to FILE
  --help           this text`;

export class PeersUsageError extends Error {
  override name = 'PeersUsageError';
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new PeersUsageError(`${flag} ${text}: give an integer ≥ 1`);
  return n;
}

function parseShapes(text: string): PeerShape[] {
  return text.split('/').map((part) => {
    const m = /^(\d+(?:,\d+)+):(\d+)$/.exec(part.trim());
    if (!m) throw new PeersUsageError(`--shapes: "${part}" is not LAYERS:BATCH (e.g. 256,512,512,10:128; two or more widths, then the batch)`);
    const layers = m[1].split(',').map((w) => positiveInteger('--shapes width', w));
    return { layers, batch: positiveInteger('--shapes batch', m[2]) };
  });
}

function parseEngines(text: string): EngineId[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(ENGINES as readonly string[]).includes(n));
  if (bad.length || names.length === 0)
    throw new PeersUsageError(`--engines ${text}: unknown ${bad.join(', ') || '(empty list)'}; known: ${ENGINES.join(', ')}`);
  return [...new Set(names)] as EngineId[];
}

export function parsePeersArgs(argv: readonly string[]): PeersArgs {
  let shapes: PeerShape[] | null = null;
  let engines: EngineId[] = [...ENGINES];
  let samples: number | null = null;
  let rounds = 1;
  let json: string | null = null;
  let quick = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') quick = true;
    else if (flag === '--help' || flag === '-h') help = true;
    else if (['--shapes', '--engines', '--samples', '--rounds', '--json'].includes(flag)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new PeersUsageError(`${flag} needs a value.\n${USAGE}`);
      if (flag === '--shapes') shapes = parseShapes(value);
      else if (flag === '--engines') engines = parseEngines(value);
      else if (flag === '--samples') samples = positiveInteger(flag, value);
      else if (flag === '--rounds') rounds = positiveInteger(flag, value);
      else json = value;
    } else throw new PeersUsageError(`unknown flag ${flag}.\n${USAGE}`);
  }
  return {
    shapes: shapes ?? (quick ? QUICK_SHAPES : DEFAULT_SHAPES),
    engines,
    samples: samples ?? (quick ? 3 : 5),
    sampleMs: quick ? 100 : 400,
    warmupSteps: 2,
    rounds,
    // Generous for a loaded 2-core machine: the slowest engine (TF.js cpu, 784-wide) takes ~1 s a step.
    engineTimeoutS: quick ? 90 : 240,
    json,
    help,
  };
}
