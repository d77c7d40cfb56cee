import { describe, expect, test } from 'vitest';
import { CSV_COLUMNS, parseCsv, parseResultsJson, toCsv, toJson } from '../../src/bench/export';
import type { BenchResults } from '../../src/bench/results';
import { SCHEMA, emptyRow } from '../../src/bench/results';
import { DEFAULT_CONFIG } from '../../src/model/config';

function sample(): BenchResults {
  return {
    schema: SCHEMA,
    createdAt: '2026-01-01T00:00:00.000Z',
    adapter: {
      vendor: 'google',
      architecture: 'swiftshader',
      description: 'SwiftShader, "quoted", comma',
      isFallbackAdapter: true,
      implementation: 'dawn',
      backend: 'vulkan',
    },
    limits: { maxBufferSize: 1073741824, maxStorageBufferBindingSize: 1073741824 },
    config: { ...DEFAULT_CONFIG, layers: [16, 32, 8], alpha: 1e-5 },
    machine: 'test host',
    sweep: [32, 64],
    results: [
      {
        ...emptyRow(32, 'gpu', 'l2'),
        stepMs: { median: 12.3, p10: 12.0, p90: 13.1 },
        timer: 'timestamp-query',
        samplesPerSec: 20813.000000000004,
        gflops: 151.2,
        finalLoss: 0.1 + 0.2,
        norms: [
          [1, 2],
          [1.5, 2.5],
        ],
        skipped: null,
        normSteps: [4, 8],
        trainLoss: [0.5, 0.3],
        validationLoss: [0.6, 0.4],
        finalValidationLoss: 0.4,
        nonFiniteAtStep: null,
        steps: 8,
        wallStepMs: { median: 13, p10: 12.5, p90: 14 },
        note: 'ran 8 of 200 steps to fit the time budget',
      },
      {
        ...emptyRow(32, 'gpu', 'decay'),
        normSteps: [4],
        trainLoss: [Number.NaN],
        validationLoss: [Number.NaN],
        steps: 4,
        stepMs: { median: 1, p10: 1, p90: 1 },
        timer: 'wall',
        samplesPerSec: 1000,
        gflops: 2,
        finalLoss: Number.NaN,
        norms: [[Number.NaN, Number.POSITIVE_INFINITY]],
        skipped: null,
        nonFiniteAtStep: 4,
      },
      {
        ...emptyRow(64, 'cpu', 'l2'),
        skipped: 'widest layer 64 is over the CPU width limit of 48 (cpuMaxWidth)',
      },
    ],
    agreement: [
      {
        width: 32,
        a: { backend: 'gpu', variant: 'l2' },
        b: { backend: 'gpu', variant: 'decay' },
        normGap: [1.234e-16, Number.NaN],
        weightGap: [3e-7, 4e-7],
        normGapHistory: [[1e-7, 2e-7]],
        historySteps: [4],
        step: 4,
      },
    ],
  };
}

describe('JSON export', () => {
  test('round trip keeps every number, NaN and Infinity included', () => {
    const r = sample();
    const back = parseResultsJson(toJson(r));
    expect(back).toEqual(r); // toEqual treats NaN as equal to NaN
    expect(Number.isNaN(back.results[1].finalLoss!)).toBe(true);
    expect(back.results[1].norms[0][1]).toBe(Number.POSITIVE_INFINITY);
    expect(back.results[0].samplesPerSec).toBe(20813.000000000004);
  });

  test('non-finite numbers are written as strings, never as null', () => {
    const text = toJson(sample());
    expect(text).toContain('"NaN"');
    expect(text).toContain('"Infinity"');
    expect(JSON.parse(text).results[1].finalLoss).toBe('NaN');
  });

  test('the DESIGN example file is accepted', () => {
    const design = `{ "schema": "l2wd-bench/1",
      "adapter": { "vendor": "google", "architecture": "swiftshader", "description": "", "isFallbackAdapter": true },
      "limits": { "maxBufferSize": 1073741824, "maxStorageBufferBindingSize": 1073741824 },
      "config": { "layers": [784, 1024, 1024, 10], "batch": 256, "steps": 200, "lr": 0.01, "lambda": 0.001, "alpha": 0.00001, "optimizer": "sgd", "seed": 1 },
      "results": [ { "width": null, "backend": "gpu", "variant": "l2", "stepMs": { "median": 12.3, "p10": 12.0, "p90": 13.1 }, "timer": "timestamp-query",
        "samplesPerSec": 20813, "gflops": 151.2, "finalLoss": 0.0123, "norms": [[1.0, 2.0, 0.5]], "skipped": null } ],
      "agreement": [ { "width": null, "a": { "backend": "gpu", "variant": "l2" }, "b": { "backend": "gpu", "variant": "decay" },
        "normGap": [1e-7, 2e-7, 1e-7], "weightGap": [3e-7, 4e-7, 2e-7] } ] }`;
    const r = parseResultsJson(design);
    expect(r.results[0].stepMs?.median).toBe(12.3);
    expect(r.agreement[0].weightGap).toEqual([3e-7, 4e-7, 2e-7]);
  });
});

describe('parseResultsJson rejects bad files with what and where', () => {
  const withChange = (change: (o: Record<string, any>) => void) => {
    const o = JSON.parse(toJson(sample()));
    change(o);
    return JSON.stringify(o);
  };
  test.each([
    ['not JSON', '{"schema": "l2wd-bench/1",', /not JSON/],
    ['a list', '[1, 2]', /the file: expected an object/],
    ['no schema', '{"results": []}', /no "schema" field/],
    ['another schema', withChange((o) => (o.schema = 'l2wd-bench/2')), /schema is "l2wd-bench\/2"; this version reads "l2wd-bench\/1"/],
    ['no results', withChange((o) => delete o.results), /results: expected a list, found nothing/],
    ['a word for a number', withChange((o) => (o.results[0].stepMs.median = 'fast')), /results\[0\]\.stepMs\.median: expected a number, found "fast"/],
    ['an unknown backend', withChange((o) => (o.results[2].backend = 'tpu')), /results\[2\]\.backend: expected one of gpu, cpu, reference, found "tpu"/],
    ['a bad timer', withChange((o) => (o.results[0].timer = 'sundial')), /results\[0\]\.timer: expected one of timestamp-query, wall/],
    ['norms not a matrix', withChange((o) => (o.results[0].norms = [1, 2])), /results\[0\]\.norms\[0\]: expected a list/],
    ['config without layers', withChange((o) => delete o.config.layers), /config\.layers: expected a list/],
    ['a bad gap', withChange((o) => (o.agreement[0].weightGap[1] = null)), /agreement\[0\]\.weightGap\[1\]: expected a number, found null/],
    ['a bad adapter flag', withChange((o) => (o.adapter.isFallbackAdapter = 'yes')), /adapter\.isFallbackAdapter: expected true or false/],
  ])('%s', (_name, text, message) => {
    expect(() => parseResultsJson(text)).toThrow(message);
  });
});

describe('CSV export', () => {
  test('one table: a header, a line per result row, then a line per agreement row; re-read gives the same numbers', () => {
    const r = sample();
    const records = parseCsv(toCsv(r));
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    // One table: every line has every column, and there is no second header.
    for (const cells of records.filter((c) => c.length > 1)) expect(cells).toHaveLength(CSV_COLUMNS.length);
    expect(records.filter((cells) => cells[0] === 'kind')).toHaveLength(1);
    const rows = records.slice(1, 1 + r.results.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    rows.forEach((cells, i) => {
      const row = r.results[i];
      expect(cells[col('kind')]).toBe('result');
      expect(cells[col('backend')]).toBe(row.backend);
      expect(cells[col('variant')]).toBe(row.variant);
      const num = (name: (typeof CSV_COLUMNS)[number]) => (cells[col(name)] === '' ? null : Number(cells[col(name)]));
      expect(num('width')).toBe(row.width);
      expect(num('stepMsMedian')).toBe(row.stepMs?.median ?? null);
      expect(num('stepMsP10')).toBe(row.stepMs?.p10 ?? null);
      expect(num('stepMsP90')).toBe(row.stepMs?.p90 ?? null);
      expect(num('samplesPerSec')).toBe(row.samplesPerSec);
      expect(num('gflops')).toBe(row.gflops);
      expect(num('finalLoss')).toEqual(row.finalLoss);
      expect(cells[col('timer')]).toBe(row.timer ?? '');
      expect(cells[col('skipped')]).toBe(row.skipped ?? '');
    });
    const a = records[1 + r.results.length];
    expect(a[col('kind')]).toBe('agreement');
    expect(a[col('vsBackend')]).toBe(r.agreement[0].b.backend);
    expect(a[col('normGap')].split(';').map(Number)).toEqual(r.agreement[0].normGap);
    expect(a[col('weightGap')].split(';').map(Number)).toEqual(r.agreement[0].weightGap);
  });

  test('quotes cells with commas, quotes and newlines', () => {
    const r = sample();
    r.results[2].skipped = 'failed: "boom", then\nmore';
    const records = parseCsv(toCsv(r));
    expect(records[3][CSV_COLUMNS.indexOf('skipped')]).toBe('failed: "boom", then\nmore');
  });
});
