/**
 * MNIST digits: the binary asset written by scripts/build-mnist.mjs, checked as it is read,
 * and a seeded, stratified split into training and validation rows. Pure TS: the bytes come
 * from the page's own origin (fetch) or from disk (Node); see src/bench/datasets.ts.
 */
import type { Split } from './data';
import { Rng } from './rng';

export const MNIST_MAGIC = 'L2WDMNI1';
export const MNIST_HEADER_BYTES = 24;
export const MNIST_SIDE = 28;
/** Inputs of an MNIST model (28 × 28 grey levels) and its outputs (ten digits). */
export const MNIST_INPUTS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;
/** Images in the asset: scripts/build-mnist.mjs converts the `mnist` package's 10,000 digits (config sizes are checked against it). */
export const MNIST_IMAGES = 10_000;

/** The digits as stored: one label and 784 grey levels (0–255) per image. */
export interface MnistImages {
  count: number;
  labels: Uint8Array;
  pixels: Uint8Array;
}

export class MnistFormatError extends Error {
  override name = 'MnistFormatError';
}

/** Reads and checks the asset; any mismatch is a MnistFormatError that says what is wrong. */
export function parseMnist(bytes: Uint8Array): MnistImages {
  const rebuild = 'rebuild it with `npm run build:data`';
  if (bytes.length < MNIST_HEADER_BYTES) {
    throw new MnistFormatError(`The MNIST asset is ${bytes.length} bytes, shorter than its ${MNIST_HEADER_BYTES}-byte header: ${rebuild}.`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MNIST_MAGIC) {
    throw new MnistFormatError(
      `The MNIST asset does not start with "${MNIST_MAGIC}" (found ${JSON.stringify(magic)}): it is not this app's MNIST file; ${rebuild}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const rows = view.getUint32(12, true);
  const cols = view.getUint32(16, true);
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE) {
    throw new MnistFormatError(`The MNIST asset holds ${rows}×${cols} images; the app expects ${MNIST_SIDE}×${MNIST_SIDE}.`);
  }
  const expected = MNIST_HEADER_BYTES + count * (1 + MNIST_INPUTS);
  if (count === 0 || bytes.length !== expected) {
    throw new MnistFormatError(
      `The MNIST asset is ${bytes.length} bytes; its header (${count} images) needs exactly ${expected}: it is truncated or corrupt; ${rebuild}.`,
    );
  }
  const payload = bytes.subarray(MNIST_HEADER_BYTES);
  const checksum = fnv1a(payload);
  if (checksum !== view.getUint32(20, true)) {
    throw new MnistFormatError(`The MNIST asset's checksum does not match its contents (corrupt file); ${rebuild}.`);
  }
  const labels = payload.subarray(0, count);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= MNIST_CLASSES) throw new MnistFormatError(`MNIST image ${i} has label ${labels[i]}; labels are 0–9.`);
  }
  return { count, labels, pixels: payload.subarray(count) };
}

/** FNV-1a, 32 bits: the asset's checksum (same as scripts/build-mnist.mjs). */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export interface MnistSplitOptions {
  trainSize: number;
  validationSize: number;
  seed: number;
  /** Fraction of training rows given a different, seeded label (docs/RULES.md, "Data"); default 0. */
  labelNoise?: number;
}

/**
 * A seeded, stratified split: each digit contributes to both sets in proportion to its share of
 * the images (largest-remainder rounding), no image is in both, and the rows of each set are
 * shuffled so consecutive mini-batches mix the classes. Inputs are grey levels / 255 (in [0, 1]);
 * targets are one-hot over the ten digits, for the softmax cross-entropy loss.
 */
export function splitMnist(images: MnistImages, options: MnistSplitOptions): { train: Split; validation: Split } {
  const { trainSize, validationSize, seed } = options;
  const labelNoise = options.labelNoise ?? 0;
  if (!(labelNoise >= 0 && labelNoise <= 1)) throw new RangeError(`labelNoise = ${labelNoise}: must be a fraction from 0 to 1.`);
  for (const [name, v] of [
    ['trainSize', trainSize],
    ['validationSize', validationSize],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} = ${v}: must be a whole number ≥ 1.`);
  }
  if (trainSize + validationSize > images.count) {
    throw new RangeError(`trainSize + validationSize = ${trainSize + validationSize}: the MNIST asset has ${images.count} images.`);
  }
  const rng = new Rng(seed ^ 0x3a1570);
  const byClass: number[][] = Array.from({ length: MNIST_CLASSES }, () => []);
  for (let i = 0; i < images.count; i++) byClass[images.labels[i]].push(i);
  for (const members of byClass) shuffle(members, rng);

  const trainQuota = quotas(
    byClass.map((m) => m.length),
    trainSize,
  );
  const validationQuota = quotas(
    byClass.map((m, k) => m.length - trainQuota[k]),
    validationSize,
  );
  const train: number[] = [];
  const validation: number[] = [];
  byClass.forEach((members, k) => {
    train.push(...members.slice(0, trainQuota[k]));
    validation.push(...members.slice(trainQuota[k], trainQuota[k] + validationQuota[k]));
  });
  shuffle(train, rng);
  shuffle(validation, rng);
  const trainLabels = train.map((image) => images.labels[image]);
  const noisy = noisyLabels(trainLabels, labelNoise, seed);
  return { train: rowsFor(images, train, noisy), validation: rowsFor(images, validation) };
}

/**
 * Label noise, after the split and on its own stream (`Rng(seed ^ 0x1abe1)`, so the split is the
 * same with or without it): round(fraction × rows) training rows, a seeded choice (the first of a
 * Fisher–Yates shuffle of the row indices), each get a class drawn uniformly from the nine others.
 * Returns the labels, the changed ones replaced.
 */
export function noisyLabels(labels: readonly number[], fraction: number, seed: number): number[] {
  const out = [...labels];
  const count = Math.round(fraction * labels.length);
  if (count === 0) return out;
  const rng = new Rng(seed ^ 0x1abe1);
  const rows = labels.map((_, r) => r);
  shuffle(rows, rng);
  for (const r of rows.slice(0, count)) {
    const k = Math.floor(rng.uniform() * (MNIST_CLASSES - 1));
    out[r] = k >= labels[r] ? k + 1 : k;
  }
  return out;
}

/** `total` shared in proportion to `sizes`, never more than a class has (largest remainder). */
function quotas(sizes: number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * total) / all);
  const q = exact.map(Math.floor);
  let left = total - q.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => [e - Math.floor(e), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; left > 0; i = (i + 1) % order.length) {
    const k = order[i][1];
    if (q[k] < sizes[k]) (q[k]++, left--);
  }
  return q;
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function rowsFor(images: MnistImages, order: readonly number[], labels?: readonly number[]): Split {
  const x = new Float64Array(order.length * MNIST_INPUTS);
  const t = new Float64Array(order.length * MNIST_CLASSES);
  order.forEach((image, r) => {
    const src = images.pixels.subarray(image * MNIST_INPUTS, (image + 1) * MNIST_INPUTS);
    for (let i = 0; i < MNIST_INPUTS; i++) x[r * MNIST_INPUTS + i] = src[i] / 255;
    t[r * MNIST_CLASSES + (labels ? labels[r] : images.labels[image])] = 1;
  });
  return { rows: order.length, x, t };
}
