/**
 * TensorFlow.js on its webgpu, wasm (XNNPACK) or cpu backend: forward, MSE loss and
 * `tf.variableGrads`, then SGD with the L2 term assigned into the variables, all in one
 * `tf.tidy` per step. The wasm binaries are served from this page's origin (no network);
 * the threaded SIMD build is used when the page is cross-origin isolated.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone has no gradients registered (the @tensorflow/tfjs bundle imports this for its users).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { STEP } from '../protocol';
import type { EngineRun, Problem } from './problem';

export type TfBackend = 'webgpu' | 'wasm' | 'cpu';

async function selectBackend(backend: TfBackend): Promise<string> {
  if (backend === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    setThreadsCount(navigator.hardwareConcurrency);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js: backend ${backend} failed to initialise in this browser`);
  await tf.ready();
  if (backend !== 'wasm') return backend;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const build = simd && threaded ? 'threaded SIMD' : simd ? 'SIMD' : 'plain';
  // What XNNPACK itself reports after init, not what was asked for.
  return `wasm (XNNPACK, ${build} build, getThreadsCount ${getThreadsCount()} of ${navigator.hardwareConcurrency} asked)`;
}

export async function tfjsEngine(problem: Problem, backend: TfBackend): Promise<EngineRun> {
  const what = await selectBackend(backend);
  const { layers, batch } = problem.config;
  const L = layers.length - 1;
  const { lr, lambda } = STEP;
  const W = problem.weights.map((w, l) => tf.variable(tf.tensor2d(w, [layers[l], layers[l + 1]])));
  const b = problem.biases.map((bl) => tf.variable(tf.tensor1d(bl)));
  const x = tf.tensor2d(problem.x, [batch, layers[0]]);
  const t = tf.tensor2d(problem.t, [batch, layers[L]]);

  const mse = (): tf.Scalar => {
    let a: tf.Tensor2D = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(a, W[l]), b[l]) as tf.Tensor2D;
      a = l < L - 1 ? tf.tanh(z) : z;
    }
    // docs/RULES.md: L = (1/B)·Σ_b ½‖Ŷ_b − T_b‖²
    return tf.mul(tf.sum(tf.square(tf.sub(a, t))), 0.5 / batch) as tf.Scalar;
  };
  const stepOnce = (): tf.Scalar =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(mse, [...W, ...b]);
      // SGD + L2 (docs/RULES.md): W ← W − η·(g + λ·W), b ← b − η·g_b.
      for (const w of W) w.assign(tf.sub(w, tf.mul(tf.add(grads[w.name], tf.mul(w, lambda)), lr)));
      for (const bl of b) bl.assign(tf.sub(bl, tf.mul(grads[bl.name], lr)));
      return value;
    });

  let lastLoss = Number.NaN;
  return {
    label: `TensorFlow.js ${tf.version_core}, ${what}, tf.variableGrads`,
    async steps(n) {
      let loss: tf.Scalar | null = null;
      for (let i = 0; i < n; i++) {
        loss?.dispose();
        loss = stepOnce();
      }
      // The one wait per call: reading the last loss back waits for every step queued before it.
      lastLoss = (await loss!.data())[0];
      loss!.dispose();
      return lastLoss;
    },
    async loss() {
      return lastLoss;
    },
    dispose() {
      tf.dispose([...W, ...b, x, t]);
    },
  };
}
