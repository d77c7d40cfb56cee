/**
 * Losses and accuracy of a fast backend (fast CPU, GPU) against the float64 reference, from the
 * same initial parameters, at odd sizes: validation sets of fewer rows than a batch, of whole
 * batches, and of batches plus a partial one (the GPU evaluates them in chunks), MNIST and the
 * teacher, and NaN-poisoned rows (docs/RULES.md, "Accuracy").
 */
import { expect } from 'vitest';
import { buildDataset } from '../../src/bench/datasets';
import { readMnistFile } from '../../src/cli/mnist-file';
import { createReferenceTrainer, forward } from '../../src/cpu/reference';
import type { MlpConfig, Variant } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import type { Dataset } from '../../src/model/data';
import { initialParameters } from '../../src/model/parameters';
import type { MlpParameters } from '../../src/model/parameters';
import type { Losses, Trainer } from '../../src/model/trainer';

export type Factory = (config: MlpConfig, variant: Variant, data: Dataset) => Trainer | Promise<Trainer>;

export interface AccuracyCase {
  name: string;
  config: MlpConfig;
  /** Poison the data or the weights before training (NaN cases). */
  poison?: (data: Dataset, init: MlpParameters) => void;
  /** What must hold beyond agreeing with the reference. */
  check?: (out: AccuracyOutcome) => void;
}

const mnistBase = { dataset: 'mnist', layers: [784, 19, 10], loss: 'ce', batch: 13, trainSize: 39, lr: 0.1, activation: 'relu', seed: 5 } as const;

export function accuracyCases(): AccuracyCase[] {
  return [
    { name: 'mnist, validation 100 rows = 7 batches of 13 + 9', config: validateConfig({ ...mnistBase, validationSize: 100 }) },
    { name: 'mnist, validation 26 rows = 2 whole batches', config: validateConfig({ ...mnistBase, validationSize: 26 }) },
    { name: 'mnist, validation 5 rows < one batch', config: validateConfig({ ...mnistBase, validationSize: 5 }) },
    {
      name: 'mnist, two hidden layers, adam, batch 64, validation 300',
      config: validateConfig({ ...mnistBase, layers: [784, 33, 17, 10], batch: 64, trainSize: 128, validationSize: 300, optimizer: 'adam', lr: 1e-3 }),
    },
    { name: 'teacher ce, 5,17,3', config: validateConfig({ layers: [5, 17, 3], batch: 7, loss: 'ce', lr: 0.1, seed: 3 }) },
    { name: 'teacher mse: no accuracy', config: validateConfig({ layers: [5, 17, 3], batch: 7, loss: 'mse', lr: 0.05 }) },
    {
      // tanh: the GPU's relu is WGSL max(0, z), which may return 0 for a NaN z (the CPUs' Math.max gives NaN).
      name: 'mnist tanh, a NaN pixel in validation rows 0 and 57: those rows are wrong, the loss NaN',
      config: validateConfig({ ...mnistBase, activation: 'tanh', validationSize: 100 }),
      poison: (data) => {
        data.validation.x[3] = Number.NaN;
        data.validation.x[57 * 784 + 400] = Number.NaN;
      },
      check: ({ reference, candidate }) => {
        expect(reference.validation).toBeNaN();
        expect(reference.validationAccuracy).toBeLessThanOrEqual(0.98);
        expect(candidate.validationAccuracy).toBeGreaterThan(0);
      },
    },
    {
      name: 'mnist, a NaN output bias: every row wrong',
      config: validateConfig({ ...mnistBase, validationSize: 100 }),
      poison: (_data, init) => {
        init.biases[init.biases.length - 1][4] = Number.NaN;
      },
      check: ({ reference, candidate }) => {
        expect([reference.validationAccuracy, candidate.validationAccuracy, candidate.trainAccuracy]).toEqual([0, 0, 0]);
      },
    },
  ];
}

let images: ReturnType<typeof readMnistFile> | null = null;

export interface AccuracyOutcome {
  candidate: Losses;
  reference: Losses;
  /** Validation rows whose reference top two logits are within 1e-4 of each other: float32 may order them otherwise. */
  nearTies: number;
  validationRows: number;
}

/** Trains candidate and reference `steps` steps from the same start; returns both trainers' losses. */
export async function runAccuracy(factory: Factory, c: AccuracyCase, steps: number): Promise<AccuracyOutcome> {
  const data = c.config.dataset === 'mnist' ? buildDataset(c.config, (images ??= readMnistFile())) : buildDataset(c.config);
  const init = initialParameters(c.config);
  c.poison?.(data, init);
  const reference = createReferenceTrainer(c.config, 'l2', data);
  const candidate = await factory(c.config, 'l2', data);
  try {
    const out: Losses[] = [];
    for (const t of [candidate, reference]) {
      await t.setParameters(init);
      await t.train(steps);
      out.push(await t.losses());
    }
    const { layers, activation, loss } = c.config;
    const nL = layers[layers.length - 1];
    const v = data.validation;
    const z = forward(layers, activation, loss, await reference.getParameters(), v.x, v.rows).z.at(-1)!;
    let nearTies = 0;
    for (let r = 0; r < v.rows; r++) {
      const row = Array.from(z.subarray(r * nL, (r + 1) * nL)).sort((a, b) => b - a);
      if (row[0] - row[1] < 1e-4) nearTies++;
    }
    return { candidate: out[0], reference: out[1], nearTies, validationRows: v.rows };
  } finally {
    candidate.dispose();
    reference.dispose();
  }
}
