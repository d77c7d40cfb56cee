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
/** The schedule presets' shared run: the small tanh MLP, η = 0.05 falling to 0 by cosine, λ = 0.01 (α_0 = 5e-4). */
const SCHEDULE_PRESET: Partial<MlpConfig> = { lr: 0.05, lambda: 0.01, schedule: 'cosine' };

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
  // A pair: the same cosine schedule under SGD, with decay that tracks η_t and with a fixed α. Measured
  // (docs/BENCHMARKS.md, "Schedules"): tracks "the same map" at ≈ 0.003× the rounding floor, fixed "drift" at ≈ 2000×.
  {
    id: 'cosine-tracks',
    label: 'Cosine η · decay tracks',
    blurb: 'SGD with a cosine schedule, decay α_t = η_t·λ following it: still the same map as L2. Then try “Cosine η · fixed α”.',
    draft: draftFromConfig({ ...base, ...SCHEDULE_PRESET, decaySchedule: 'tracks' }, { backends: ['gpu', 'cpu'] }),
  },
  {
    id: 'cosine-fixed',
    label: 'Cosine η · fixed α',
    blurb: 'The same SGD run with a fixed α = η_0·λ: as η_t falls, decay shrinks the weights more than L2 does, and they part.',
    draft: draftFromConfig({ ...base, ...SCHEDULE_PRESET, decaySchedule: 'fixed' }, { backends: ['gpu', 'cpu'] }),
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
      'A wide MLP on 1,000 MNIST digits, a fifth of them relabelled as a wrong digit: at λ = 0 it learns every label by heart, the wrong ones too, and ends near 77 % on 5,000 unseen digits; with L2 or decay (under SGD still one map) it cannot memorise the noise and ends 4–6 points higher, with a lower validation loss.',
    // Label noise, sizes, steps and λ measured with the CLI on the CPU backend, 3 seeds:
    // docs/BENCHMARKS.md, "Overfitting preset" (which also keeps the clean-label search: no accuracy gain there).
    draft: draftFromConfig(
      {
        ...base,
        dataset: 'mnist',
        layers: [784, 512, 512, 10],
        batch: 100,
        trainSize: 1000,
        validationSize: 5000,
        labelNoise: 0.2,
        steps: 800,
        lr: 0.1,
        lambda: 0.02,
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
