/**
 * `npm run bench:kernels`: times the matmul kernels (register-blocked with subgroup-shared loads
 * where the device has 4-wide subgroups, register-blocked, workgroup-tiled, naive)
 * on square and training-shaped products, then a whole training step with each, on the
 * machine's GPU (SwiftShader where there is none). Medians of several timed repeats after a
 * warm-up; GPU time from timestamp-query when the adapter has it, wall time otherwise.
 *
 *   npm run bench:kernels -- [--sizes 256,512,1024] [--repeats 5] [--step-layers 784,512,512,10] [--step-batch 128] [--quick]
 *
 * Defaults follow the adapter: on a software adapter (SwiftShader, ~0.1–1.5 GFLOP/s on two
 * shared cores) squares of 128, 256, 512 and a 256-wide step; on a GPU 256 … 2048 and a
 * 784,1024,1024,10 step at batch 256.
 */
import os from 'node:os';
import { acquireDevice } from '../gpu/device';
import { createGpuTrainer } from '../gpu/gpu-trainer';
import type { MatmulChoice } from '../gpu/kernels';
import { Kernels, MATMUL_VARIANTS } from '../gpu/kernels';
import { paddedBytes } from '../gpu/memory-plan';
import type { MatmulProduct } from '../gpu/passes/matmul-pass';
import { MatmulPass } from '../gpu/passes/matmul-pass';
import { createNodeGpu } from '../gpu/node-gpu';
import { implementationLabel } from '../gpu/adapter-summary';
import { checkTimestamps } from '../gpu/timestamp-check';
import type { OptimizerName, Variant } from '../model/config';
import { validateConfig } from '../model/config';
import { makeDataset } from '../model/data';
import { matmulFlopsPerStep } from '../model/flops';
import { median } from '../bench/stats';

interface Shape {
  name: string;
  product: MatmulProduct;
  M: number;
  N: number;
  K: number;
}

interface Args {
  sizes: number[] | null;
  repeats: number;
  quick: boolean;
  stepLayers: number[] | null;
  stepBatch: number | null;
  /** The step's optimizer and rule (default Adam + decay). */
  optimizer: OptimizerName;
  variant: Variant;
  /** Only the whole step, with these kernel choices (skips the per-product table). */
  stepOnly: MatmulChoice[] | null;
  /** Time the step's own products (each layer's forward, dW, dA) instead of squares. */
  products: boolean;
}

const CHOICES: readonly MatmulChoice[] = [...MATMUL_VARIANTS, 'auto'];

function parseArgs(argv: string[]): Args {
  let sizes: number[] | null = null;
  let optimizer: OptimizerName = 'adam';
  let variant: Variant = 'decay';
  let stepOnly: MatmulChoice[] | null = null;
  let products = false;
  let stepLayers: number[] | null = null;
  let stepBatch: number | null = null;
  let repeats = 5;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--sizes' && value) {
      sizes = value.split(',').map(Number);
      if (sizes.some((s) => !Number.isInteger(s) || s < 1)) fail(`--sizes ${value}: give positive integers, e.g. 256,512,1024`);
      i++;
    } else if (flag === '--repeats' && value) {
      repeats = Number(value);
      if (!Number.isInteger(repeats) || repeats < 1) fail(`--repeats ${value}: give an integer ≥ 1`);
      i++;
    } else if (flag === '--step-layers' && value) {
      stepLayers = value.split(',').map(Number);
      if (stepLayers.length < 2 || stepLayers.some((s) => !Number.isInteger(s) || s < 1))
        fail(`--step-layers ${value}: give two or more positive integers, e.g. 784,512,512,10`);
      i++;
    } else if (flag === '--step-batch' && value) {
      stepBatch = Number(value);
      if (!Number.isInteger(stepBatch) || stepBatch < 1) fail(`--step-batch ${value}: give an integer ≥ 1`);
      i++;
    } else if (flag === '--optimizer' && value) {
      if (value !== 'sgd' && value !== 'momentum' && value !== 'adam') fail(`--optimizer ${value}: give sgd, momentum or adam`);
      optimizer = value;
      i++;
    } else if (flag === '--variant' && value) {
      if (value !== 'l2' && value !== 'decay') fail(`--variant ${value}: give l2 or decay`);
      variant = value;
      i++;
    } else if (flag === '--step-only' && value) {
      const list = value.split(',');
      const bad = list.find((c) => !(CHOICES as readonly string[]).includes(c));
      if (bad !== undefined) fail(`--step-only ${value}: ${bad} is not one of ${CHOICES.join(', ')}`);
      stepOnly = list as MatmulChoice[];
      i++;
    } else if (flag === '--products') products = true;
    else if (flag === '--quick') quick = true;
    else
      fail(
        `unknown or incomplete flag ${flag} (known: --sizes LIST, --repeats N, --step-layers LIST, --step-batch N, --optimizer NAME, --variant l2|decay, --step-only KERNELS, --products, --quick)`,
      );
  }
  return { sizes, repeats, quick, stepLayers, stepBatch, optimizer, variant, stepOnly, products };
}

function fail(message: string): never {
  process.stderr.write(`bench:kernels: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { repeats, quick } = args;
  const nodeGpu = await createNodeGpu();
  const { device, adapter, hasTimestamps: offered } = await acquireDevice(nodeGpu.gpu, {}, nodeGpu);
  // Device time only where its units agree with the wall clock (src/gpu/timestamp-check.ts).
  const timestampCheck = offered ? await checkTimestamps(device) : null;
  const hasTimestamps = timestampCheck?.trusted ?? false;
  const software = adapter.isFallbackAdapter;
  const sizes = args.sizes ?? (software ? [128, 256, 512] : [256, 512, 1024, 2048]);
  // FLOPs per timed sample: enough that a quantised timer is not the limit, few enough that a
  // CPU-emulated adapter finishes in minutes.
  const flopsPerSample = quick ? 2e8 : software ? 2e8 : 4e9;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpu}, ${os.cpus().length} cores`);
  console.log(
    `adapter: ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}${adapter.isFallbackAdapter ? ' (software fallback)' : ''} · WebGPU ${implementationLabel(adapter)}`,
  );
  if (adapter.isFallbackAdapter) console.log('WARNING: software adapter (SwiftShader): these timings are CPU emulation, not GPU performance.');
  if (timestampCheck) console.log(`timer check: ${timestampCheck.note}`);
  console.log(`timer: ${hasTimestamps ? 'timestamp-query' : 'wall clock'}; medians of ${repeats} repeats after a warm-up\n`);

  const kernels = Kernels.of(device);
  const querySet = hasTimestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  /** Milliseconds for `dispatches` back-to-back runs of the pass in one compute pass. */
  async function timeDispatches(pass: MatmulPass, dispatches: number): Promise<number> {
    const encoder = device.createCommandEncoder();
    const cp = encoder.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    for (let i = 0; i < dispatches; i++) pass.encode(cp);
    cp.end();
    if (querySet) {
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readback, 0, 16);
    }
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    if (!querySet) {
      await device.queue.onSubmittedWorkDone();
      return performance.now() - start;
    }
    await readback.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return end > begin ? Number(end - begin) / 1e6 : performance.now() - start;
  }

  const config = validateConfig({
    layers: args.stepLayers ?? (quick ? [256, 256, 10] : software ? [784, 256, 256, 10] : [784, 1024, 1024, 10]),
    batch: args.stepBatch ?? (software ? 64 : 256),
    optimizer: args.optimizer,
    lr: args.optimizer === 'adam' ? 1e-3 : 1e-2,
    lambda: 1e-3,
    activation: 'tanh',
    loss: 'mse',
  });
  const { layers, batch } = config;
  const stepProducts: Shape[] = layers
    .slice(1)
    .flatMap((n, i): Shape[] => [
      { name: `L${i + 1} fwd ${batch}×${n}×${layers[i]}`, product: 'forward', M: batch, N: n, K: layers[i] },
      { name: `L${i + 1} dW ${layers[i]}×${n}×${batch}`, product: 'weightGrad', M: layers[i], N: n, K: batch },
      ...(i > 0 ? [{ name: `L${i + 1} dA ${batch}×${layers[i]}×${n}`, product: 'inputGrad' as const, M: batch, N: layers[i], K: n }] : []),
    ]);
  const shapes: Shape[] = args.products
    ? stepProducts
    : [
        ...sizes.map((s): Shape => ({ name: `${s}×${s}×${s}`, product: 'forward', M: s, N: s, K: s })),
        // The first layer of an MNIST-sized MLP: forward A·W at batch 128 (software) or 256.
        software
          ? { name: 'train 128×256×784', product: 'forward', M: 128, N: 256, K: 784 }
          : { name: 'train 256×1024×784', product: 'forward', M: 256, N: 1024, K: 784 },
      ];
  // The subgroup kernel exists only on devices with 4-wide subgroups (src/gpu/kernels.ts).
  const variants = MATMUL_VARIANTS.filter((v) => v !== 'subgroup' || kernels.hasSubgroup4);
  const faster = variants.filter((v) => v !== 'naive');
  if (!args.stepOnly) {
    console.log(args.products ? "matmul (the step's products):" : 'matmul (forward product, A·W + b, identity):');
    if (!kernels.hasSubgroup4) console.log("  (no 'subgroup' column: this device has no 4-wide subgroups)");
    console.log(
      `  ${'shape'.padEnd(22)}${variants.map((v) => `${v} ms`.padStart(12) + `${v} GFLOP/s`.padStart(18)).join('')}${faster.map((v) => `${v}/naive`.padStart(16)).join('')}`,
    );
  }
  for (const shape of args.stepOnly && !args.products ? [] : shapes) {
    const { M, N, K } = shape;
    const make = (floats: number) => device.createBuffer({ size: paddedBytes(floats), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const a = make(M * K);
    const b = make(K * N);
    const bias = make(N);
    const aux = make(M * N);
    const out = make(M * N);
    device.queue.writeBuffer(a, 0, new Float32Array(M * K).fill(0.5));
    device.queue.writeBuffer(b, 0, new Float32Array(K * N).fill(0.25));
    const flops = 2 * M * N * K;
    const row: number[] = [];
    for (const variant of variants) {
      const pass = new MatmulPass(
        kernels,
        `bench.${variant}`,
        shape.product,
        { M, N, K },
        { a, b, bias, aux, out },
        args.products ? 'tanh' : 'identity',
        variant,
      );
      await timeDispatches(pass, 1); // warm-up: pipeline compilation, first-touch of buffers
      // Enough dispatches per measurement for ~1e9 FLOPs (≥ 1), so quantised timers are not the limit.
      const dispatches = Math.max(1, Math.min(64, Math.round(flopsPerSample / flops)));
      const samples: number[] = [];
      for (let r = 0; r < repeats; r++) samples.push((await timeDispatches(pass, dispatches)) / dispatches);
      row.push(median(samples));
    }
    const gflops = row.map((ms) => flops / ms / 1e6);
    console.log(
      `  ${shape.name.padEnd(22)}${row.map((ms, i) => ms.toFixed(3).padStart(12) + gflops[i].toFixed(2).padStart(18)).join('')}${faster.map((v) => `${(row[variants.indexOf('naive')] / row[variants.indexOf(v)]).toFixed(1)}×`.padStart(16)).join('')}`,
    );
    for (const buf of [a, b, bias, aux, out]) buf.destroy();
  }

  const data = makeDataset(config);
  const stepFlops = matmulFlopsPerStep(config.layers, config.batch);
  console.log(
    `\nwhole training step (layers ${config.layers.join(',')}, batch ${config.batch}, ${config.optimizer} + ${args.variant}, ${(stepFlops / 1e9).toFixed(2)} GFLOP of matmuls):`,
  );
  const stepMs: Partial<Record<MatmulChoice, number>> = {};
  for (const variant of args.stepOnly ?? CHOICES.filter((c) => c !== 'subgroup' || kernels.hasSubgroup4)) {
    const trainer = await createGpuTrainer(device, config, args.variant, data, { matmul: variant });
    await trainer.train(2); // warm-up
    const samples: number[] = [];
    const steps = quick || software ? 2 : 20;
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      const { deviceMs } = await trainer.train(steps);
      samples.push((deviceMs ?? performance.now() - start) / steps);
    }
    if (args.stepOnly) console.log(`  ${variant} samples (ms/step): ${samples.map((s) => s.toFixed(1)).join(' ')}`);
    trainer.dispose();
    stepMs[variant] = median(samples);
    console.log(
      `  ${variant.padEnd(8)} ${stepMs[variant]!.toFixed(2).padStart(9)} ms/step ${(stepFlops / stepMs[variant]! / 1e6).toFixed(2).padStart(8)} GFLOP/s`,
    );
  }
  const over = (v: MatmulChoice) => `${v} ${(stepMs.naive! / stepMs[v]!).toFixed(1)}×`;
  if (stepMs.naive !== undefined)
    console.log(
      `  step speed-up over naive: ${(['blocked', 'tiled', 'auto'] as const).map(over).join(', ')} (auto, the trainer's default, picks per product)`,
    );

  querySet?.destroy();
  device.destroy();
  nodeGpu.release();
}

main().catch((e) => {
  process.stderr.write(`bench:kernels: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
