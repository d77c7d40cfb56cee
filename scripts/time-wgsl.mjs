// Times WGSL compute entry points on one matrix product's buffers, interleaved in one process
// (round-robin, so load drifts hit every kernel alike), with timestamp-query, on Node/Dawn.
// Used to compare our matmul kernels with the ones jax-js generates (scripts/capture-jax-webgpu.mjs);
// docs/BENCHMARKS.md, "What jax-js runs".
//
//   node scripts/time-wgsl.mjs M N K ROUNDS SPEC.json
//
// SPEC.json: [{ "name", "file" (WGSL path), "entry", "constants" ({} by default), "wg" ([x, y, z]
// workgroups), "bindings" (buffer names in binding order: a [M·K], b [K·N], bias [N], aux [M·N],
// out [M·N], bg [N]) }]. Inputs are random in [−0.5, 0.5); each sample is ≥ 1e8 FLOP of
// back-to-back dispatches in one compute pass. Prints the median and every sample per kernel.
import { readFileSync } from 'node:fs';
import * as webgpu from 'webgpu';

const [M, N, K, rounds] = process.argv.slice(2, 6).map(Number);
const specFile = process.argv[6];
if (![M, N, K, rounds].every((v) => Number.isInteger(v) && v >= 1) || !specFile) {
  console.error(`time-wgsl: usage: node scripts/time-wgsl.mjs M N K ROUNDS SPEC.json (got ${process.argv.slice(2).join(' ') || 'nothing'})`);
  process.exit(2);
}
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
Object.assign(globalThis, webgpu.globals);
// Held for the whole run: a collected instance takes its adapter and device with it.
const gpu = webgpu.create(['backend=vulkan']);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: ['timestamp-query'] });
const buffer = (floats, random) => {
  const b = device.createBuffer({ size: Math.ceil(floats / 4) * 16 + 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  if (random)
    device.queue.writeBuffer(
      b,
      0,
      Float32Array.from({ length: floats }, () => Math.random() - 0.5),
    );
  return b;
};
const buffers = { a: buffer(M * K, true), b: buffer(K * N, true), bias: buffer(N, true), aux: buffer(M * N, true), out: buffer(M * N), bg: buffer(N) };
const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
const readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const kernels = JSON.parse(readFileSync(specFile, 'utf8')).map((spec) => {
  const module = device.createShaderModule({ code: readFileSync(spec.file, 'utf8') });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: spec.entry, constants: spec.constants ?? {} } });
  const entries = spec.bindings.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } }));
  return { ...spec, pipeline, bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }) };
});

/** Milliseconds per dispatch over `repeats` back-to-back dispatches in one compute pass. */
async function time(kernel, repeats) {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
  for (let i = 0; i < repeats; i++) {
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, kernel.bindGroup);
    pass.dispatchWorkgroups(...kernel.wg);
  }
  pass.end();
  encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
  encoder.copyBufferToBuffer(resolve, 0, readback, 0, 16);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const [begin, end] = new BigUint64Array(readback.getMappedRange().slice(0));
  readback.unmap();
  return Number(end - begin) / 1e6 / repeats;
}

const flops = 2 * M * N * K;
const repeats = Math.max(1, Math.round(1e8 / flops));
for (const kernel of kernels) await time(kernel, 1); // warm-up: compilation, first touch
const samples = kernels.map(() => []);
for (let r = 0; r < rounds; r++) for (let i = 0; i < kernels.length; i++) samples[i].push(await time(kernels[i], repeats));
const median = (s) => [...s].sort((x, y) => x - y)[s.length >> 1];
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${M}×${N}×${K}, ${repeats} dispatches per sample, load ${load}`);
kernels.forEach((kernel, i) => {
  const ms = median(samples[i]);
  console.log(
    `  ${kernel.name.padEnd(22)} ${ms.toFixed(2).padStart(9)} ms ${(flops / ms / 1e6).toFixed(2).padStart(6)} GFLOP/s  [${samples[i].map((s) => s.toFixed(1)).join(' ')}]`,
  );
});
process.exit(0);
