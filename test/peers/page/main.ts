/**
 * The peer benchmark page: exposes `window.peers` (protocol.ts) for the Node runner, which
 * opens a fresh page per engine and shape so no engine inherits another's state, workers
 * or GPU memory.
 */
import { describeAdapter } from '../../../src/index';
import type { EngineId, PageEnvironment, PeersPageApi } from '../protocol';
import { jaxEngine } from './jax';
import { measure } from './measure';
import { oursCpu, oursGpu } from './ours';
import { makeProblem, type EngineRun, type Problem } from './problem';
import { tfjsEngine } from './tfjs';

const SETUP: Record<EngineId, (p: Problem) => Promise<EngineRun>> = {
  'ours-gpu': oursGpu,
  'jax-webgpu': (p) => jaxEngine(p, 'webgpu'),
  'tfjs-webgpu': (p) => tfjsEngine(p, 'webgpu'),
  'ours-cpu': oursCpu,
  'jax-wasm': (p) => jaxEngine(p, 'wasm'),
  'tfjs-wasm': (p) => tfjsEngine(p, 'wasm'),
  'tfjs-cpu': (p) => tfjsEngine(p, 'cpu'),
};

async function environment(): Promise<PageEnvironment> {
  const adapter = (await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    adapter: adapter ? describeAdapter(adapter) : null,
  };
}

const api: PeersPageApi = {
  environment,
  run: (spec) => measure(spec, () => SETUP[spec.engine](makeProblem(spec.shape))),
};
window.peers = api;
