/**
 * What a report says about the WebGPU adapter a run used: in the CLI header, the JSON `adapter`
 * field and the page's adapter panel. Lives in src/gpu (not src/bench, which re-exports it) so
 * device acquisition can fill it without importing upward.
 */

/**
 * The WebGPU implementation behind `navigator.gpu` or the `webgpu` package: Dawn (Chrome, Edge and
 * Node's `webgpu` package), wgpu (Firefox and Deno), or "browser" when a page cannot tell which
 * one its browser ships. "unknown" is only read back from results files written before this field.
 */
export type WebGpuImplementation = 'dawn' | 'wgpu' | 'browser' | 'unknown';

/** Which implementation a GPU object came from, and the native API it was told to use. */
export interface ImplementationInfo {
  implementation: WebGpuImplementation;
  /** "vulkan", "metal"…: the backend the implementation was asked for; null for its own choice. */
  backend: string | null;
}

/** A page's navigator.gpu: the browser picks both and does not say. */
export const BROWSER_IMPLEMENTATION: ImplementationInfo = { implementation: 'browser', backend: null };

export interface AdapterSummary extends ImplementationInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters (SwiftShader): their timings are CPU emulation, not GPU performance. */
  isFallbackAdapter: boolean;
}

/** "wgpu (vulkan)", "dawn", "browser": the implementation in a few words. */
export function implementationLabel(a: ImplementationInfo): string {
  return a.backend ? `${a.implementation} (${a.backend})` : a.implementation;
}
