/**
 * A float64 reference trainer whose `train` first awaits a delay: a slow or stalling backend for
 * the runner's time-budget tests, with every other call passed straight through.
 */
import type { TrainerFactory } from '../../src/bench/runner';
import { createReferenceTrainer } from '../../src/cpu/reference';
import type { Trainer } from '../../src/model/trainer';

/** The reference backend, sleeping `delayMs(steps)` milliseconds before each `train(steps)`. */
export function delayedReference(delayMs: (steps: number) => number): TrainerFactory {
  return (config, variant, data) => {
    const inner = createReferenceTrainer(config, variant, data);
    const wrapped: Trainer = {
      backend: inner.backend,
      variant: inner.variant,
      config: inner.config,
      get step() {
        return inner.step;
      },
      setParameters: (p) => inner.setParameters(p),
      getParameters: () => inner.getParameters(),
      train: async (steps) => {
        const ms = delayMs(steps);
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return inner.train(steps);
      },
      norms: () => inner.norms(),
      losses: () => inner.losses(),
      dispose: () => inner.dispose(),
    };
    return wrapped;
  };
}
