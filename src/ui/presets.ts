/** The presets of the form: each shows one thing the page is about. */
import type { MlpConfig } from '../model/config';
import { DEFAULT_CONFIG } from '../model/config';
import type { RunDraft } from './run-draft';
import { draftFromConfig } from './run-draft';

export interface Preset {
  id: string;
  label: string;
  /** One line on what the preset shows. */
  blurb: string;
  draft: RunDraft;
}

const base = DEFAULT_CONFIG as MlpConfig;

export const PRESETS: readonly Preset[] = [
  {
    id: 'sgd',
    label: 'SGD · small tanh MLP',
    blurb: 'The seed’s claim: under plain SGD, L2 at λ and decay at α = η·λ give the same weights.',
    draft: draftFromConfig({ ...base }, { backends: ['gpu', 'cpu'] }),
  },
  {
    id: 'adam',
    label: 'Adam · same MLP',
    blurb: 'The same network under Adam: L2 and decoupled decay (AdamW) part ways.',
    draft: draftFromConfig({ ...base, optimizer: 'adam' }, { backends: ['gpu', 'cpu'] }),
  },
  {
    id: 'large',
    label: 'Large MLP',
    blurb: 'An MNIST-sized network (784-1024-1024-10, ReLU, cross-entropy): where the GPU earns its keep.',
    draft: draftFromConfig(
      { ...base, layers: [784, 1024, 1024, 10], batch: 256, steps: 50, activation: 'relu', loss: 'ce' },
      { backends: ['gpu', 'cpu'] },
    ),
  },
  {
    id: 'overfit',
    label: 'Overfitting · MNIST',
    blurb:
      'A wide MLP on 1,000 MNIST digits: at λ = 0 it learns its training set by heart and does worse on 5,000 unseen digits than with L2 or decay, which under SGD are still one map.',
    // Sizes, steps and λ measured with the CLI on the CPU backend: docs/BENCHMARKS.md, "Overfitting preset".
    draft: draftFromConfig(
      {
        ...base,
        dataset: 'mnist',
        layers: [784, 512, 512, 10],
        batch: 100,
        trainSize: 1000,
        validationSize: 5000,
        steps: 800,
        lr: 0.1,
        lambda: 0.01,
        activation: 'relu',
        loss: 'ce',
      },
      { backends: ['gpu', 'cpu'] },
    ),
  },
  {
    id: 'sweep',
    label: 'Stress sweep',
    blurb: 'Step time GPU vs CPU as the hidden width grows from 64 to 2048: find the crossover.',
    draft: draftFromConfig(
      { ...base, layers: [256, 512, 512, 10], batch: 128, steps: 20, activation: 'relu' },
      { backends: ['gpu', 'cpu'], sweep: '64,128,256,512,1024,2048', baseline: false },
    ),
  },
];
