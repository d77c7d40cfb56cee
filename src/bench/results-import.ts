/**
 * Reads a results file ("l2wd-bench/1", docs/DESIGN.md) and checks everything the page and the
 * CLI use before anything is applied: the configuration by the model's own rules
 * (validateConfig), every row's shape and lengths, and size caps on the file, the rows, the
 * records per row and every string. A refusal is one ResultsFormatError naming the field (a
 * JSON path like results[2].stepMs.median) or the limit. Fields an older file lacks are filled
 * with their defaults, so a ResultRow is complete in memory.
 *
 * JSON has no NaN or Infinity: they are written as the strings "NaN", "Infinity", "-Infinity"
 * (see toJson) and read back here as numbers.
 */
import { BACKENDS, ConfigError, MAX_WIDTH, VARIANTS, show, validateConfig } from '../model/config';
import { VERDICT_IDS } from '../model/verdict';
import type { AgreementRow, BenchResults, ResultRow, Spread } from './results';
import { SCHEMA } from './results';
import { IMPORT_LIMITS, ResultsFormatError, arr, fail, integerIn, num, numOrNull, numbers, obj, oneOf, str, strOrNull } from './json-checks';
import type { Json } from './json-checks';
import { gridRun } from './grid-import';

export { IMPORT_LIMITS, ResultsFormatError } from './json-checks';

function spreadOrNull(value: Json, path: string): Spread | null {
  if (value === null || value === undefined) return null;
  const o = obj(value, path);
  return { median: num(o.median, `${path}.median`), p10: num(o.p10, `${path}.p10`), p90: num(o.p90, `${path}.p90`) };
}

function sameLength(path: string, field: string, got: readonly unknown[], want: number, of: string): void {
  if (got.length !== want) throw new ResultsFormatError(`${path}.${field}: ${got.length} entries, but ${of} has ${want}`);
}

/** Null or a swept hidden width (a width of 0 or 1e9 would stall the page's charts). */
function width(value: Json, path: string): number | null {
  return value === null || value === undefined ? null : integerIn(value, 1, MAX_WIDTH, path);
}

function resultRow(value: Json, path: string, layerCount: number, configSteps: number): ResultRow {
  const o = obj(value, path);
  const norms = arr(o.norms, `${path}.norms`, IMPORT_LIMITS.records).map((n, k) => numbers(n, `${path}.norms[${k}]`, layerCount));
  norms.forEach((n, k) => sameLength(path, `norms[${k}]`, n, layerCount, 'config.layers (weight layers)'));
  const series = (field: 'normSteps' | 'trainLoss' | 'validationLoss'): number[] | null => {
    if (o[field] === undefined) return null;
    const values = numbers(o[field], `${path}.${field}`);
    sameLength(path, field, values, norms.length, 'norms');
    return values;
  };
  // Accuracy: only classification rows have it, so empty or one entry per record.
  const accuracy = (field: 'trainAccuracy' | 'validationAccuracy'): number[] => {
    if (o[field] === undefined) return [];
    const values = numbers(o[field], `${path}.${field}`);
    if (values.length > 0) sameLength(path, field, values, norms.length, 'norms');
    return values;
  };
  const normSteps = series('normSteps');
  if (normSteps) normSteps.forEach((s, k) => integerIn(s, 0, Number.MAX_SAFE_INTEGER, `${path}.normSteps[${k}]`));
  const skipped = strOrNull(o.skipped, `${path}.skipped`);
  return {
    width: width(o.width, `${path}.width`),
    backend: oneOf(o.backend, BACKENDS, `${path}.backend`),
    // What ran the cell, where the writer named it: kept, so an import exports what it read.
    ...(o.engine === undefined ? {} : { engine: str(o.engine, `${path}.engine`) }),
    variant: oneOf(o.variant, VARIANTS, `${path}.variant`),
    stepMs: spreadOrNull(o.stepMs, `${path}.stepMs`),
    timer: o.timer === null || o.timer === undefined ? null : oneOf(o.timer, ['timestamp-query', 'wall'] as const, `${path}.timer`),
    samplesPerSec: numOrNull(o.samplesPerSec, `${path}.samplesPerSec`),
    gflops: numOrNull(o.gflops, `${path}.gflops`),
    finalLoss: numOrNull(o.finalLoss, `${path}.finalLoss`),
    norms,
    skipped,
    // An older file without normSteps: records numbered 1, 2, … (what the charts assumed).
    normSteps: normSteps ?? norms.map((_, k) => k + 1),
    trainLoss: series('trainLoss') ?? [],
    validationLoss: series('validationLoss') ?? [],
    finalValidationLoss: numOrNull(o.finalValidationLoss, `${path}.finalValidationLoss`),
    trainAccuracy: accuracy('trainAccuracy'),
    validationAccuracy: accuracy('validationAccuracy'),
    finalTrainAccuracy: numOrNull(o.finalTrainAccuracy, `${path}.finalTrainAccuracy`),
    finalValidationAccuracy: numOrNull(o.finalValidationAccuracy, `${path}.finalValidationAccuracy`),
    nonFiniteAtStep:
      o.nonFiniteAtStep === null || o.nonFiniteAtStep === undefined
        ? null
        : integerIn(o.nonFiniteAtStep, 0, Number.MAX_SAFE_INTEGER, `${path}.nonFiniteAtStep`),
    steps:
      o.steps === undefined
        ? (normSteps?.at(-1) ?? (skipped === null ? configSteps : 0))
        : integerIn(o.steps, 0, Number.MAX_SAFE_INTEGER, `${path}.steps`),
    chunkSteps: o.chunkSteps === undefined ? 0 : integerIn(o.chunkSteps, 0, Number.MAX_SAFE_INTEGER, `${path}.chunkSteps`),
    warmupSteps: o.warmupSteps === undefined ? 0 : integerIn(o.warmupSteps, 0, Number.MAX_SAFE_INTEGER, `${path}.warmupSteps`),
    wallStepMs: spreadOrNull(o.wallStepMs, `${path}.wallStepMs`),
    note: strOrNull(o.note, `${path}.note`),
  };
}

function pairSide(value: Json, path: string) {
  const o = obj(value, path);
  return { backend: oneOf(o.backend, BACKENDS, `${path}.backend`), variant: oneOf(o.variant, VARIANTS, `${path}.variant`) };
}

function agreementRow(value: Json, path: string, layerCount: number): AgreementRow {
  const o = obj(value, path);
  const row: AgreementRow = {
    // Fields a newer writer adds (the schema allows additions) pass through, within the caps above.
    ...(o as object),
    width: width(o.width, `${path}.width`),
    a: pairSide(o.a, `${path}.a`),
    b: pairSide(o.b, `${path}.b`),
    normGap: numbers(o.normGap, `${path}.normGap`, layerCount),
    weightGap: numbers(o.weightGap, `${path}.weightGap`, layerCount),
  };
  sameLength(path, 'normGap', row.normGap, layerCount, 'config.layers (weight layers)');
  sameLength(path, 'weightGap', row.weightGap, layerCount, 'config.layers (weight layers)');
  if (o.normGapHistory !== undefined)
    row.normGapHistory = arr(o.normGapHistory, `${path}.normGapHistory`, IMPORT_LIMITS.records).map((h, k) =>
      numbers(h, `${path}.normGapHistory[${k}]`, layerCount),
    );
  if (o.historySteps !== undefined) row.historySteps = numbers(o.historySteps, `${path}.historySteps`);
  if (row.historySteps && row.normGapHistory) sameLength(path, 'historySteps', row.historySteps, row.normGapHistory.length, 'normGapHistory');
  if (o.step !== undefined) row.step = integerIn(o.step, 0, Number.MAX_SAFE_INTEGER, `${path}.step`);
  // The verdict's fields (docs/RULES.md, "Rounding floor and verdict"), when the writer had them.
  if (o.zeroScaleLayers !== undefined)
    row.zeroScaleLayers = arr(o.zeroScaleLayers, `${path}.zeroScaleLayers`, layerCount).map((l, k) =>
      integerIn(l, 1, layerCount, `${path}.zeroScaleLayers[${k}]`),
    );
  for (const field of ['floorNormGap', 'floorWeightGap'] as const)
    if (o[field] !== undefined) {
      row[field] = o[field] === null ? null : numbers(o[field], `${path}.${field}`, layerCount);
      if (row[field]) sameLength(path, field, row[field], layerCount, 'config.layers (weight layers)');
    }
  if (o.floorRatio !== undefined) row.floorRatio = numOrNull(o.floorRatio, `${path}.floorRatio`);
  if (o.verdict !== undefined) row.verdict = o.verdict === null ? null : oneOf(o.verdict, VERDICT_IDS, `${path}.verdict`);
  return row;
}

/** Deepest nesting of lists and objects, counted outside strings, without parsing (JSON.parse of `[`×1e5 would). */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Reads a results file: checks it is JSON within the size caps, that its schema is
 * "l2wd-bench/1", and every field the page and the CLI read. Throws ResultsFormatError naming
 * the first problem ("results[2].stepMs.median: expected a number, found \"fast\"").
 */
export function parseResultsJson(text: string): BenchResults {
  if (typeof text !== 'string') throw new ResultsFormatError(`the file: expected text, found ${show(text)}`);
  if (text.length > IMPORT_LIMITS.fileChars)
    throw new ResultsFormatError(`the file has ${text.length} characters; the limit is ${IMPORT_LIMITS.fileChars} (10 MiB)`);
  if (nestingDepth(text, IMPORT_LIMITS.depth) > IMPORT_LIMITS.depth)
    throw new ResultsFormatError(`the file nests lists or objects more than ${IMPORT_LIMITS.depth} deep; a results file needs 4`);
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultsFormatError(`not JSON: ${(e as Error).message}`);
  }
  const o = obj(data, 'the file');
  if (o.schema !== SCHEMA)
    throw new ResultsFormatError(
      o.schema === undefined
        ? `no "schema" field: this is not an l2wd benchmark results file (expected schema "${SCHEMA}", as written by npm run bench -- --json FILE)`
        : `schema is ${show(o.schema)}; this version reads "${SCHEMA}"`,
    );
  const configIn = obj(o.config, 'config');
  // The model's rules, not a copy of them: a file is refused for what the form would refuse.
  if (!Array.isArray(configIn.layers)) fail('config.layers', 'a list', configIn.layers);
  let config: BenchResults['config'];
  try {
    const valid = validateConfig(configIn);
    config = { ...valid, alpha: num(configIn.alpha ?? valid.lr * valid.lambda, 'config.alpha') };
  } catch (e) {
    if (e instanceof ConfigError) throw new ResultsFormatError(`config: ${e.message}`);
    throw e;
  }
  const layerCount = config.layers.length - 1;
  let adapter: BenchResults['adapter'] = null;
  if (o.adapter !== null && o.adapter !== undefined) {
    const a = obj(o.adapter, 'adapter');
    adapter = {
      vendor: str(a.vendor ?? '', 'adapter.vendor'),
      architecture: str(a.architecture ?? '', 'adapter.architecture'),
      description: str(a.description ?? '', 'adapter.description'),
      isFallbackAdapter:
        typeof a.isFallbackAdapter === 'boolean' ? a.isFallbackAdapter : fail('adapter.isFallbackAdapter', 'true or false', a.isFallbackAdapter),
      // Files written before these fields say nothing about the implementation.
      implementation:
        a.implementation === undefined ? 'unknown' : oneOf(a.implementation, ['dawn', 'wgpu', 'browser', 'unknown'] as const, 'adapter.implementation'),
      backend: strOrNull(a.backend ?? null, 'adapter.backend'),
    };
  }
  let limits: Record<string, number> | null = null;
  if (o.limits !== null && o.limits !== undefined) {
    const entries = Object.entries(obj(o.limits, 'limits'));
    if (entries.length > 200) throw new ResultsFormatError(`limits: ${entries.length} entries; the limit is 200`);
    limits = Object.fromEntries(entries.map(([k, v]) => [str(k, 'limits (a name)'), num(v, `limits.${k}`)]));
  }
  const results: BenchResults = {
    schema: SCHEMA,
    adapter,
    limits,
    config,
    results: arr(o.results, 'results', IMPORT_LIMITS.resultRows).map((r, i) => resultRow(r, `results[${i}]`, layerCount, config.steps)),
    agreement:
      o.agreement === undefined
        ? []
        : arr(o.agreement, 'agreement', IMPORT_LIMITS.agreementRows).map((r, i) => agreementRow(r, `agreement[${i}]`, layerCount)),
  };
  if (o.createdAt !== undefined) results.createdAt = str(o.createdAt, 'createdAt');
  if (o.machine !== undefined) results.machine = str(o.machine, 'machine');
  if (o.sweep !== undefined && o.sweep !== null) results.sweep = arr(o.sweep, 'sweep', 1_000).map((w, i) => integerIn(w, 1, MAX_WIDTH, `sweep[${i}]`));
  else if (o.sweep === null) results.sweep = null;
  for (const field of ['maxSeconds', 'workers'] as const) if (o[field] !== undefined) results[field] = numOrNull(o[field], field);
  if (o.elapsedSeconds !== undefined) results.elapsedSeconds = num(o.elapsedSeconds, 'elapsedSeconds');
  if (o.stopped !== undefined) results.stopped = strOrNull(o.stopped, 'stopped');
  if (o.timestampCheck !== undefined && o.timestampCheck !== null) {
    const t = obj(o.timestampCheck, 'timestampCheck');
    results.timestampCheck = {
      trusted: typeof t.trusted === 'boolean' ? t.trusted : fail('timestampCheck.trusted', 'true or false', t.trusted),
      deviceMs: num(t.deviceMs, 'timestampCheck.deviceMs'),
      wallMs: num(t.wallMs, 'timestampCheck.wallMs'),
      note: str(t.note, 'timestampCheck.note'),
    };
  } else if (o.timestampCheck === null) results.timestampCheck = null;
  if (o.baseline !== undefined)
    results.baseline = arr(o.baseline, 'baseline', IMPORT_LIMITS.resultRows).map((r, i) => resultRow(r, `baseline[${i}]`, layerCount, config.steps));
  if (o.notes !== undefined) results.notes = arr(o.notes, 'notes', IMPORT_LIMITS.notes).map((n, i) => str(n, `notes[${i}]`));
  // A grid run's heatmaps (src/bench/grid-import.ts); files without the field import as before.
  if (o.grid !== undefined) results.grid = o.grid === null ? null : gridRun(o.grid);
  return results;
}
