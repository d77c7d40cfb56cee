/**
 * Property-based fuzzing of every place outside input enters (issue 10, "A fuzz suite"):
 * validateConfig, the CLI flag parser, parseResultsJson and the page's URL query. Random and
 * hostile values must give a valid result or the input layer's own named error — never another
 * exception kind, a hang or a changed global. Seeded (a failure reprints its seed and path),
 * bounded by runs and by time, in the unit layer so `npm test` and CI run it.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultsFormatError, parseResultsJson, toJson } from '../../src/bench/export';
import { SCHEMA, emptyRow } from '../../src/bench/results';
import { UsageError, parseArgs } from '../../src/cli/args';
import { ConfigError, DEFAULT_CONFIG, configErrors, validateConfig } from '../../src/model/config';
import { DEFAULT_DRAFT, QUERY_KEYS, checkDraft, draftFromQuery, draftToQuery } from '../../src/ui/run-draft';

/** Each property: this many cases at most, and never more than this many ms (then it stops, passing). */
const RUNS = { seed: 20_261_202, numRuns: 400, interruptAfterTimeLimit: 4_000, markInterruptAsFailure: false } as const;

const FIELDS = Object.keys(DEFAULT_CONFIG);
/** Names that have broken validators elsewhere: prototype keys, Object methods, look-alikes of real fields. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'alpha', 'layers ', 'Layers', ''];
const HOSTILE_VALUES: unknown[] = [
  null,
  undefined,
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1e308,
  -1e-308,
  2 ** 53,
  '',
  ' ',
  '1',
  '1e3',
  'NaN',
  'true',
  [],
  [[]],
  [0],
  [4, -6, 3.5],
  {},
  Object.create(null),
  true,
  false,
  'x'.repeat(10_000),
];

const value = fc.oneof(
  fc.constantFrom(...HOSTILE_VALUES),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true, withBoxedValues: true, withSparseArray: true }),
);
const configLike = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS, ...HOSTILE_KEYS), fc.string()), value, { maxKeys: 8 });

/** Object.prototype's own names and Array.prototype's, to see that nothing was added or replaced. */
function globalsSnapshot(): string {
  const names = (o: object) => Reflect.ownKeys(o).map(String).sort().join(',');
  return `${names(Object.prototype)}|${names(Array.prototype)}|${String(Object.prototype.toString)}`;
}
let before = '';
beforeEach(() => {
  before = globalsSnapshot();
});
afterEach(() => {
  expect(globalsSnapshot()).toBe(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** Runs `f`; passes when it returns or throws one of `allowed`, and fails with the other error. */
function onlyNamedErrors<T>(f: () => T, allowed: (new (...a: never[]) => Error)[]): T | Error {
  try {
    return f();
  } catch (e) {
    if (allowed.some((kind) => e instanceof kind)) {
      expect((e as Error).message.length).toBeGreaterThan(0);
      return e as Error;
    }
    throw e;
  }
}

describe('fuzz: validateConfig', () => {
  it('any value: a config that passes its own rules, or a ConfigError', () => {
    fc.assert(
      fc.property(fc.oneof(configLike, value), (input) => {
        const out = onlyNamedErrors(() => validateConfig(input), [ConfigError]);
        if (!(out instanceof Error)) {
          expect(configErrors(out)).toEqual([]);
          expect(Object.keys(out).sort()).toEqual([...FIELDS].sort());
        }
      }),
      RUNS,
    );
  });

  it('a valid config with one field replaced by a random value: still one of the two, and the error names that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), value, (field, v) => {
        const out = onlyNamedErrors(() => validateConfig({ [field]: v }), [ConfigError]);
        if (out instanceof ConfigError) expect(out.errors.map((e) => e.field)).toEqual([field]);
      }),
      RUNS,
    );
  });
});

describe('fuzz: CLI flags', () => {
  const FLAG_NAMES = [
    '--layers',
    '--batch',
    '--steps',
    '--lr',
    '--lambda',
    '--seed',
    '--optimizer',
    '--momentum',
    '--eps',
    '--activation',
    '--loss',
    '--regularize-bias',
    '--backend',
    '--variant',
    '--sweep',
    '--json',
    '--csv',
    '--max-seconds',
    '--cpu-max-width',
    '--record-every',
    '--workers',
    '--gpu-memory-mib',
    '--train-batches',
    '--noise',
    '--bogus',
    '-h',
    '--',
  ];
  const word = fc.oneof(
    fc.constantFrom(...FLAG_NAMES),
    fc.constantFrom('0', '-1', '1e9', '1e400', 'NaN', '64,64', '8,abc', 'adam', 'gpu,tpu', '', ' ', '=', '-', '1.5', '0x10', '١٢'),
    fc.string({ maxLength: 12 }),
    fc.tuple(fc.constantFrom(...FLAG_NAMES), fc.string({ maxLength: 8 })).map(([f, v]) => `${f}=${v}`),
  );
  it('any argv: options or help, or a UsageError with exit code 2', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (argv) => {
        const out = onlyNamedErrors(() => parseArgs(argv), [UsageError]);
        if (out instanceof UsageError) expect(out.exitCode).toBe(2);
        else if (!(out instanceof Error) && !out.help) {
          expect(configErrors(out.config)).toEqual([]);
          if (out.sweep) expect(new Set(out.sweep).size).toBe(out.sweep.length);
          if (out.workers !== undefined) expect(out.workers).toBeLessThanOrEqual(64);
        }
      }),
      RUNS,
    );
  });
});

describe('fuzz: results import', () => {
  const valid = JSON.parse(
    toJson({
      schema: SCHEMA,
      adapter: null,
      limits: null,
      config: { ...DEFAULT_CONFIG, alpha: 1e-5 },
      results: [{ ...emptyRow(null, 'gpu', 'l2'), norms: [[1]], normSteps: [5], trainLoss: [1], validationLoss: [1], steps: 5 }],
      agreement: [{ width: null, a: { backend: 'gpu', variant: 'l2' }, b: { backend: 'gpu', variant: 'decay' }, normGap: [0], weightGap: [0] }],
    }),
  ) as Record<string, unknown>;

  /** A JSON path into the valid file, replaced by a random value: finds what each field accepts. */
  const paths: string[][] = [];
  const walk = (o: unknown, at: string[]) => {
    if (o === null || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      paths.push([...at, k]);
      walk(v, [...at, k]);
    }
  };
  walk(valid, []);
  const mutated = fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 3 }))).map(([path, v]) => {
    const copy = structuredClone(valid);
    let o = copy as Record<string, unknown>;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[path.at(-1)!] = v;
    return JSON.stringify(copy);
  });

  it('any text, any JSON, any one field of a valid file replaced: results, or a one-line ResultsFormatError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), mutated, fc.constantFrom('['.repeat(5000), '{"a":'.repeat(3000))),
        (text) => {
          const out = onlyNamedErrors(() => parseResultsJson(text), [ResultsFormatError]);
          if (out instanceof Error) expect(out.message).not.toContain('\n');
          else {
            expect(configErrors(out.config)).toEqual([]);
            for (const row of out.results) expect(row.normSteps.length).toBe(row.norms.length);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: the page’s URL query', () => {
  // Every key the page reads, and two that must never reach an object's prototype.
  const KEYS = [...QUERY_KEYS, '__proto__', 'constructor'];
  const query = fc
    .array(
      fc.tuple(
        fc.constantFrom(...KEYS),
        fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('0', '-1', '1e9', 'NaN', '8,8', '4,-6,3.5', 'gpu,tpu', '%00', '%E0%A4%A')),
      ),
      { maxLength: 8 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

  it('any query: a draft of strings, and checking it gives errors or a request with a valid config', () => {
    fc.assert(
      fc.property(fc.oneof(query, fc.string({ maxLength: 60 })), (search) => {
        const draft = draftFromQuery(search, DEFAULT_DRAFT);
        for (const [k, v] of Object.entries(draft)) expect(typeof v === 'string' || typeof v === 'boolean' || Array.isArray(v), k).toBe(true);
        const { request, errors } = checkDraft(draft, { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 });
        if (request) {
          expect(errors).toEqual({});
          expect(() => validateConfig(request.config)).not.toThrow();
          // The link round trip: the draft's own query reads back as the same run.
          const again = checkDraft(draftFromQuery(draftToQuery(draft), DEFAULT_DRAFT), { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 });
          expect(again.request?.config).toEqual(request.config);
          expect(again.request?.sweep).toEqual(request.sweep);
        } else expect(Object.keys(errors).length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('found by the fuzzer: a changed setting of another optimizer (?beta2=0 under sgd) survives the link', () => {
    const draft = draftFromQuery('beta2=0&momentum=0.5', DEFAULT_DRAFT);
    const q = new URLSearchParams(draftToQuery(draft));
    expect([q.get('beta2'), q.get('momentum'), q.get('beta1')]).toEqual(['0', '0.5', null]);
  });
});
