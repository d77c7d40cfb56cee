/**
 * The one dataset builder of a run (the runner, the CLI's micro-benchmarks and the page all call
 * it): the teacher MLP's rows, or the MNIST digits split for this configuration. The MNIST bytes
 * are handed in, already parsed: Node reads the file (src/cli/mnist-file.ts), the page fetches it
 * from its own origin (src/ui/mnist-asset.ts), so this module does no I/O.
 *
 * Browser-safe: no Node imports.
 */
import type { MlpConfig } from '../model/config';
import type { Dataset } from '../model/data';
import { makeDataset } from '../model/data';
import type { MnistImages } from '../model/mnist';
import { MNIST_CLASSES, MNIST_INPUTS, splitMnist } from '../model/mnist';

/** Thrown when `dataset` is mnist and no digits were handed in. */
export class MissingDatasetError extends Error {
  override name = 'MissingDatasetError';
}

/**
 * The rows of `config` (validated: with mnist, layers 784 … 10, loss ce, sizes within the asset).
 * Teacher: docs/RULES.md, "Data"; MNIST: splitMnist's seeded stratified split of `mnist`.
 */
export function buildDataset(config: MlpConfig, mnist?: MnistImages | null): Dataset {
  if (config.dataset === 'teacher') return makeDataset(config);
  if (!mnist)
    throw new MissingDatasetError(
      'dataset mnist: the MNIST digits were not loaded (the CLI reads public/data/mnist.bin, the page fetches data/mnist.bin; build it with `npm run build:data`)',
    );
  const { train, validation } = splitMnist(mnist, {
    trainSize: config.trainSize,
    validationSize: config.validationSize,
    seed: config.seed,
    labelNoise: config.labelNoise,
  });
  return { inputs: MNIST_INPUTS, outputs: MNIST_CLASSES, train, validation };
}
