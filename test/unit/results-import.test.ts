/**
 * The results import checks everything before anything is applied (issue 10 item 10): each case
 * the adversarial pass found, refused with one line naming the field or the limit; a sparse but
 * valid file comes back complete, every field filled (issue 16 item 3).
 */
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, IMPORT_LIMITS, ResultsFormatError, parseCsv, parseResultsJson, toCsv } from '../../src/bench/export';
import type { BenchResults } from '../../src/bench/results';
import { SCHEMA, emptyRow } from '../../src/bench/results';
import { DEFAULT_CONFIG } from '../../src/model/config';

const minimalRow = { backend: 'gpu', variant: 'l2', norms: [[1, 2]] };
const file = (o: Record<string, unknown> = {}, row: Record<string, unknown> = {}) =>
  JSON.stringify({ schema: SCHEMA, config: { layers: [4, 8, 2] }, results: [{ ...minimalRow, ...row }], ...o });

function refusal(text: string): string {
  try {
    parseResultsJson(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ResultsFormatError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(400);
    return message;
  }
  throw new Error('the file was accepted');
}

describe('a sparse but valid file', () => {
  it('comes back complete: the config from the model’s defaults, every row field filled', () => {
    const r = parseResultsJson(file());
    expect(r.config).toEqual({ ...DEFAULT_CONFIG, layers: [4, 8, 2], alpha: DEFAULT_CONFIG.lr * DEFAULT_CONFIG.lambda });
    const row = r.results[0];
    for (const [key, value] of Object.entries(row)) expect(value, key).not.toBeUndefined();
    expect(Object.keys(row).sort()).toEqual(Object.keys(emptyRow(null, 'gpu', 'l2')).sort());
    expect(row.normSteps).toEqual([1]);
    expect(row.trainLoss).toEqual([]);
    expect(row.steps).toBe(DEFAULT_CONFIG.steps);
  });

  it('a file from before schedules reads as constant η with decay tracking it; a scheduled one keeps its schedule', () => {
    expect(parseResultsJson(file()).config).toMatchObject({ schedule: 'constant', decaySchedule: 'tracks' });
    const scheduled = { layers: [4, 8, 2], schedule: 'step', stepEvery: 7, stepGamma: 0.5, decaySchedule: 'fixed' };
    expect(parseResultsJson(file({ config: scheduled })).config).toMatchObject(scheduled);
  });
});

describe('refused, naming the field or the limit', () => {
  const long = 'x'.repeat(IMPORT_LIMITS.stringChars + 1);
  it.each([
    ['config.activation: 5', file({ config: { layers: [4, 8, 2], activation: 5 } }), /^config: activation = 5: must be one of tanh, relu$/],
    ['layers [4,-6,3.5]', file({ config: { layers: [4, -6, 3.5] } }), /config: layers = .*width 2 \(-6\) must be an integer/],
    [
      'optimizer "rmsprop"',
      file({ config: { layers: [4, 8, 2], optimizer: 'rmsprop' } }),
      /config: optimizer = "rmsprop": must be one of sgd, momentum, adam/,
    ],
    [
      'schedule "linear"',
      file({ config: { layers: [4, 8, 2], schedule: 'linear' } }),
      /^config: schedule = "linear": must be one of constant, step, cosine$/,
    ],
    ['stepGamma 2', file({ config: { layers: [4, 8, 2], stepGamma: 2 } }), /^config: stepGamma = 2: must be a number in \(0, 1\]$/],
    ['a config __proto__ key', file({ config: JSON.parse('{"layers":[4,8,2],"__proto__":{"x":1}}') }), /config: __proto__: unknown setting/],
    ['alpha as text', file({ config: { layers: [4, 8, 2], alpha: 'abc' } }), /config: alpha = "abc"/],
    ['normSteps longer than norms', file({}, { normSteps: [1, 2] }), /results\[0\]\.normSteps: 2 entries, but norms has 1/],
    ['trainLoss shorter than norms', file({}, { trainLoss: [] }), /results\[0\]\.trainLoss: 0 entries, but norms has 1/],
    ['a norms record of the wrong layer count', file({}, { norms: [[1, 2, 3]] }), /results\[0\]\.norms\[0\]: 3 entries; the limit is 2/],
    ['a width of 0', file({}, { width: 0 }), /results\[0\]\.width: expected an integer from 1 to 1048576, found 0/],
    ['a fractional step', file({}, { normSteps: [1.5] }), /results\[0\]\.normSteps\[0\]: expected an integer/],
    [
      'a string over the limit',
      file({}, { note: long }),
      new RegExp(`results\\[0\\]\\.note: a string of ${long.length} characters; the limit is ${IMPORT_LIMITS.stringChars}`),
    ],
    ['a machine name over the limit', file({ machine: long }), /machine: a string of/],
    ['a sweep width of 0', file({ sweep: [0] }), /sweep\[0\]: expected an integer from 1/],
    ['[ nested 100 000 deep', '['.repeat(100_000), /nests lists or objects more than 16 deep/],
    [
      'agreement gaps of the wrong layer count',
      file({ agreement: [{ width: null, a: { backend: 'gpu', variant: 'l2' }, b: { backend: 'gpu', variant: 'decay' }, normGap: [1], weightGap: [1] }] }),
      /agreement\[0\]\.normGap: 1 entries, but config\.layers \(weight layers\) has 2/,
    ],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  it('a file over the size limit, before parsing it', () => {
    const big = file({ machine: ' '.repeat(10) }).replace('"machine"', `${' '.repeat(IMPORT_LIMITS.fileChars)}"machine"`);
    expect(refusal(big)).toMatch(/the file has \d+ characters; the limit is 10485760 \(10 MiB\)/);
  });

  it('more result rows than the limit', () => {
    const rows = Array.from({ length: IMPORT_LIMITS.resultRows + 1 }, () => minimalRow);
    expect(refusal(JSON.stringify({ schema: SCHEMA, config: { layers: [4, 8, 2] }, results: rows }))).toBe(
      `results: ${IMPORT_LIMITS.resultRows + 1} entries; the limit is ${IMPORT_LIMITS.resultRows}`,
    );
  });

  it('more records per row than the limit', () => {
    const norms = Array.from({ length: IMPORT_LIMITS.records + 1 }, () => [1, 2]);
    expect(refusal(file({}, { norms }))).toMatch(/results\[0\]\.norms: 4097 entries; the limit is 4096/);
  });
});

describe('CSV formula injection', () => {
  it('text starting with = + - @ tab or CR is written as text, numbers as numbers', () => {
    const r: BenchResults = {
      schema: SCHEMA,
      adapter: null,
      limits: null,
      config: { ...DEFAULT_CONFIG, alpha: 1e-5 },
      results: ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'].map((note) => ({
        ...emptyRow(null, 'gpu', 'l2'),
        note,
        finalLoss: -0.5,
      })),
      agreement: [
        { width: null, a: { backend: 'gpu', variant: 'l2' }, b: { backend: 'gpu', variant: 'decay' }, normGap: [-1e-7, Number.NaN], weightGap: [2e-7, 1] },
      ],
    };
    const text = toCsv(r);
    const records = parseCsv(text);
    const notes = records.slice(1, 7).map((cells) => cells[CSV_COLUMNS.indexOf('note')]);
    expect(notes).toEqual(['\'=HYPERLINK("http://x","y")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rcmd"]);
    // Every cell that a spreadsheet would evaluate starts inside quotes with an apostrophe.
    for (const line of text.split('\n')) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+@]/);
    expect(records[1][CSV_COLUMNS.indexOf('finalLoss')]).toBe('-0.5');
    expect(records.at(-1)![CSV_COLUMNS.indexOf('normGap')]).toBe('-1e-7;NaN');
  });
});

describe('the rounding floor and verdict of an agreement row', () => {
  const pair = { width: null, a: { backend: 'gpu', variant: 'l2' }, b: { backend: 'gpu', variant: 'decay' }, normGap: [0, 1e-9], weightGap: [1e-7, 2e-7] };
  const withPair = (extra: Record<string, unknown>) => file({ agreement: [{ ...pair, ...extra }] });

  it('come back as written', () => {
    const extra = { floorNormGap: [1e-9, 2e-9], floorWeightGap: [2e-7, 3e-7], floorRatio: 0.7, verdict: 'same', zeroScaleLayers: [] };
    expect(parseResultsJson(withPair(extra)).agreement[0]).toMatchObject(extra);
    expect(parseResultsJson(withPair({ floorNormGap: null, floorRatio: null, verdict: null })).agreement[0]).toMatchObject({
      floorNormGap: null,
      verdict: null,
    });
  });

  it('are refused, naming the field, when not what the runner writes', () => {
    expect(refusal(withPair({ verdict: 'sort of' }))).toMatch(/agreement\[0\]\.verdict/);
    expect(refusal(withPair({ floorRatio: 'big' }))).toMatch(/agreement\[0\]\.floorRatio/);
    expect(refusal(withPair({ floorWeightGap: [1e-7] }))).toMatch(/floorWeightGap/);
  });
});

describe('the WebGPU implementation and the timer check (issue 15)', () => {
  const adapter = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader', isFallbackAdapter: true };
  it('a file written before the fields existed reads implementation "unknown", backend null', () => {
    const r = parseResultsJson(file({ adapter }));
    expect(r.adapter).toEqual({ ...adapter, implementation: 'unknown', backend: null });
    expect(r.timestampCheck).toBeUndefined();
  });

  it('keeps what a new file says, and refuses an implementation it does not know', () => {
    const timestampCheck = { trusted: false, deviceMs: 0.03, wallMs: 30, note: 'units cannot be trusted' };
    const r = parseResultsJson(file({ adapter: { ...adapter, implementation: 'wgpu', backend: 'vulkan' }, timestampCheck }));
    expect(r.adapter).toEqual({ ...adapter, implementation: 'wgpu', backend: 'vulkan' });
    expect(r.timestampCheck).toEqual(timestampCheck);
    expect(refusal(file({ adapter: { ...adapter, implementation: 'webkit' } }))).toMatch(/adapter\.implementation/);
    expect(refusal(file({ timestampCheck: { ...timestampCheck, trusted: 'yes' } }))).toMatch(/timestampCheck\.trusted/);
  });
});
