/**
 * What this browser offers for WebGPU, in a form the page can show: the adapter, the
 * limits that bound a run, its features — or, when there is none, why and how to get one.
 * It only asks for an adapter (no device): the run acquires its own device each time, so
 * a lost device never poisons the next run.
 */
import type { AdapterSummary } from '../bench/results';
import { describeAdapter } from '../bench/backends';

/** The limits that decide how large a layer can be on this device. */
export const SHOWN_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
] as const;

export type ShownLimit = (typeof SHOWN_LIMITS)[number];

export type GpuProbe =
  | {
      status: 'ok';
      adapter: AdapterSummary;
      limits: Record<ShownLimit, number>;
      features: string[];
    }
  | {
      status: 'missing';
      /** What is missing, in one sentence. */
      reason: string;
      /** Lines of advice on how to get WebGPU. */
      help: string[];
    };

export const WEBGPU_HELP: readonly string[] = [
  'Chrome or Edge 113 or newer (Windows, macOS, ChromeOS, Android 12+).',
  'Firefox 141 or newer on Windows; Safari 26 on macOS and iOS.',
  'On Linux, Chrome needs chrome://flags/#enable-unsafe-webgpu (or the --enable-unsafe-webgpu switch) and a working Vulkan driver.',
  'The page must come from https:// or http://localhost (WebGPU is only offered to secure contexts).',
];

export async function probeGpu(nav: Navigator = navigator): Promise<GpuProbe> {
  const gpu = (nav as Navigator & { gpu?: GPU }).gpu;
  if (!globalThis.isSecureContext) {
    return {
      status: 'missing',
      reason: 'This page was not loaded from a secure context, and browsers offer WebGPU only to https:// or localhost pages.',
      help: [...WEBGPU_HELP],
    };
  }
  if (!gpu) {
    return {
      status: 'missing',
      reason: 'This browser has no WebGPU (navigator.gpu is undefined).',
      help: [...WEBGPU_HELP],
    };
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return {
      status: 'missing',
      reason: `The browser has WebGPU, but asking for an adapter failed: ${(e as Error).message}`,
      help: [...WEBGPU_HELP],
    };
  }
  if (!adapter) {
    return {
      status: 'missing',
      reason: 'The browser has WebGPU, but it offered no adapter: the GPU or its driver is blocked, or WebGPU is disabled.',
      help: [...WEBGPU_HELP],
    };
  }
  const limits = Object.fromEntries(SHOWN_LIMITS.map((k) => [k, adapter.limits[k]])) as Record<ShownLimit, number>;
  return { status: 'ok', adapter: describeAdapter(adapter), limits, features: [...adapter.features].sort() };
}
