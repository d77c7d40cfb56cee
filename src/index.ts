/**
 * The engine as a library (docs/DESIGN.md, "Library"): configuration, data, the three trainers,
 * the benchmark runner and its results. Browser-safe; Node callers get WebGPU from
 * `createNodeGpu` in ./gpu/node-gpu (kept out of here so the page never imports node:fs).
 */
export * from './model/config';
export { Rng } from './model/rng';
export { glorotInit, initialParameters, cloneParameters } from './model/parameters';
export type { MlpParameters } from './model/parameters';
export { makeDataset, TEACHER_HIDDEN } from './model/data';
export type { Dataset, Split } from './model/data';
export { MNIST_CLASSES, MNIST_IMAGES, MNIST_INPUTS, MnistFormatError, parseMnist, splitMnist } from './model/mnist';
export type { MnistImages } from './model/mnist';
export { correctRows, hasAccuracy } from './model/accuracy';
export { buildDataset, MissingDatasetError } from './bench/datasets';
export { matmulFlopsPerStep } from './model/flops';
export { agreement, frobeniusNorm, normGap, weightGap } from './model/metrics';
export type { Agreement } from './model/metrics';
export { UPDATE_RULES, applyUpdate, hyperparameters, stepHyperparameters, updateRule } from './model/update-rules';
export { SCHEDULES, DECAY_SCHEDULES, decayAt, decayFollowsRate, learningRateAt, scheduleMultiplier } from './model/schedule';
export type { DecaySchedule, ScheduleName } from './model/schedule';
export type { Hyperparameters, UpdateRule } from './model/update-rules';
export type { Losses, Trainer, TrainTiming } from './model/trainer';

export { createReferenceTrainer, ReferenceTrainer, lossAndGradients } from './cpu/reference';
export { createFastCpuTrainer, FastCpuTrainer } from './cpu/fast';
export { createCpuTrainerInWorker, RemoteCpuTrainer } from './cpu/remote-trainer';
export * from './gpu/index';

export { runBenchmark } from './bench/runner';
export type { RunnerOptions, RunnerHooks, RunProgress, GpuContext, TrainerFactory } from './bench/runner';
export { parseResultsJson, toCsv, toJson, ResultsFormatError } from './bench/export';
export { median, quantile, spread } from './bench/stats';
export * from './bench/results';

// The grid run (docs/DESIGN.md, Grid): learning rate × strength heatmaps for L2 and decay.
export type { GridEvaluation, GridPoint, GridTrainer } from './model/grid-trainer';
export { GridPlanError, planGrid, runGrid } from './bench/grid-run';
export type { GridHooks, GridOptions, GridTrainerFactory } from './bench/grid-run';
export { gridTrainerFactories } from './bench/backends';
export { SequentialGridTrainer } from './bench/sequential-grid-trainer';
export { parseGridAxis, logSpace } from './bench/grid-axes';
export * from './bench/grid-results';
export { bestCell, bestStrengthPerRow, comparePair, gridPairs, gridSummary, movement } from './bench/grid-summary';
