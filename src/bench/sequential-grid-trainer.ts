/**
 * A GridTrainer (src/model/grid-trainer.ts) over any single-model Trainer factory: one trainer per
 * point, trained one after another, each from the same initial weights. It is what the CPU
 * backends (reference, WASM SIMD) run a grid with, and the fallback of a GPU without the
 * many-models trainer; it is also the CPU side of the grid's speed comparison (docs/DESIGN.md, Grid).
 *
 * Browser-safe: no Node imports.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import type { Dataset } from '../model/data';
import type { GridEvaluation, GridPoint, GridTrainer } from '../model/grid-trainer';
import type { MlpParameters } from '../model/parameters';
import type { Trainer, TrainTiming } from '../model/trainer';
import { checkStepCount } from '../model/trainer';
import type { FactoryExtras, TrainerFactory } from './run-plan';

/**
 * The single-model configuration of one point. A Trainer derives the decay factor as α = η·λ
 * (docs/RULES.md, "The pairing"), so a decay point is given the λ whose product with η is its α:
 * exactly its own λ when the point was made that way (the α/η convention), else α/η, which
 * gives back α to within an ulp.
 */
export function pointConfig(config: MlpConfig, variant: Variant, point: GridPoint): MlpConfig {
  if (variant === 'l2') return { ...config, lr: point.lr, lambda: point.lambda };
  const lambda = point.lr * point.lambda === point.alpha ? point.lambda : point.alpha / point.lr;
  return { ...config, lr: point.lr, lambda };
}

export class SequentialGridTrainer implements GridTrainer {
  private stepCount = 0;
  private disposed = false;

  private constructor(
    readonly backend: Backend,
    readonly config: MlpConfig,
    readonly variant: Variant,
    readonly points: readonly GridPoint[],
    private readonly trainers: Trainer[],
  ) {}

  /**
   * Makes one trainer per point (all of them before any trains, so a point that cannot be made
   * fails the grid before it starts). Every trainer lives until dispose: a point keeps its
   * optimizer state between `train` calls, as the GPU's models do.
   */
  static async create(
    factory: TrainerFactory,
    backend: Backend,
    config: MlpConfig,
    variant: Variant,
    points: readonly GridPoint[],
    data: Dataset,
    extras?: FactoryExtras,
  ): Promise<SequentialGridTrainer> {
    if (points.length === 0) throw new Error('a grid needs at least one point');
    const trainers: Trainer[] = [];
    try {
      for (const point of points) trainers.push(await factory(pointConfig(config, variant, point), variant, data, extras));
    } catch (e) {
      for (const t of trainers) t.dispose();
      throw e;
    }
    return new SequentialGridTrainer(backend, config, variant, points, trainers);
  }

  get engine(): string {
    const one = this.trainers[0].engine ?? this.backend;
    return `${one}, one model at a time`;
  }

  get step(): number {
    return this.stepCount;
  }

  private live(): void {
    if (this.disposed) throw new Error('this grid trainer was disposed');
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.live();
    for (const t of this.trainers) await t.setParameters(p);
    this.stepCount = 0;
  }

  /** The points one after another; device time is summed only when every point reported it. */
  async train(steps: number): Promise<TrainTiming> {
    this.live();
    checkStepCount(steps);
    let deviceMs: number | undefined = 0;
    for (const t of this.trainers) {
      const timing = await t.train(steps);
      deviceMs = deviceMs !== undefined && timing.deviceMs !== undefined ? deviceMs + timing.deviceMs : undefined;
    }
    this.stepCount += steps;
    return deviceMs === undefined ? {} : { deviceMs };
  }

  /** Each point's losses and validation accuracy (NaN for MSE), as its single-model trainer reports them. */
  async evaluate(): Promise<GridEvaluation[]> {
    this.live();
    const out: GridEvaluation[] = [];
    for (const t of this.trainers) {
      const { train, validation, validationAccuracy } = await t.losses();
      out.push({ train, validation, validationAccuracy });
    }
    return out;
  }

  async getParameters(index: number): Promise<MlpParameters> {
    this.live();
    const t = this.trainers[index];
    if (!Number.isInteger(index) || !t) throw new Error(`getParameters(${index}): the grid has points 0 to ${this.trainers.length - 1}`);
    return t.getParameters();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.trainers) t.dispose();
  }
}
