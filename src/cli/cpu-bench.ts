/**
 * CPU benchmark: the WebAssembly SIMD trainer's step at 1 and 2 threads (and the float64
 * reference), and its matmul kernel alone on one thread, at the shapes of docs/BENCHMARKS.md.
 * `npm run bench:cpu [-- --layers 256,512,512,10 --batch 128 --optimizer sgd --no-reference]`.
 * Built by Vite into dist-cli/cpu-bench.js (an SSR bundle, like the main CLI), so running it
 * also proves the trainer's Node workers start from a bundle.
 *
 * Figures are medians over repeats. Beside wall time it reports CPU time (process.cpuUsage,
 * all threads): on a loaded machine wall time measures the load, while GFLOP per CPU-second
 * still says what a core does with the time it gets (compare it with the core's FMA limit).
 */
import './relaxed-simd';
import { cpus, loadavg } from 'node:os';
import { createFastCpuTrainer } from '../cpu/fast';
import { createReferenceTrainer } from '../cpu/reference';
import { HEAP_BASE, instantiateKernels, kernelModule } from '../cpu/wasm-kernels';
import { validateConfig } from '../model/config';
import type { OptimizerName } from '../model/config';
import { makeDataset } from '../model/data';
import { matmulFlopsPerStep } from '../model/flops';
import type { Trainer } from '../model/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall and CPU milliseconds (medians) of `f`, run `repeats` times after `warmups`. */
async function timeIt(f: () => void | Promise<unknown>, warmups: number, repeats: number): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < warmups; i++) await f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** One thread's GFLOP per CPU-second of the three products at [M, K] × [K, N]. */
async function kernelGflops(M: number, K: number, N: number): Promise<Record<string, number>> {
  const floats = HEAP_BASE + M * K + K * N + M * N + N + 256 * 256;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
  const k = instantiateKernels(kernelModule(false), memory);
  const h = new Float32Array(memory.buffer);
  const A = HEAP_BASE,
    W = A + M * K,
    C = W + K * N,
    b = C + M * N,
    pack = b + N;
  for (let i = A; i < pack; i++) h[i] = Math.sin(i);
  const runs: Record<string, () => void> = {
    'A·W': () => k.matmul(A, K, 1, W, N, 1, C, N, K, 0, M, b, 0, 0, 0, 256, 256, pack),
    'Aᵀ·dZ': () => k.matmul(A, 1, K, C, N, 1, W, N, M, 0, K, -1, 0, 0, 0, 256, 256, pack),
    'dZ·Wᵀ': () => k.matmul(C, N, 1, W, 1, N, A, K, N, 0, M, -1, 0, 0, 0, 256, 256, pack),
  };
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(runs)) {
    const reps = () => {
      for (let r = 0; r < 10; r++) f();
    };
    const t = await timeIt(reps, 1, 9);
    out[name] = (10 * 2 * M * K * N) / t.cpu / 1e6;
  }
  return out;
}

async function main(): Promise<void> {
  const layers = arg('layers', '256,512,512,10').split(',').map(Number);
  const batch = Number(arg('batch', '128'));
  const optimizer = arg('optimizer', 'sgd') as OptimizerName;
  const steps = Number(arg('steps', '10'));
  const repeats = Number(arg('repeats', '9'));
  const skipReference = process.argv.includes('--no-reference');
  const config = validateConfig({
    layers,
    batch,
    optimizer,
    activation: 'tanh',
    loss: 'mse',
    lr: optimizer === 'adam' ? 1e-3 : 0.01,
    lambda: 1e-4,
    seed: 1,
  });
  const data = makeDataset(config);
  const flops = matmulFlopsPerStep(layers, batch);
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, Node ${process.version}; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`config: layers ${layers.join(',')}, batch ${batch}, tanh, MSE, ${optimizer} + L2; ${(flops / 1e6).toFixed(1)} MFLOP matmul per step`);

  const k = await kernelGflops(batch, layers[1] ?? 512, layers[2] ?? 512);
  console.log(
    `matmul kernel, 1 thread, ${batch}×${layers[1]}×${layers[2]}: ` +
      Object.entries(k)
        .map(([n, g]) => `${n} ${g.toFixed(1)}`)
        .join(', ') +
      ' GFLOP per CPU-second',
  );

  const rows: { name: string; wall: number; cpu: number }[] = [];
  const measure = async (name: string, t: Trainer, n: number, reps: number) => {
    const r = await timeIt(() => t.train(n), 1, reps);
    rows.push({ name, wall: r.wall / n, cpu: r.cpu / n });
  };
  for (const workers of [1, 2]) {
    const t = await createFastCpuTrainer(config, 'l2', data, { workers });
    try {
      await measure(t.engine, t, steps, repeats);
    } finally {
      t.dispose();
    }
  }
  if (!skipReference) await measure('reference (f64 JS)', createReferenceTrainer(config, 'l2', data), 1, 3);
  console.log(
    `${'engine'.padEnd(40)} ${'ms/step'.padStart(9)} ${'samples/s'.padStart(10)} ${'GFLOP/s'.padStart(8)} ${'CPU-ms/step'.padStart(12)} ${'GFLOP/CPU-s'.padStart(12)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(40)} ${r.wall.toFixed(2).padStart(9)} ${((batch * 1000) / r.wall).toFixed(0).padStart(10)} ${(flops / r.wall / 1e6).toFixed(2).padStart(8)} ` +
        `${r.cpu.toFixed(2).padStart(12)} ${(flops / r.cpu / 1e6).toFixed(2).padStart(12)}`,
    );
  console.log(
    `thread scaling 1 → 2 (wall): ${(rows[0].wall / rows[1].wall).toFixed(2)}×; a core's f32 FMA limit here is ~83 GFLOP/s (AVX2, 2.6 GHz; plain WASM SIMD has no FMA: ~21 for separate 4-lane multiply and add)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
