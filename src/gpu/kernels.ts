/**
 * Shader modules, bind group layouts and pipelines of one device, made once and shared by
 * every pass of every trainer on that device. Pipelines differ only by override constants.
 */
import lossWGSL from '../../shaders/loss.wgsl?raw';
import matmulWGSL from '../../shaders/matmul.wgsl?raw';
import matmulBlockedWGSL from '../../shaders/matmul-blocked.wgsl?raw';
import matmulSubgroupWGSL from '../../shaders/matmul-subgroup.wgsl?raw';
import matmulTiledWGSL from '../../shaders/matmul-tiled.wgsl?raw';
import matmulUnsharedWGSL from '../../shaders/matmul-unshared.wgsl?raw';
import reduceWGSL from '../../shaders/reduce.wgsl?raw';
import updateWGSL from '../../shaders/update.wgsl?raw';

/** Which matmul kernel runs: see shaders/matmul.wgsl. The kernel benchmark compares them. */
export type MatmulVariant = 'subgroup' | 'blocked' | 'tiled' | 'naive';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['subgroup', 'blocked', 'tiled', 'naive'];
/** A trainer's choice: one kernel for every product, or `auto`, chosen per product by its shape. */
export type MatmulChoice = MatmulVariant | 'auto' | 'alternate';

/**
 * `auto`: the register-blocked kernel for every product, with op(B) shared across each subgroup
 * (`subgroup`) where the device has 4-wide subgroups (Kernels.hasSubgroup4), bitwise the same sums
 * at fewer loads (docs/BENCHMARKS.md, "Subgroup-shared operands"). On the one adapter measured (SwiftShader)
 * it beats the workgroup-tiled kernel 2–4× on every product of the issue-11 step, and it is the
 * structure jax-js generates for WebGPU on every adapter (docs/BENCHMARKS.md, "What jax-js runs");
 * the tiled kernel stays selectable for products too large for the cache to stand in for
 * workgroup memory (no real GPU has measured the crossover yet).
 * `alternate`: the other of the two wherever `auto` picks one: the same products summed in
 * another order (sequential fused multiply-adds instead of 4-term quads), which is how the
 * rounding twin (src/bench/rounding-floor.ts) perturbs every step.
 */
export function pickMatmul(choice: MatmulChoice, kernels: Kernels): MatmulVariant {
  if (choice === 'alternate') return 'tiled';
  if (choice === 'auto') return kernels.hasSubgroup4 ? 'subgroup' : 'blocked';
  if (choice === 'subgroup' && !kernels.hasSubgroup4)
    throw new Error(
      "matmul 'subgroup' needs the WebGPU feature 'subgroups' with 4-wide subgroups, which this device lacks; use 'auto' or 'blocked' (the same sums)",
    );
  return choice;
}

/** Subgroups of exactly 4 invocations on this device (its adapter's minimum and maximum size). */
function subgroup4(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  return device.features.has('subgroups') && info?.subgroupMinSize === 4 && info?.subgroupMaxSize === 4;
}

type Binding = 'uniform' | 'dynamic-uniform' | 'read' | 'write';

function layout(device: GPUDevice, label: string, bindings: Binding[]): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label,
    entries: bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        kind === 'uniform' || kind === 'dynamic-uniform'
          ? { type: 'uniform', hasDynamicOffset: kind === 'dynamic-uniform' }
          : { type: kind === 'read' ? 'read-only-storage' : 'storage' },
    })),
  });
}

export class Kernels {
  private static readonly perDevice = new WeakMap<GPUDevice, Kernels>();

  /** The shared kernels of a device (made on first use). */
  static of(device: GPUDevice): Kernels {
    let k = Kernels.perDevice.get(device);
    if (!k) {
      k = new Kernels(device);
      Kernels.perDevice.set(device, k);
    }
    return k;
  }

  readonly matmulLayout: GPUBindGroupLayout;
  readonly lossLayout: GPUBindGroupLayout;
  readonly reduceLayout: GPUBindGroupLayout;
  readonly updateLayout: GPUBindGroupLayout;
  /** matmul_subgroup compiles here (its module exists only then): see pickMatmul. */
  readonly hasSubgroup4: boolean;
  private readonly modules: Partial<Record<'matmul' | 'matmulSubgroup' | 'loss' | 'reduce' | 'update', GPUShaderModule>>;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /**
   * 16-byte buffers bound where a pass has no operand for a binding (a product without bias, aux
   * or bias gradient; SGD's two absent states). Distinct ones: a dispatch may not bind one buffer
   * as both read-only and writable, nor to two writable bindings.
   */
  readonly placeholders: { read: GPUBuffer; write: GPUBuffer; writeState: [GPUBuffer, GPUBuffer] };

  private constructor(readonly device: GPUDevice) {
    this.matmulLayout = layout(device, 'Kernels.matmul.layout', ['read', 'read', 'read', 'read', 'write', 'write']);
    this.lossLayout = layout(device, 'Kernels.loss.layout', ['read', 'read', 'write', 'write', 'write']);
    this.reduceLayout = layout(device, 'Kernels.reduce.layout', ['read', 'write', 'write']);
    this.updateLayout = layout(device, 'Kernels.update.layout', ['dynamic-uniform', 'write', 'read', 'write', 'write', 'read']);
    const placeholder = (kind: string) => device.createBuffer({ label: `Kernels.placeholder.${kind}`, size: 16, usage: GPUBufferUsage.STORAGE });
    this.placeholders = { read: placeholder('read'), write: placeholder('write'), writeState: [placeholder('state1'), placeholder('state2')] };
    this.hasSubgroup4 = subgroup4(device);
    this.modules = {
      // One module from several files (shaders/matmul.wgsl says why): WGSL declarations may come in any order.
      matmul: device.createShaderModule({
        label: 'Kernels.matmul.wgsl',
        code: [matmulWGSL, matmulTiledWGSL, matmulBlockedWGSL, matmulUnsharedWGSL].join('\n'),
      }),
      // `enable subgroups` fails to compile on a device without the feature: a module of its own.
      ...(this.hasSubgroup4
        ? {
            matmulSubgroup: device.createShaderModule({
              label: 'Kernels.matmul-subgroup.wgsl',
              code: [matmulSubgroupWGSL, matmulWGSL, matmulBlockedWGSL].join('\n'),
            }),
          }
        : {}),
      loss: device.createShaderModule({ label: 'Kernels.loss.wgsl', code: lossWGSL }),
      reduce: device.createShaderModule({ label: 'Kernels.reduce.wgsl', code: reduceWGSL }),
      update: device.createShaderModule({ label: 'Kernels.update.wgsl', code: updateWGSL }),
    };
  }

  /** A pipeline for an entry point under given override constants, cached by both. */
  pipeline(
    module: 'matmul' | 'matmulSubgroup' | 'loss' | 'reduce' | 'update',
    entryPoint: string,
    bindGroupLayout: GPUBindGroupLayout,
    constants: Record<string, number>,
  ): GPUComputePipeline {
    const key = `${module}.${entryPoint}.${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: `Kernels.${key}`,
        layout: this.device.createPipelineLayout({ label: `Kernels.${module}.pipelineLayout`, bindGroupLayouts: [bindGroupLayout] }),
        compute: { module: this.modules[module]!, entryPoint, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}

/** Splits a workgroup count over x and y when it exceeds the per-dimension limit (65535 by default). */
export function splitWorkgroups(workgroups: number, maxPerDimension: number): [number, number] {
  if (workgroups <= maxPerDimension) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / maxPerDimension);
  return [Math.ceil(workgroups / y), y];
}
