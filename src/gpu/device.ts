/**
 * Device acquisition, for every WebGPU implementation alike (a browser's navigator.gpu, Dawn
 * through Node's `webgpu` package, wgpu in Deno): ask for the limits a run needs (capped at what
 * the adapter offers) and timestamp-query when offered, and say in words what is missing when
 * something is. Nothing here assumes one implementation: optional features are detected.
 */
import { BROWSER_IMPLEMENTATION } from './adapter-summary';
import type { AdapterSummary, ImplementationInfo } from './adapter-summary';

/** The limits that decide what fits: requested at the adapter's maximum unless asked lower. */
export const LIMITS_THAT_MATTER = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export type LimitName = (typeof LIMITS_THAT_MATTER)[number];
export type DeviceLimits = Record<LimitName, number>;

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** The limits the device was created with (what the trainer may use). */
  limits: DeviceLimits;
  /** What the adapter could have given. */
  adapterLimits: DeviceLimits;
  features: string[];
  hasTimestamps: boolean;
}

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

/** The adapter in a report's words; `origin` names the implementation (a page's: "browser"). */
export function describeAdapter(adapter: GPUAdapter, origin: ImplementationInfo = BROWSER_IMPLEMENTATION): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    implementation: origin.implementation,
    backend: origin.backend,
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    // Newer implementations report it on info, older ones on the adapter.
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy ?? false),
  };
}

function readLimits(limits: GPUSupportedLimits): DeviceLimits {
  return Object.fromEntries(LIMITS_THAT_MATTER.map((name) => [name, limits[name]])) as DeviceLimits;
}

/**
 * Requests an adapter and a device. `need` lowers limits below the adapter's maxima (tests and
 * the sweep use this to play a smaller device); it is capped at what the adapter offers. WebGPU
 * raises a request below its defaults (256 MiB buffers, 128 MiB bindings) to the default, so
 * callers must read the device's limits from the result, never assume the request.
 */
export async function acquireDevice(
  gpu: GPU | undefined | null,
  need: Partial<DeviceLimits> = {},
  origin: ImplementationInfo = BROWSER_IMPLEMENTATION,
): Promise<AcquiredDevice> {
  if (!gpu)
    throw new WebGpuUnavailableError(
      'No WebGPU here (navigator.gpu is missing). Browsers that ship it: Chrome and Edge 113+ (Dawn), ' +
        'Safari 26+ (WebKit), Firefox 141+ on Windows (wgpu; other platforms behind dom.webgpu.enabled). ' +
        'On Linux, Chrome may need --enable-unsafe-webgpu. WebGPU also needs a secure context (https or localhost).',
    );
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new WebGpuUnavailableError(
      'WebGPU is present but offered no adapter: the GPU may be blocklisted or its driver missing. ' +
        'Update the driver; the browser says why on chrome://gpu (Chrome, Edge) or about:support (Firefox). ' +
        'On Linux, WebGPU implementations need a Vulkan driver.',
    );
  const adapterLimits = readLimits(adapter.limits);
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS_THAT_MATTER) requiredLimits[name] = Math.min(need[name] ?? adapterLimits[name], adapterLimits[name]);
  const hasTimestamps = adapter.features.has('timestamp-query');
  // subgroups when offered: the matmul kernels share operands through them (src/gpu/kernels.ts).
  const requiredFeatures = [
    ...(hasTimestamps ? ['timestamp-query'] : []),
    ...(adapter.features.has('subgroups') ? ['subgroups'] : []),
  ] as GPUFeatureName[];
  const device = await adapter.requestDevice({ label: 'l2wd.device', requiredLimits, requiredFeatures });
  device.addEventListener?.('uncapturederror', (event) => {
    console.error(`WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  return {
    device,
    adapter: describeAdapter(adapter, origin),
    limits: readLimits(device.limits),
    adapterLimits,
    features: [...adapter.features].map(String).sort(),
    hasTimestamps,
  };
}
