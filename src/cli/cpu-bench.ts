/**
 * CPU benchmark: fast CPU vs reference step time, the fast matmul kernel's single-thread
 * GFLOP/s, and worker scaling. `npm run bench:cpu [-- --layers 512,512,512,512 --batch 128]`.
 * Built by Vite into dist-cli/cpu-bench.js (an SSR bundle, like the main CLI), so running
 * it also proves the fast trainer's Node workers start from a bundle.
 * Figures are medians over repeats; the machine line says what they ran on.
 */
import { cpus } from 'node:os';
import { createFastCpuTrainer } from '../cpu/fast';
import { HEAP_BASE, instantiateKernels, kernelModule } from '../cpu/wasm-kernels';
import { createReferenceTrainer } from '../cpu/reference';
import { validateConfig } from '../model/config';
import { makeDataset } from '../model/data';
import { matmulFlopsPerStep } from '../model/flops';
import type { Trainer } from '../model/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms per step over `repeats` timings of `steps` steps each, after one warm-up timing. */
async function stepMs(t: Trainer, steps: number, repeats: number): Promise<number> {
  await t.train(steps);
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await t.train(steps);
    ms.push((performance.now() - t0) / steps);
  }
  return median(ms);
}

/** Single-thread GFLOP/s of the three products at [M, K] × [K, N] shapes (median of 15). */
function kernelGflops(M: number, K: number, N: number): Record<string, number> {
  const floats = HEAP_BASE + M * K + K * N + M * N + N + 256 * 256;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
  const k = instantiateKernels(kernelModule(false), memory);
  const h = new Float32Array(memory.buffer);
  const A = HEAP_BASE, W = A + M * K, C = W + K * N, b = C + M * N, pack = b + N;
  for (let i = A; i < pack; i++) h[i] = Math.sin(i);
  const runs: Record<string, () => void> = {
    'A·W': () => k.matmul(A, K, 1, W, N, 1, C, N, K, 0, M, b, 0, 0, 0, 256, 256, pack),
    'Aᵀ·dZ': () => k.matmul(A, 1, K, C, N, 1, W, N, M, 0, K, -1, 0, 0, 0, 256, 256, pack),
    'dZ·Wᵀ': () => k.matmul(C, N, 1, W, 1, N, A, K, N, 0, M, -1, 0, 0, 0, 256, 256, pack),
  };
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(runs)) {
    for (let i = 0; i < 5; i++) f();
    const ms: number[] = [];
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      f();
      ms.push(performance.now() - t0);
    }
    out[name] = (2 * M * K * N) / median(ms) / 1e6;
  }
  return out;
}

async function main(): Promise<void> {
  const layers = arg('layers', '512,512,512,512').split(',').map(Number);
  const batch = Number(arg('batch', '128'));
  const steps = Number(arg('steps', '5'));
  const repeats = Number(arg('repeats', '7'));
  const skipReference = process.argv.includes('--no-reference');
  const config = validateConfig({ layers, batch, optimizer: 'adam', lr: 1e-3, seed: 1 });
  const data = makeDataset(config);
  const flops = matmulFlopsPerStep(layers, batch);
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, Node ${process.version}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`config: layers ${layers.join(',')}, batch ${batch}, Adam + decay; ${(flops / 1e6).toFixed(1)} MFLOP matmul per step`);

  const k = kernelGflops(batch, layers[1] ?? 512, layers[2] ?? 512);
  console.log(`fast matmul kernel, 1 thread, ${batch}×${layers[1]}×${layers[2]}: ` + Object.entries(k).map(([n, g]) => `${n} ${g.toFixed(2)}`).join(', ') + ' GFLOP/s');

  const rows: [string, number][] = [];
  for (const workers of [1, 2]) {
    const t = await createFastCpuTrainer(config, 'decay', data, { workers });
    try {
      rows.push([`fast, ${workers} thread${workers > 1 ? 's' : ''}`, await stepMs(t, steps, repeats)]);
    } finally {
      t.dispose();
    }
  }
  if (!skipReference) {
    const ref = createReferenceTrainer(config, 'decay', data);
    rows.push(['reference (f64)', await stepMs(ref, 1, 3)]);
  }
  for (const [name, ms] of rows)
    console.log(`${name.padEnd(18)} ${ms.toFixed(2).padStart(9)} ms/step  ${(flops / ms / 1e6).toFixed(2).padStart(6)} GFLOP/s  ${((batch * 1000) / ms).toFixed(0).padStart(7)} samples/s`);
  const [one, two] = [rows[0][1], rows[1][1]];
  console.log(`worker scaling 1 → 2 threads: ${(one / two).toFixed(2)}×`);
  if (!skipReference) console.log(`fast (1 thread) vs reference: ${(rows[2][1] / one).toFixed(1)}×; fast (2 threads) vs reference: ${(rows[2][1] / two).toFixed(1)}×`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
