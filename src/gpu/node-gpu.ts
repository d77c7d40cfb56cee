/**
 * WebGPU on Node through the `webgpu` package (Dawn). On a machine without a GPU, Dawn runs on
 * SwiftShader, the CPU Vulkan driver that Debian's chromium package ships; on a machine with one,
 * the real GPU. Node-only: the page never imports this file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  /** True when VK_ICD_FILENAMES was pointed at SwiftShader because the machine has no GPU. */
  usingSwiftShader: boolean;
  /** Drops the Dawn instance so Node can exit (destroy devices first). */
  release(): void;
}

/**
 * Creates the Dawn instance. VK_ICD_FILENAMES, when set, wins; otherwise a machine with no GPU
 * device node gets SwiftShader (Dawn rejects Debian's lavapipe, the other software driver).
 */
export async function createNodeGpu(): Promise<NodeGpu> {
  let usingSwiftShader = false;
  if (!process.env.VK_ICD_FILENAMES && !hasGpuDeviceNode()) {
    if (!existsSync(SWIFTSHADER_ICD))
      throw new Error(
        `This machine has no GPU and no SwiftShader Vulkan driver (${SWIFTSHADER_ICD}). ` +
          'Install Debian\'s chromium package (apt-get install chromium libvulkan1), or run ./scripts/setup.sh.',
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
  const webgpu = await import('webgpu');
  // GPUBufferUsage, GPUShaderStage, GPUMapMode… are globals in a browser; make them so here.
  Object.assign(globalThis, webgpu.globals);
  let instance: GPU | null = webgpu.create([]);
  return {
    get gpu(): GPU {
      if (!instance) throw new Error('This WebGPU instance was released.');
      return instance;
    },
    usingSwiftShader,
    release() {
      instance = null;
    },
  };
}
