/** The dataset fields of the config, the one dataset builder, and the runner's use of them (issue 13). */
import { describe, expect, it } from 'vitest';
import { MissingDatasetError, buildDataset } from '../../src/bench/datasets';
import { runBenchmark } from '../../src/bench/runner';
import { trainerFactories } from '../../src/bench/backends';
import { readMnistFile } from '../../src/cli/mnist-file';
import { gpuMemoryPlan, hostCopyBytes } from '../../src/gpu/memory-plan';
import { configLines, resultsReport } from '../../src/cli/report';
import { ConfigError, DEFAULT_CONFIG, trainBatchCount, trainRowCount, validateConfig, validationRowCount } from '../../src/model/config';
import { toCsv, toJson } from '../../src/bench/export';
import { parseResultsJson } from '../../src/bench/results-import';

const images = readMnistFile();
const MNIST = { dataset: 'mnist', layers: [784, 16, 10], loss: 'ce', batch: 32, trainSize: 64, validationSize: 50 } as const;

function messages(input: object): string[] {
  try {
    validateConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).errors.map((x) => x.message);
  }
  throw new Error('expected a ConfigError');
}

describe('dataset in the config', () => {
  it('defaults to the teacher; the teacher walks trainBatches batches and validates on one batch', () => {
    const c = validateConfig({});
    expect(c.dataset).toBe('teacher');
    expect([trainBatchCount(c), trainRowCount(c), validationRowCount(c)]).toEqual([4, 128, 32]);
    expect(DEFAULT_CONFIG.trainSize % DEFAULT_CONFIG.batch).toBe(0);
  });

  it('mnist: trainSize / batch batches, validationSize rows', () => {
    const c = validateConfig(MNIST);
    expect([trainBatchCount(c), trainRowCount(c), validationRowCount(c)]).toEqual([2, 64, 50]);
  });

  it.each([
    [{ dataset: 'cifar' }, 'dataset = "cifar": must be one of teacher, mnist'],
    [{ ...MNIST, layers: [16, 32, 10] }, 'layers = [16, 32, 10]: with dataset mnist must start at 784'],
    [{ ...MNIST, layers: [784, 32, 8] }, 'layers = [784, 32, 8]: with dataset mnist must start at 784 (28 × 28 pixels) and end at 10'],
    [{ ...MNIST, loss: 'mse' }, 'loss = "mse": with dataset mnist must be ce'],
    [{ ...MNIST, trainSize: 100 }, 'trainSize = 100: with dataset mnist must be a multiple of batch (32), e.g. 96 or 128'],
    [{ ...MNIST, trainSize: 9984, validationSize: 17 }, 'validationSize = 17: with trainSize 9984 must be at most 16: the MNIST asset holds 10000 images'],
    [{ ...MNIST, trainSize: 0 }, 'trainSize = 0: must be an integer from 1 to 10000'],
    [{ ...MNIST, validationSize: 2.5 }, 'validationSize = 2.5: must be an integer from 1 to 10000'],
    [{ ...MNIST, labelNoise: 0.95 }, 'labelNoise = 0.95: must be a number from 0 to 0.9 (a fraction of the training rows)'],
    [{ ...MNIST, labelNoise: -0.1 }, 'labelNoise = -0.1: must be a number from 0 to 0.9'],
    [{ ...MNIST, labelNoise: '0.3' }, 'labelNoise = "0.3": must be a number from 0 to 0.9'],
    [{ labelNoise: 0.2 }, 'labelNoise = 0.2: must be 0 with dataset teacher (label noise is for dataset mnist'],
  ])('refuses %j naming field, value and what is allowed', (input, message) => {
    expect(messages(input).join('; ')).toContain(message);
  });

  it('a bad labelNoise does not hide the other dataset errors, and is named once', () => {
    const all = messages({ ...MNIST, trainSize: 100, labelNoise: 2 });
    expect(all.filter((m) => m.startsWith('trainSize = 100: with dataset mnist must be a multiple of batch'))).toHaveLength(1);
    expect(all.filter((m) => m.startsWith('labelNoise'))).toEqual(['labelNoise = 2: must be a number from 0 to 0.9 (a fraction of the training rows)']);
    expect(messages({ labelNoise: -1 }).filter((m) => m.startsWith('labelNoise'))).toHaveLength(1);
  });

  it('mnist takes label noise from 0 to 0.9; it defaults to 0', () => {
    expect(validateConfig(MNIST).labelNoise).toBe(0);
    expect(validateConfig({ ...MNIST, labelNoise: 0.9 }).labelNoise).toBe(0.9);
    expect(validateConfig({ ...MNIST, labelNoise: 0.3 }).labelNoise).toBe(0.3);
  });

  it('the teacher does not read the MNIST sizes (any valid size is fine there)', () => {
    expect(() => validateConfig({ trainSize: 100, layers: [3, 2] })).not.toThrow();
  });
});

describe('the GPU memory plan with MNIST', () => {
  it('holds trainSize and validationSize rows of data, and one batch of activations whatever validationSize is', () => {
    const c = validateConfig({ ...MNIST, trainSize: 1024, validationSize: 5000 });
    const bytes = (id: string) => gpuMemoryPlan(c).buffers.find((b) => b.id === id)!.bytes;
    expect([bytes('train.inputs'), bytes('validation.inputs'), bytes('validation.targets')]).toEqual([1024 * 784 * 4, 5000 * 784 * 4, 5000 * 10 * 4]);
    const small = validateConfig({ ...c, validationSize: 50 });
    expect(bytes('layer1.activations')).toBe(gpuMemoryPlan(small).buffers.find((b) => b.id === 'layer1.activations')!.bytes);
    expect(hostCopyBytes(c) - hostCopyBytes(small)).toBe(8 * (5000 - 50) * (784 + 10));
  });
});

describe('buildDataset', () => {
  it('teacher: the teacher rows, as before', () => {
    const c = validateConfig({ layers: [3, 4, 2], batch: 5, trainBatches: 3 });
    const d = buildDataset(c, null);
    expect([d.inputs, d.outputs, d.train.rows, d.validation.rows]).toEqual([3, 2, 15, 5]);
  });

  it('mnist: the seeded split at the configured sizes, same seed same rows', () => {
    const c = validateConfig(MNIST);
    const d = buildDataset(c, images);
    expect([d.inputs, d.outputs, d.train.rows, d.validation.rows]).toEqual([784, 10, 64, 50]);
    expect(buildDataset(c, images).train.x).toEqual(d.train.x);
    expect(buildDataset({ ...c, seed: 2 }, images).train.x).not.toEqual(d.train.x);
  });

  it('mnist without the digits: a MissingDatasetError that says how to get them', () => {
    expect(() => buildDataset(validateConfig(MNIST), null)).toThrow(MissingDatasetError);
    expect(() => buildDataset(validateConfig(MNIST), undefined)).toThrow(/npm run build:data/);
  });

  it('the runner refuses an mnist run without the digits before any cell runs', async () => {
    const run = runBenchmark({ config: validateConfig(MNIST), backends: ['reference'], factories: trainerFactories(null), gpu: null });
    await expect(run).rejects.toThrow(/MNIST digits were not loaded/);
  });

  it('the runner trains the reference and the fast CPU on MNIST; the JSON echoes the dataset fields and reads back', async () => {
    const config = validateConfig({ ...MNIST, steps: 4 });
    const results = await runBenchmark({
      config,
      backends: ['reference', 'cpu'],
      factories: trainerFactories(null),
      gpu: null,
      mnist: images,
      recordEvery: 2,
    });
    for (const row of results.results) {
      expect(row.skipped).toBeNull();
      expect(row.steps).toBe(4);
      expect(Number.isFinite(row.finalValidationLoss)).toBe(true);
    }
    for (const row of results.results) {
      // Accuracy at every record, for the batch and the validation rows (docs/RULES.md, "Accuracy").
      expect(row.trainAccuracy.length).toBe(row.norms.length);
      expect(row.validationAccuracy.length).toBe(row.norms.length);
      expect(row.validationAccuracy.every((a) => a >= 0 && a <= 1 && Math.abs(a * 50 - Math.round(a * 50)) < 1e-9)).toBe(true);
      expect(row.finalValidationAccuracy).toBe(row.validationAccuracy.at(-1));
    }
    // The CLI's table: an accuracy column for a classification run, as percentages.
    const report = resultsReport(results);
    expect(report).toContain('accuracy train / val');
    expect(report).toMatch(/\d+\.\d % \/ \d+\.\d %/);
    // Which rows each column is of: a train accuracy is one batch's, not the training set's.
    expect(report).toContain("loss and accuracy, train: the last step's batch (32 rows), not the whole training set; val: all 50 validation rows");
    expect(configLines(results).join('\n')).toContain('MNIST: 64 training rows (2 batches), 50 validation rows');
    const back = parseResultsJson(toJson(results));
    expect(back.config).toMatchObject({ dataset: 'mnist', trainSize: 64, validationSize: 50 });
    expect(back.results.map((r) => r.validationAccuracy)).toEqual(results.results.map((r) => r.validationAccuracy));
    const csv = toCsv(results).split('\n');
    const columns = csv[0].split(',');
    const at = columns.indexOf('finalValidationAccuracy');
    expect(at).toBeGreaterThan(0);
    expect(Number(csv[1].split(',')[at])).toBe(results.results[0].finalValidationAccuracy);
  });

  it('a results file without the dataset fields reads as teacher with the default sizes', () => {
    const old = { schema: 'l2wd-bench/1', config: { layers: [3, 2] }, results: [] };
    const r = parseResultsJson(JSON.stringify(old));
    expect(r.config).toMatchObject({ dataset: 'teacher', trainSize: DEFAULT_CONFIG.trainSize, validationSize: DEFAULT_CONFIG.validationSize });
  });

  it('a results row without accuracy reads as none; one of the wrong length is refused naming the field', () => {
    const row = { backend: 'cpu', variant: 'l2', norms: [[1], [2]] };
    const file = (extra: object) => JSON.stringify({ schema: 'l2wd-bench/1', config: { layers: [3, 2] }, results: [{ ...row, ...extra }] });
    const r = parseResultsJson(file({})).results[0];
    expect([r.trainAccuracy, r.validationAccuracy, r.finalTrainAccuracy, r.finalValidationAccuracy]).toEqual([[], [], null, null]);
    expect(() => parseResultsJson(file({ validationAccuracy: [0.5] }))).toThrow('results[0].validationAccuracy: 1 entries, but norms has 2');
  });
});
