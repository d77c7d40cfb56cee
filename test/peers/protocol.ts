/**
 * What the peer benchmark's Node runner (run-peers.ts) and its page (page/main.ts) say to each
 * other: which engine to time on which shape, and what came back. Plain data only, so it
 * crosses `page.evaluate` as JSON.
 */

/** Every engine the page can time; `ours-*` are made as the app's page makes them (src/bench/backends.ts, trainerFactories). */
export const ENGINES = ['ours-gpu', 'jax-webgpu', 'tfjs-webgpu', 'ours-cpu', 'jax-wasm', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type EngineId = (typeof ENGINES)[number];

/** The engine each peer is compared with (ratio ours / peer of samples per second). */
export const OURS_FOR: Record<EngineId, EngineId> = {
  'ours-gpu': 'ours-gpu',
  'jax-webgpu': 'ours-gpu',
  'tfjs-webgpu': 'ours-gpu',
  'ours-cpu': 'ours-cpu',
  'jax-wasm': 'ours-cpu',
  'tfjs-wasm': 'ours-cpu',
  'tfjs-cpu': 'ours-cpu',
};

export interface PeerShape {
  /** Layer widths n_0 … n_L. */
  layers: number[];
  batch: number;
}

/** The step every engine runs (issue 11/12): tanh hidden layers, MSE, SGD with the coupled L2 term λ·W. */
export const STEP = { activation: 'tanh', loss: 'mse', optimizer: 'sgd', lr: 0.01, lambda: 1e-3, seed: 1 } as const;

export interface EngineSpec {
  engine: EngineId;
  shape: PeerShape;
  /** Timed samples; each is `stepsPerSample` steps with one wait for completion at the end. */
  samples: number;
  /** Steps per sample are chosen so that one sample lasts about this long (at least one step). */
  sampleMs: number;
  /** Untimed steps first: pipeline/kernel compilation and lazy allocation land there. */
  warmupSteps: number;
}

export interface EngineResult {
  engine: EngineId;
  /** What ran, in words: library, version, backend, threads. */
  label: string;
  shape: PeerShape;
  stepsPerSample: number;
  /** Milliseconds per step of each sample, in the order taken. */
  msPerStep: number[];
  /** Loss of the first step's batch (before its update) and of the last timed step's. */
  lossFirst: number;
  lossLast: number;
  /** Steps taken in all, warm-up included. */
  steps: number;
  /** Milliseconds from the start of set-up to the end of the warm-up (compilation, allocation). */
  setupMs: number;
  /** Which round of the run (0 first) took it: the runner sets it, with --rounds > 1. */
  round?: number;
}

export interface EngineFailure {
  engine: EngineId;
  shape: PeerShape;
  error: string;
}

export interface PageEnvironment {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean } | null;
}

/** What the page exposes on `window` for the runner. */
export interface PeersPageApi {
  environment(): Promise<PageEnvironment>;
  run(spec: EngineSpec): Promise<EngineResult>;
}

declare global {
  interface Window {
    peers?: PeersPageApi;
  }
}
