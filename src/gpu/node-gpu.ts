/**
 * WebGPU outside the browser, from whichever JavaScript runtime runs this file:
 * - Node: the `webgpu` package (Dawn, the implementation in Chrome);
 * - Deno: its built-in `navigator.gpu` (wgpu, the implementation in Firefox).
 * On a machine without a GPU both run on SwiftShader, the CPU Vulkan driver that Debian's chromium
 * package ships; on a machine with one, the real GPU. The page never imports this file (node:fs).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebGpuImplementation } from './adapter-summary';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** True when the machine has a GPU device node Vulkan could use (NVIDIA, or a DRM render node). */
function hasGpuDeviceNode(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

export interface NodeGpu {
  gpu: GPU;
  /** Which WebGPU implementation this runtime gave: Dawn on Node, wgpu on Deno. */
  implementation: Exclude<WebGpuImplementation, 'browser'>;
  /** The native API the implementation was told to use ("vulkan"), or null for its own default. */
  backend: string | null;
  /** True when VK_ICD_FILENAMES was pointed at SwiftShader because the machine has no GPU. */
  usingSwiftShader: boolean;
  /** Drops the instance so the process can exit (destroy devices first). */
  release(): void;
}

/** True under Deno (which also defines `process` for Node compatibility, so test Deno first). */
export function runningOnDeno(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
}

/** "Node v20.19.0" or "Deno 2.9.6": the runtime, for machine lines and reports. */
export function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
  return deno ? `Deno ${deno.version?.deno ?? ''}`.trim() : `Node ${process.version}`;
}

/**
 * Creates the runtime's WebGPU instance. VK_ICD_FILENAMES, when set, wins; otherwise a machine
 * with no GPU device node gets SwiftShader (Dawn rejects Debian's lavapipe, the other software
 * driver). On Linux both implementations are told to use Vulkan: wgpu otherwise falls back,
 * silently, to OpenGL on llvmpipe (128 MiB bindings, a different driver from Dawn's), and
 * DENO_WEBGPU_BACKEND is read when Deno first touches navigator.gpu, so it is set before that.
 */
export async function createNodeGpu(): Promise<NodeGpu> {
  let usingSwiftShader = false;
  if (!process.env.VK_ICD_FILENAMES && !hasGpuDeviceNode()) {
    if (!existsSync(SWIFTSHADER_ICD))
      throw new Error(
        `This machine has no GPU and no SwiftShader Vulkan driver (${SWIFTSHADER_ICD}). ` +
          "Install Debian's chromium package (apt-get install chromium libvulkan1), or run ./scripts/setup.sh.",
      );
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    usingSwiftShader = true;
  }
  // The Vulkan loader probes for a display and prints "XDG_RUNTIME_DIR is invalid" on headless
  // machines; a private (0700) runtime folder keeps that noise out of every report.
  if (!process.env.XDG_RUNTIME_DIR) {
    const runtimeDir = mkdtempSync(join(tmpdir(), 'l2wd-xdg-'));
    process.env.XDG_RUNTIME_DIR = runtimeDir;
    process.once('exit', () => rmSync(runtimeDir, { recursive: true, force: true }));
  }
  const linux = process.platform === 'linux';
  if (runningOnDeno()) {
    if (linux && !process.env.DENO_WEBGPU_BACKEND) process.env.DENO_WEBGPU_BACKEND = 'vulkan';
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) throw new Error('This Deno has no navigator.gpu (WebGPU): use Deno 2 or later (npx deno, a devDependency here).');
    return { gpu, implementation: 'wgpu', backend: process.env.DENO_WEBGPU_BACKEND || null, usingSwiftShader, release() {} };
  }
  const webgpu = await import('webgpu');
  // GPUBufferUsage, GPUShaderStage, GPUMapMode… are globals in a browser; make them so here.
  Object.assign(globalThis, webgpu.globals);
  const backend = linux ? 'vulkan' : null;
  let instance: GPU | null = webgpu.create(backend ? [`backend=${backend}`] : []);
  return {
    get gpu(): GPU {
      if (!instance) throw new Error('This WebGPU instance was released.');
      return instance;
    },
    implementation: 'dawn',
    backend,
    usingSwiftShader,
    release() {
      instance = null;
    },
  };
}
