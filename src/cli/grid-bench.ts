/**
 * `npm run bench:grid`: the throughput of a grid run (issue 14 item 4) in model-steps per second,
 * three ways on the same G points, shape, data and steps:
 *   gpu grid     GpuGridTrainer, all G models in one dispatch per product (src/gpu/grid-trainer.ts)
 *   gpu × G      G single-model GpuTrainers, one after another
 *   cpu × G      G fast CPU trainers (WebAssembly SIMD, every thread), one after another
 *
 *   npm run bench:grid -- [--layers 784,128,10] [--batch 64] [--models 64] [--steps 4] [--repeats 3]
 *                         [--optimizer adam] [--variant decay] [--workers N] [--skip gpu-single,cpu]
 *
 * Wall time around each train(steps) call (it resolves when the steps are done), medians over
 * repeats after one untimed warm-up; building the trainers is not timed. On a software adapter
 * (SwiftShader) the "GPU" is CPU emulation on the same cores as the CPU trainer: the figures
 * then compare dispatch and emulation overheads, not a GPU with a CPU.
 */
import './relaxed-simd';
import os from 'node:os';
import { createFastCpuTrainer } from '../cpu/fast';
import { implementationLabel } from '../gpu/adapter-summary';
import { acquireDevice } from '../gpu/device';
import { createGpuGridTrainer } from '../gpu/grid-trainer';
import { createGpuTrainer } from '../gpu/gpu-trainer';
import { maxGridModels } from '../gpu/memory-plan';
import { createNodeGpu } from '../gpu/node-gpu';
import { pointConfig } from '../bench/sequential-grid-trainer';
import { median } from '../bench/stats';
import type { OptimizerName, Variant } from '../model/config';
import { OPTIMIZERS, VARIANTS, validateConfig } from '../model/config';
import { makeDataset } from '../model/data';
import type { GridPoint } from '../model/grid-trainer';
import { matmulFlopsPerStep } from '../model/flops';

const WAYS = ['gpu-grid', 'gpu-single', 'cpu'] as const;
type Way = (typeof WAYS)[number];

function fail(message: string): never {
  process.stderr.write(`bench:grid: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const known = ['--layers', '--batch', '--models', '--steps', '--repeats', '--optimizer', '--variant', '--workers', '--skip'];
    if (!known.includes(flag) || value === undefined) fail(`unknown or incomplete flag ${flag} (known: ${known.join(', ')}, each with a value)`);
    values.set(flag.slice(2), value);
  }
  const int = (name: string, fallback: number, least = 1) => {
    const v = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(v) || v < least) fail(`--${name} ${values.get(name)}: give an integer ≥ ${least}`);
    return v;
  };
  const layers = (values.get('layers') ?? '784,128,10').split(',').map(Number);
  if (layers.length < 2 || layers.some((n) => !Number.isInteger(n) || n < 1)) fail(`--layers ${values.get('layers')}: give two or more positive integers`);
  const optimizer = (values.get('optimizer') ?? 'adam') as OptimizerName;
  if (!OPTIMIZERS.includes(optimizer)) fail(`--optimizer ${optimizer}: give ${OPTIMIZERS.join(', ')}`);
  const variant = (values.get('variant') ?? 'decay') as Variant;
  if (!VARIANTS.includes(variant)) fail(`--variant ${variant}: give ${VARIANTS.join(' or ')}`);
  const skip = (values.get('skip') ?? '').split(',').filter(Boolean) as Way[];
  const bad = skip.find((w) => !WAYS.includes(w));
  if (bad) fail(`--skip ${bad}: give any of ${WAYS.join(', ')}`);
  const workers = values.has('workers') ? int('workers', 1) : undefined;
  return {
    layers,
    batch: int('batch', 64),
    models: int('models', 64),
    steps: int('steps', 4),
    repeats: int('repeats', 3),
    optimizer,
    variant,
    skip,
    workers,
  };
}

/** G points on a log grid: η over a decade and a half, the strength over four decades. */
function gridPoints(models: number, optimizer: OptimizerName): GridPoint[] {
  const side = Math.ceil(Math.sqrt(models));
  const lr0 = optimizer === 'adam' ? 1e-4 : 1e-3;
  return Array.from({ length: models }, (_, g) => {
    const lr = lr0 * Math.pow(10, (1.5 * (g % side)) / Math.max(1, side - 1));
    const strength = 1e-5 * Math.pow(10, (4 * Math.floor(g / side)) / Math.max(1, side - 1));
    return { lr, lambda: strength, alpha: strength * lr };
  });
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = validateConfig({
    layers: args.layers,
    batch: args.batch,
    optimizer: args.optimizer,
    activation: 'tanh',
    loss: 'mse',
    lr: 1e-3,
    lambda: 1e-3,
  });
  const data = makeDataset(config);
  const points = gridPoints(args.models, args.optimizer);
  const { steps, repeats, variant } = args;
  const G = points.length;
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; load average ${load()}`);

  const nodeGpu = await createNodeGpu();
  const { device, adapter } = await acquireDevice(nodeGpu.gpu, {}, nodeGpu);
  console.log(
    `adapter: ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}${adapter.isFallbackAdapter ? ' (software fallback)' : ''} · WebGPU ${implementationLabel(adapter)}`,
  );
  if (adapter.isFallbackAdapter)
    console.log('WARNING: software adapter (SwiftShader): the "GPU" runs on these CPU cores; its figures are CPU emulation, not GPU performance.');
  const flops = matmulFlopsPerStep(config.layers, config.batch);
  console.log(
    `grid: ${G} models of layers ${config.layers.join(',')}, batch ${config.batch}, tanh, MSE, ${config.optimizer} + ${variant}; ` +
      `${(flops / 1e6).toPrecision(3)} MFLOP of matmuls per model-step; at most ${maxGridModels(config, device.limits)} models of this shape fit this device's limits`,
  );
  console.log(`timing: wall clock around train(${steps}), median of ${repeats} after a warm-up; model-steps/s = models × steps / seconds\n`);

  const rows: { way: string; ms: number }[] = [];
  const report = (way: string, ms: number) => {
    rows.push({ way, ms });
    const rate = (G * steps * 1000) / ms;
    console.log(
      `  ${way.padEnd(44)} ${ms.toFixed(1).padStart(10)} ms  ${rate.toFixed(1).padStart(10)} model-steps/s  ${((rate * flops) / 1e9).toFixed(2).padStart(7)} GFLOP/s`,
    );
  };
  console.log(`  ${'way'.padEnd(64)} ${`${G}×${steps} steps`.padStart(13)}  ${'throughput'.padStart(24)}`);

  if (!args.skip.includes('gpu-grid')) {
    const grid = await createGpuGridTrainer(device, config, variant, data, points);
    await grid.train(1);
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++) samples.push(await timed(() => grid.train(steps)));
    const finite = (await grid.evaluate()).filter((e) => Number.isFinite(e.train)).length;
    grid.dispose();
    report(`${grid.engine} (${finite}/${G} finite)`, median(samples));
  }
  if (!args.skip.includes('gpu-single')) {
    const trainers = await Promise.all(points.map((p) => createGpuTrainer(device, pointConfig(config, variant, p), variant, data)));
    for (const t of trainers) await t.train(1);
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++)
      samples.push(
        await timed(async () => {
          for (const t of trainers) await t.train(steps);
        }),
      );
    for (const t of trainers) t.dispose();
    report(`GPU: ${G} single-model trainers, one after another`, median(samples));
  }
  if (!args.skip.includes('cpu')) {
    // One CPU trainer at a time (each holds its worker threads): G timed runs per repeat.
    const perRepeat = new Array<number>(repeats).fill(0);
    let engine = 'CPU';
    for (const p of points) {
      const t = await createFastCpuTrainer(pointConfig(config, variant, p), variant, data, args.workers ? { workers: args.workers } : {});
      engine = t.engine;
      try {
        await t.train(1);
        for (let r = 0; r < repeats; r++) perRepeat[r] += await timed(() => t.train(steps));
      } finally {
        t.dispose();
      }
    }
    report(`${engine}, ${G} models one after another`, median(perRepeat));
  }
  const grid = rows.find((r) => r.way.startsWith('GPU: ') && r.way.includes('per dispatch'));
  if (grid) for (const r of rows.filter((x) => x !== grid)) console.log(`  the grid's model-steps/s ÷ ${r.way}'s: ${(r.ms / grid.ms).toFixed(2)}×`);
  console.log(`\nload average after: ${load()}`);
  device.destroy();
  nodeGpu.release();
}

main().catch((e) => {
  process.stderr.write(`bench:grid: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
