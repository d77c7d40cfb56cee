/**
 * The λ = 0 baseline travels with the results (issue 9 item 8): the JSON export keeps its rows
 * in `baseline`, the import checks them as it checks `results` and gives them back as the run the
 * page keeps, and the CSV has them as lines of kind "baseline".
 */
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, parseCsv, parseResultsJson, toCsv, toJson } from '../../src/bench/export';
import type { BenchResults, ResultRow } from '../../src/bench/results';
import { SCHEMA, emptyRow } from '../../src/bench/results';
import { DEFAULT_CONFIG } from '../../src/model/config';
import { importResults, splitBaseline, withBaseline } from '../../src/ui/results-io';

/** A finished row: two weight layers, three records. */
function ran(backend: ResultRow['backend'], variant: ResultRow['variant'], loss: number): ResultRow {
  return {
    ...emptyRow(null, backend, variant),
    engine: backend === 'cpu' ? 'CPU: WASM SIMD, 2 threads' : undefined,
    stepMs: { median: 1.5, p10: 1.25, p90: 2 },
    timer: 'wall',
    samplesPerSec: 5333.333333333333,
    gflops: 0.01,
    finalLoss: loss,
    norms: [
      [1, 2],
      [1.5, 2.5],
      [2, Number.NaN],
    ],
    normSteps: [4, 8, 12],
    trainLoss: [3, 2, loss],
    validationLoss: [3.5, 2.5, loss + 0.1],
    finalValidationLoss: loss + 0.1,
    steps: 12,
    chunkSteps: 4,
    warmupSteps: 2,
    wallStepMs: { median: 1.75, p10: 1.5, p90: 2.25 },
  };
}

function run(): BenchResults {
  return {
    schema: SCHEMA,
    adapter: null,
    limits: null,
    config: { ...DEFAULT_CONFIG, layers: [4, 6, 3], steps: 12, lambda: 0.01, alpha: DEFAULT_CONFIG.lr * 0.01 },
    results: [ran('cpu', 'l2', 0.5), ran('cpu', 'decay', 0.5000001)],
    agreement: [],
  };
}

/** The page's baseline run: the same configuration at λ = 0, variant l2, one backend. */
function baselineRun(r: BenchResults): BenchResults {
  return { ...r, config: { ...r.config, lambda: 0, alpha: 0 }, results: [ran('cpu', 'l2', 0.25)], agreement: [] };
}

describe('the λ = 0 baseline in the JSON', () => {
  it('export keeps its rows in `baseline`; import checks them and gives back the run the page keeps', () => {
    const results = run();
    const baseline = baselineRun(results);
    const text = toJson(withBaseline(results, baseline));
    expect(JSON.parse(text).baseline).toHaveLength(1);
    const back = splitBaseline(parseResultsJson(text));
    expect(back.results).toEqual(results);
    expect(back.baseline).toEqual(baseline); // toEqual treats NaN as equal to NaN
    expect(back.baseline!.config.lambda).toBe(0);
    expect(back.baseline!.config.alpha).toBe(0);
  });

  it('a run without a baseline writes no `baseline` field and reads back without one', () => {
    const text = toJson(withBaseline(run(), undefined));
    expect(JSON.parse(text)).not.toHaveProperty('baseline');
    expect(splitBaseline(parseResultsJson(text)).baseline).toBeUndefined();
    // An empty list is no baseline either.
    expect(splitBaseline(parseResultsJson(text.replace(/}\s*$/, ', "baseline": [] }'))).baseline).toBeUndefined();
  });

  it('a bad baseline row is refused with its path, as a bad result row is', () => {
    const file = JSON.parse(toJson(withBaseline(run(), baselineRun(run()))));
    file.baseline[0].norms[1] = [1];
    expect(() => parseResultsJson(JSON.stringify(file))).toThrow('baseline[0].norms[1]: 1 entries, but config.layers (weight layers) has 2');
    file.baseline = { rows: [] };
    expect(() => parseResultsJson(JSON.stringify(file))).toThrow('baseline: expected a list, found');
    file.baseline = [{ ...file.results[0], backend: 'tpu' }];
    expect(() => parseResultsJson(JSON.stringify(file))).toThrow(/^baseline\[0\]\.backend: expected one of gpu, cpu, reference/);
  });

  it('importResults (the page) returns the baseline beside the results', async () => {
    const results = run();
    const file = new File([toJson(withBaseline(results, baselineRun(results)))], 'run.json', { type: 'application/json' });
    const imported = await importResults(file);
    expect(imported.results).toEqual(results);
    expect(imported.baseline?.results).toEqual(baselineRun(results).results);
    expect(imported.draft.layers).toBe('4,6,3');
  });
});

describe('the λ = 0 baseline in the CSV', () => {
  it('one line per baseline row, kind "baseline", between the result and the agreement lines', () => {
    const results = {
      ...run(),
      agreement: [
        { width: null, a: { backend: 'cpu', variant: 'l2' }, b: { backend: 'cpu', variant: 'decay' }, normGap: [1e-9, 2e-9], weightGap: [3e-9, 4e-9] },
      ],
    } as BenchResults;
    const records = parseCsv(toCsv(withBaseline(results, baselineRun(results)))).filter((c) => c.length > 1);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(records.map((c) => c[col('kind')])).toEqual(['kind', 'result', 'result', 'baseline', 'agreement']);
    const line = records[3];
    expect(line).toHaveLength(CSV_COLUMNS.length);
    expect([line[col('backend')], line[col('variant')], line[col('steps')]]).toEqual(['cpu', 'l2', '12']);
    expect(Number(line[col('finalLoss')])).toBe(0.25);
    expect(Number(line[col('stepMsMedian')])).toBe(1.5);
  });
});
