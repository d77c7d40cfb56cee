/**
 * Our engines exactly as the app's page makes them: through `trainerFactories`
 * (src/bench/backends.ts, the one place trainers are chosen), so whatever lands on main in
 * src/gpu and src/cpu is what this page times. In a page that means the GPU trainer on the
 * page's adapter, and the CPU trainer inside a worker with its kernel threads
 * ("CPU: WASM SIMD, N threads"; one thread when not cross-origin isolated).
 */
import { acquireGpuContext, trainerFactories } from '../../../src/bench/backends';
import type { Trainer } from '../../../src/index';
import type { EngineRun, Problem } from './problem';

function wrap(label: string, trainer: Trainer, release: () => void = () => {}): EngineRun {
  return {
    label,
    async steps(n) {
      // train() resolves once the steps are complete (GPU: one submit per ≤ 64 steps, then one wait).
      await trainer.train(n);
      return null;
    },
    async loss() {
      return (await trainer.losses()).train;
    },
    dispose() {
      trainer.dispose();
      release();
    },
  };
}

export async function oursGpu(problem: Problem): Promise<EngineRun> {
  const gpu = await acquireGpuContext(navigator.gpu);
  const trainer = await trainerFactories(gpu).gpu!(problem.config, 'l2', problem.data);
  return wrap('ours, WebGPU, as the page runs it', trainer, () => gpu.device.destroy());
}

export async function oursCpu(problem: Problem): Promise<EngineRun> {
  const trainer = await trainerFactories(null).cpu!(problem.config, 'l2', problem.data);
  const engine = (trainer as Trainer & { engine?: string }).engine || 'CPU';
  return wrap(`ours, ${engine}, as the page runs it (in a worker)`, trainer);
}
