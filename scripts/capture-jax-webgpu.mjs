// Captures the WGSL that jax-js (@jax-js/jax, a devDependency) generates for the peer benchmark's
// step (test/peers/page/jax.ts: tanh MLP, MSE, SGD + L2, whole step under `jit`), and what one
// step dispatches. It runs jax-js on Node with the `webgpu` package (Dawn; SwiftShader when the
// machine has no GPU) by wrapping the device: createShaderModule, createComputePipeline(Async),
// beginComputePass, dispatchWorkgroups and queue.submit. docs/BENCHMARKS.md, "What jax-js runs".
//
//   node scripts/capture-jax-webgpu.mjs 256,512,512,10 128 test-results/jax-wgsl
//
// Writes k00.wgsl … (one per shader module, in creation order) and step.json (pipelines, and the
// second step's dispatches: module, workgroup counts; passes and submits per step).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as webgpu from 'webgpu';

const [layersArg = '256,512,512,10', batchArg = '128', outDir = 'test-results/jax-wgsl'] = process.argv.slice(2);
const layers = layersArg.split(',').map(Number);
const batch = Number(batchArg);
if (layers.length < 2 || !layers.every((n) => Number.isInteger(n) && n >= 1) || !(Number.isInteger(batch) && batch >= 1)) {
  console.error(`capture-jax-webgpu: layers ${layersArg} and batch ${batchArg} must be positive integers (layers: at least two, comma-separated)`);
  process.exit(2);
}

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
Object.assign(globalThis, webgpu.globals);
const gpu = webgpu.create(['backend=vulkan']);
// jax-js reads navigator.gpu and navigator.userAgent (a Firefox check).
Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'Node' }, configurable: true });

const shaders = [];
const pipelines = [];
const dispatches = [];
let passes = 0;
let submits = 0;
const requestAdapter = gpu.requestAdapter.bind(gpu);
gpu.requestAdapter = async (options) => {
  const adapter = await requestAdapter(options);
  const requestDevice = adapter.requestDevice.bind(adapter);
  adapter.requestDevice = async (descriptor) => wrapDevice(await requestDevice(descriptor));
  return adapter;
};

function wrapDevice(device) {
  const moduleIds = new WeakMap();
  const pipelineRecords = new WeakMap();
  const createShaderModule = device.createShaderModule.bind(device);
  device.createShaderModule = (descriptor) => {
    const module = createShaderModule(descriptor);
    moduleIds.set(module, shaders.length);
    shaders.push(descriptor.code);
    return module;
  };
  for (const name of ['createComputePipeline', 'createComputePipelineAsync']) {
    const create = device[name].bind(device);
    device[name] = (descriptor) => {
      const record = {
        module: moduleIds.get(descriptor.compute.module),
        entryPoint: descriptor.compute.entryPoint,
        constants: descriptor.compute.constants ?? {},
      };
      pipelines.push(record);
      const tag = (pipeline) => (pipelineRecords.set(pipeline, record), pipeline);
      const made = create(descriptor);
      return made instanceof Promise ? made.then(tag) : tag(made);
    };
  }
  const createCommandEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (descriptor) => {
    const encoder = createCommandEncoder(descriptor);
    const beginComputePass = encoder.beginComputePass.bind(encoder);
    encoder.beginComputePass = (passDescriptor) => {
      passes++;
      const pass = beginComputePass(passDescriptor);
      let current = null;
      const setPipeline = pass.setPipeline.bind(pass);
      pass.setPipeline = (pipeline) => ((current = pipelineRecords.get(pipeline)), setPipeline(pipeline));
      const dispatchWorkgroups = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (x, y = 1, z = 1) => (dispatches.push({ module: current?.module, workgroups: [x, y, z] }), dispatchWorkgroups(x, y, z));
      return pass;
    };
    return encoder;
  };
  const submit = device.queue.submit.bind(device.queue);
  device.queue.submit = (buffers) => (submits++, submit(buffers));
  return device;
}

const { defaultDevice, init, jit, numpy: np, tree, valueAndGrad } = await import('@jax-js/jax');
if (!(await init('webgpu')).includes('webgpu')) throw new Error('capture-jax-webgpu: jax-js found no webgpu device');
defaultDevice('webgpu');
const L = layers.length - 1;
// The step of test/peers/page/jax.ts (STEP in test/peers/protocol.ts: η 0.01, λ 1e-3).
const lr = 0.01;
const lambda = 1e-3;
const mse = (p, x, t) => {
  let a = x;
  for (let l = 0; l < L; l++) {
    const z = np.matmul(a, p.W[l]).add(p.b[l]);
    a = l < L - 1 ? np.tanh(z) : z;
  }
  return np.sum(np.square(a.sub(t))).mul(0.5 / batch);
};
const step = jit((p, x, t) => {
  const [loss, g] = valueAndGrad(mse)(tree.ref(p), x, t);
  const W = p.W.map((w, l) => w.ref.sub(g.W[l].add(w.mul(lambda)).mul(lr)));
  const b = p.b.map((bl, l) => bl.sub(g.b[l].mul(lr)));
  return [{ W, b }, loss];
});
// Values do not change the kernels; a fixed pattern keeps the capture reproducible.
const filled = (n) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
let params = {
  W: layers.slice(1).map((n, l) => np.array(filled(layers[l] * n)).reshape([layers[l], n])),
  b: layers.slice(1).map((n) => np.array(filled(n))),
};
const x = np.array(filled(batch * layers[0])).reshape([batch, layers[0]]);
const t = np.array(filled(batch * layers[L])).reshape([batch, layers[L]]);
let loss;
[params, loss] = step(params, x.ref, t.ref); // the first step compiles
await loss.data();
const [firstDispatches, firstPasses, firstSubmits] = [dispatches.length, passes, submits];
[params, loss] = step(params, x.ref, t.ref);
await loss.data();

mkdirSync(outDir, { recursive: true });
shaders.forEach((code, i) => writeFileSync(join(outDir, `k${String(i).padStart(2, '0')}.wgsl`), code));
const secondStep = { dispatches: dispatches.slice(firstDispatches), passes: passes - firstPasses, submits: submits - firstSubmits };
writeFileSync(join(outDir, 'step.json'), JSON.stringify({ layers, batch, shaderModules: shaders.length, pipelines, secondStep }, null, 1));
console.log(
  `${layersArg} batch ${batch}: ${shaders.length} shader modules; one step = ${secondStep.dispatches.length} dispatches in ${secondStep.passes} compute passes, ${secondStep.submits} submits (the wait included) → ${outDir}`,
);
process.exit(0);
