// The CPU trainer's kernels in WebAssembly SIMD (f32x4), written in AssemblyScript and built
// by scripts/build-wasm.mjs (`npm run build:wasm`). Every thread runs this same module on one
// shared WebAssembly.Memory; src/cpu/wasm-kernels.ts and thread-pool.ts are the JavaScript side.
//
// Addresses: every tensor argument is a float index into the memory (byte address / 4), the
// layout src/cpu/fast.ts plans. Arithmetic is float32. The products' tiles multiply-add with
// `madd`: built twice, as plain SIMD (multiply, then add, each rounded) and with relaxed SIMD
// (f32x4.relaxed_madd: a fused multiply-add where the machine has one, which doubles the
// arithmetic per instruction); wasm-kernels.ts takes the relaxed build where the engine
// validates it. Either way a product's output element is init + Σ_k P(m,k)·Q(k,n), summed in k
// order by one thread with the same instructions whatever the block or thread split (an
// element's tile depends on its position only), so every thread count gives bitwise the same
// numbers on a machine.
//
// This file is the module's entry (scripts/build-wasm.mjs compiles it; its exports are the
// module's): the control block, the job dispatch and the worker loop. The kernels live in
// matmul.ts (with epilogue.ts) and update.ts; memory.ts holds the addressing rule.

import { matmul } from './matmul';
import { columnSums, update } from './update';

export { matmul } from './matmul';
export { columnSums, update } from './update';

// ---- The control block (see CTL in wasm-kernels.ts; thread-pool.ts writes it) ----
const GEN: usize = 0; // generation counter: bumped once per job
const DONE: usize = 4; // workers done with the current job
const ERROR: usize = 8; // set when a worker failed
const TASKS: usize = 12; // tasks in the job; < 0 tells workers to return
const TASK0: usize = 32; // task t's ints at TASK0 + 80·t (kind, then up to 19 arguments)
const TASK_BYTES: usize = 80;
const FLOAT0: usize = 512; // task t's float64 arguments at FLOAT0 + 96·t
const FLOAT_BYTES: usize = 96;

const MATMUL = 1;
const COLSUM = 2;
const UPDATE = 3;

// ---- Jobs and the worker loop ----

/** This thread's start in [0, n) among `threads`, cut at multiples of `align`. */
function shareOf(n: i32, index: i32, threads: i32, align: i32): i32 {
  const chunks = (n + align - 1) / align;
  return min(n, <i32>((<i64>chunks * index) / threads) * align);
}

/**
 * Runs this thread's share of every task in the job at `ctl`. Task kinds and arguments:
 *   1 matmul: p pm pk q qk qn c N K M bias mode e1 e2 kc nc pack   (rows split at multiples of 4;
 *             pack is the first thread's scratch, the others' follow at kc·nc floats apart)
 *   2 colsum: src rows N out                                        (columns split by 16)
 *   3 update: opt w g s1 s2 n; floats lr λ α μ β1 β2 1−β1 1−β2 ε c1 c2   (elements split by 16)
 * The cuts only choose which thread computes an element, never how.
 */
export function runJob(ctl: usize, index: i32, threads: i32): void {
  const tasks = load<i32>(ctl + TASKS);
  for (let t = 0; t < tasks; t++) {
    const o = ctl + TASK0 + TASK_BYTES * <usize>t;
    const x = ctl + FLOAT0 + FLOAT_BYTES * <usize>t;
    const kind = load<i32>(o);
    if (kind == MATMUL) {
      const M = load<i32>(o, 40);
      const kc = load<i32>(o, 60);
      const nc = load<i32>(o, 64);
      matmul(load<i32>(o, 4), load<i32>(o, 8), load<i32>(o, 12), load<i32>(o, 16), load<i32>(o, 20), load<i32>(o, 24),
        load<i32>(o, 28), load<i32>(o, 32), load<i32>(o, 36), shareOf(M, index, threads, 4), shareOf(M, index + 1, threads, 4),
        load<i32>(o, 44), load<i32>(o, 48), load<i32>(o, 52), load<i32>(o, 56), kc, nc, load<i32>(o, 68) + index * kc * nc);
    } else if (kind == COLSUM) {
      const N = load<i32>(o, 12);
      columnSums(load<i32>(o, 4), load<i32>(o, 8), N, load<i32>(o, 16), shareOf(N, index, threads, 16), shareOf(N, index + 1, threads, 16));
    } else if (kind == UPDATE) {
      const n = load<i32>(o, 24);
      update(load<i32>(o, 4), load<i32>(o, 8), load<i32>(o, 12), load<i32>(o, 16), load<i32>(o, 20),
        shareOf(n, index, threads, 16), shareOf(n, index + 1, threads, 16),
        <f32>load<f64>(x), <f32>load<f64>(x, 8), <f32>load<f64>(x, 16), <f32>load<f64>(x, 24), <f32>load<f64>(x, 32),
        <f32>load<f64>(x, 40), <f32>load<f64>(x, 48), <f32>load<f64>(x, 56), <f32>load<f64>(x, 64), <f32>load<f64>(x, 72),
        <f32>load<f64>(x, 80));
    }
  }
}

/**
 * A worker's life: sleep until the generation counter moves past `gen`, run its share, count
 * itself done (the last one wakes the coordinating thread); TASKS < 0 means return. A short
 * spin before sleeping: a step posts a job every few hundred microseconds and waking from a
 * wait costs tens. Returns the generation it last ran, so a JavaScript caller that caught a
 * trap can report it and come back in without missing or repeating a job.
 */
export function workerLoop(ctl: usize, index: i32, threads: i32, gen: i32): i32 {
  for (;;) {
    for (let spin = 0; spin < 4000 && atomic.load<i32>(ctl + GEN) == gen; spin++);
    // Sleep in slices of 1 s, re-reading the counter: a wake-up that went astray costs a
    // second, never a hang.
    while (atomic.load<i32>(ctl + GEN) == gen) memory.atomic.wait32(ctl + GEN, gen, 1_000_000_000);
    gen = atomic.load<i32>(ctl + GEN);
    if (atomic.load<i32>(ctl + TASKS) < 0) return gen;
    runJob(ctl, index, threads);
    if (atomic.add<i32>(ctl + DONE, 1) == threads - 2) atomic.notify(ctl + DONE);
  }
  return gen; // not reached
}
