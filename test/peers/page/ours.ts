/**
 * Our engines, through the public library only (src/index.ts), so whatever lands on main
 * in src/gpu and src/cpu is what this page times: the GPU trainer on the page's WebGPU
 * adapter and the fast CPU trainer with its worker threads.
 */
import { acquireDevice, createFastCpuTrainer, createGpuTrainer, type Trainer } from '../../../src/index';
import type { EngineRun, Problem } from './problem';

function wrap(label: string, trainer: Trainer, release: () => void = () => {}): EngineRun {
  return {
    label,
    async steps(n) {
      // train() resolves once the GPU has finished the steps (one submit per ≤ 64 steps).
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
  const acquired = await acquireDevice(navigator.gpu);
  const trainer = await createGpuTrainer(acquired.device, problem.config, 'l2', problem.data);
  return wrap('ours, WebGPU (createGpuTrainer)', trainer, () => acquired.device.destroy());
}

export async function oursCpu(problem: Problem): Promise<EngineRun> {
  const trainer = await createFastCpuTrainer(problem.config, 'l2', problem.data);
  const threads = (trainer as Trainer & { threads?: number }).threads ?? 1;
  return wrap(`ours, CPU (createFastCpuTrainer), ${threads} thread${threads === 1 ? '' : 's'}`, trainer);
}
