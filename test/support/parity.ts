/**
 * One suite of correctness cases for every fast backend (fast CPU, GPU), each run against
 * the float64 reference from the same initial parameters, in the tfjs `describeWithFlags` manner.
 */
import { createReferenceTrainer } from '../../src/cpu/reference';
import type { MlpConfig, Variant } from '../../src/model/config';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, VARIANTS, validateConfig } from '../../src/model/config';
import { DECAY_SCHEDULES, SCHEDULES } from '../../src/model/schedule';
import type { Dataset } from '../../src/model/data';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import type { Trainer } from '../../src/model/trainer';

export interface ParityCase {
  name: string;
  config: MlpConfig;
  variant: Variant;
}

/** All six rules × both activations × both losses, at widths that are multiples of no tile. */
export function parityCases(base: Partial<MlpConfig> = {}): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const optimizer of OPTIMIZERS)
    for (const variant of VARIANTS)
      for (const activation of ACTIVATIONS)
        for (const loss of LOSSES) {
          const config = validateConfig({
            layers: [5, 17, 3],
            batch: 7,
            lr: optimizer === 'adam' ? 1e-3 : 0.05,
            lambda: 0.01,
            seed: 11,
            ...base,
            optimizer,
            activation,
            loss,
          });
          cases.push({ name: `${optimizer}/${variant}/${activation}/${loss}`, config, variant });
        }
  return cases;
}

/**
 * Every schedule × both decay conventions × SGD and Adam × both variants, at the parity suite's odd
 * sizes. The step schedule halves η every `stepEvery` steps, so a run of 2·stepEvery + a few steps
 * sees three rates (and, on the GPU, 70 steps cross a submit of 64 slots mid-schedule).
 */
export function scheduleCases(stepEvery: number): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const schedule of SCHEDULES)
    for (const decaySchedule of DECAY_SCHEDULES)
      for (const c of parityCases({ schedule, decaySchedule, stepEvery, stepGamma: 0.5 }))
        if (c.config.optimizer !== 'momentum' && c.config.activation === (c.config.optimizer === 'sgd' ? 'tanh' : 'relu') && c.config.loss === 'ce')
          cases.push({ ...c, name: `${schedule}/${decaySchedule}/${c.name}` });
  return cases;
}

export interface ParityOutcome {
  /** Per-layer weight gap (docs/RULES.md) of the candidate against the reference after `steps`. */
  weightGap: number[];
  normGap: number[];
  candidateLoss: number;
  referenceLoss: number;
}

/** Trains the candidate and the reference from the same parameters and compares the weights. */
export async function runParity(
  makeCandidate: (config: MlpConfig, variant: Variant, data: Dataset) => Trainer | Promise<Trainer>,
  c: ParityCase,
  steps: number,
): Promise<ParityOutcome> {
  const data = makeDataset(c.config);
  const reference = createReferenceTrainer(c.config, c.variant, data);
  const candidate = await makeCandidate(c.config, c.variant, data);
  try {
    const start = initialParameters(c.config);
    await reference.setParameters(start);
    await candidate.setParameters(start);
    await reference.train(steps);
    await candidate.train(steps);
    const [p, q] = [await candidate.getParameters(), await reference.getParameters()];
    const gaps = agreement(p.weights, q.weights);
    return {
      ...gaps,
      candidateLoss: (await candidate.losses()).train,
      referenceLoss: (await reference.losses()).train,
    };
  } finally {
    candidate.dispose();
    reference.dispose();
  }
}
