/**
 * jax-js (@jax-js/jax) on its webgpu or wasm device: the whole step — forward, MSE loss,
 * gradient, SGD with the L2 term — is one `jit` function, compiled for these shapes on
 * the first call. The wasm device runs one worker per hardware thread when the page is
 * cross-origin isolated (SharedArrayBuffer), else on the main thread.
 */
import { defaultDevice, init, jit, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { STEP } from '../protocol';
import type { EngineRun, Problem } from './problem';

type Params = { W: np.Array[]; b: np.Array[] };

/** From package.json at build time (define in vite.page.config.ts). */
declare const __JAX_VERSION__: string;

export async function jaxEngine(problem: Problem, device: 'webgpu' | 'wasm'): Promise<EngineRun> {
  const available = await init(device);
  if (!available.includes(device))
    throw new Error(`jax-js: device ${device} is not available in this browser (init gave: ${available.join(', ') || 'none'})`);
  defaultDevice(device);
  const { layers, batch } = problem.config;
  const L = layers.length - 1;
  const { lr, lambda } = STEP;

  // Every argument is consumed (jax-js's ownership rule): a value used twice is taken with .ref.
  const mse = (p: Params, x: np.Array, t: np.Array): np.Array => {
    let a = x;
    for (let l = 0; l < L; l++) {
      const z = np.matmul(a, p.W[l]).add(p.b[l]);
      a = l < L - 1 ? np.tanh(z) : z;
    }
    // docs/RULES.md: L = (1/B)·Σ_b ½‖Ŷ_b − T_b‖²
    return np.sum(np.square(a.sub(t))).mul(0.5 / batch);
  };
  const step = jit((p: Params, x: np.Array, t: np.Array): [Params, np.Array] => {
    const [loss, g] = valueAndGrad(mse)(tree.ref(p), x, t);
    // SGD + L2 (docs/RULES.md): W ← W − η·(g + λ·W), b ← b − η·g_b.
    const W = p.W.map((w, l) => w.ref.sub(g.W[l].add(w.mul(lambda)).mul(lr)));
    const b = p.b.map((bl, l) => bl.sub(g.b[l].mul(lr)));
    return [{ W, b }, loss];
  });

  let params: Params = {
    W: problem.weights.map((w, l) => np.array(w).reshape([layers[l], layers[l + 1]])),
    b: problem.biases.map((b) => np.array(b)),
  };
  const x = np.array(problem.x).reshape([batch, layers[0]]);
  const t = np.array(problem.t).reshape([batch, layers[L]]);
  let lastLoss = Number.NaN;
  return {
    label: `jax-js ${__JAX_VERSION__}, ${device}, whole step under jit${device === 'wasm' ? `, ${crossOriginIsolated ? navigator.hardwareConcurrency : 1} threads` : ''}`,
    async steps(n) {
      let loss: np.Array | null = null;
      for (let i = 0; i < n; i++) {
        loss?.dispose();
        [params, loss] = step(params, x.ref, t.ref);
      }
      // The one wait per call: reading the last loss back waits for every step queued before it.
      lastLoss = (await loss!.data())[0];
      return lastLoss;
    },
    async loss() {
      return lastLoss;
    },
    dispose() {
      tree.dispose(params);
      x.dispose();
      t.dispose();
      step.dispose();
    },
  };
}
