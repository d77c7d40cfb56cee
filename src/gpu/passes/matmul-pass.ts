import type { Activation } from '../../model/config';
import type { Kernels, MatmulChoice, MatmulVariant } from '../kernels';
import { pickMatmul, splitWorkgroups } from '../kernels';

/**
 * The three products of a layer (shaders/matmul.wgsl), transposes by index:
 *   forward:     out = act(A·W + b)           (M = B, N = n_l, K = n_{l-1})
 *   weightGrad:  out = Aᵀ·dZ, biasGrad = Σ_rows dZ   (M = n_{l-1}, N = n_l, K = B)
 *   inputGrad:   out = (dZ·Wᵀ) ⊙ act'(A)      (M = B, N = n_{l-1}, K = n_l)
 */
export type MatmulProduct = 'forward' | 'weightGrad' | 'inputGrad';

export interface MatmulOperands {
  /** op(A) is [M, K]. */
  a: GPUBuffer;
  /** op(B) is [K, N]. */
  b: GPUBuffer;
  /** Bias [N] for forward. */
  bias?: GPUBuffer;
  /** A_{l-1} [M, N] whose derivative multiplies inputGrad. */
  aux?: GPUBuffer;
  out: GPUBuffer;
  /** [N]: weightGrad also writes the column sums of op(B) = dZ here, the bias gradient. */
  biasGrad?: GPUBuffer;
}

/**
 * A grid's model dimension (shaders/matmul.wgsl, MODELS): `count` models in one dispatch, each
 * operand of model g starting at g × its stride in floats (0 where the models share the operand).
 * Absent, or count 1: the single-model pipeline, unchanged.
 */
export interface ModelDimension {
  count: number;
  /** Per-model stride in floats of a, b, out (and aux), bias (and biasGrad): multiples of 4. */
  strides: { a: number; b: number; out: number; bias: number };
}

const ACT_ID: Record<Activation | 'identity', number> = { identity: 0, tanh: 1, relu: 2 };
const ENTRY: Record<MatmulVariant, string> = { subgroup: 'matmul_subgroup', blocked: 'matmul_blocked', tiled: 'matmul_tiled', naive: 'matmul_naive' };
/** Outputs per workgroup along one side: 16 invocations × 4 (subgroup, blocked, tiled) or × 1 (naive). */
const OUTPUTS_PER_WORKGROUP: Record<MatmulVariant, number> = { subgroup: 64, blocked: 64, tiled: 64, naive: 16 };
/**
 * The blocked kernel holds 4 × 8 outputs per invocation (WIDE) where the product has at least this
 * many columns: the second 4 × 4 block reuses the A values already in registers (12 loads per 128
 * multiply-adds instead of 8 per 64). Narrower products (the 10-wide output layer) keep 4 × 4, so a
 * block is not mostly masked edge. docs/BENCHMARKS.md, "4 × 8 register blocks".
 */
export const WIDE_MIN_COLUMNS = 64;
/**
 * The subgroup kernel also holds 8 rows per invocation (TALL) on 4 × 8 blocks with at least this
 * many rows: the second 4-row block reuses the broadcast op(B) values (gathers and broadcasts per
 * multiply-add fall by 17 % and 50 %). docs/BENCHMARKS.md, "Subgroup-shared operands".
 */
export const TALL_MIN_ROWS = 64;
/**
 * Invocations per workgroup of the subgroup kernel (its SUBGROUP_WG): 64 rows × 64 columns with
 * TALL, × 128 with XWIDE. Small enough that a 128 × 512 product still makes 8 workgroups (2 with
 * 256 invocations), so a CPU adapter with more cores than this machine's two keeps more busy.
 */
const SUBGROUP_INVOCATIONS = 64;
/**
 * With TALL, the subgroup kernel holds 16 columns per invocation (XWIDE: 8 × 16) where the product
 * has at least this many: four op(B) blocks per pair of op(A) row blocks, 48 loads per 512
 * multiply-adds instead of 40 per 256. A workgroup covers 64 × 128 outputs.
 */
export const XWIDE_MIN_COLUMNS = 128;

export class MatmulPass {
  private readonly pipeline: GPUComputePipeline;
  private readonly bindGroup: GPUBindGroup;
  private readonly workgroups: [number, number, number];

  constructor(
    kernels: Kernels,
    label: string,
    product: MatmulProduct,
    dims: { M: number; N: number; K: number },
    operands: MatmulOperands,
    activation: Activation | 'identity',
    choice: MatmulChoice,
    models?: ModelDimension,
  ) {
    const device = kernels.device;
    const variant = pickMatmul(choice, kernels);
    // The subgroup kernel is the blocked one with shared loads: the same blocks.
    const wide = (variant === 'blocked' || variant === 'subgroup') && dims.N >= WIDE_MIN_COLUMNS;
    const tall = variant === 'subgroup' && wide && dims.M >= TALL_MIN_ROWS;
    const xwide = tall && dims.N >= XWIDE_MIN_COLUMNS;
    const count = models?.count ?? 1;
    const grid: Record<string, number> =
      models && count > 1
        ? { MODELS: count, A_STRIDE: models.strides.a, B_STRIDE: models.strides.b, C_STRIDE: models.strides.out, V_STRIDE: models.strides.bias }
        : {};
    this.pipeline = kernels.pipeline(variant === 'subgroup' ? 'matmulSubgroup' : 'matmul', ENTRY[variant], kernels.matmulLayout, {
      TRANS_A: product === 'weightGrad' ? 1 : 0,
      TRANS_B: product === 'inputGrad' ? 1 : 0,
      EPILOGUE: product === 'forward' ? 1 : product === 'inputGrad' ? 2 : 0,
      ACT: product === 'weightGrad' ? 0 : ACT_ID[activation],
      BIAS_GRAD: operands.biasGrad ? 1 : 0,
      WIDE: wide ? 1 : 0,
      ...(tall ? { TALL: 1 } : {}),
      ...(xwide ? { XWIDE: 1 } : {}),
      ...(variant === 'subgroup' ? { SUBGROUP_WG: SUBGROUP_INVOCATIONS } : {}),
      // The shape is compiled in (shaders/matmul.wgsl): one pipeline per product shape, cached.
      M: dims.M,
      N: dims.N,
      K: dims.K,
      ...grid,
    });
    if (operands.biasGrad && product !== 'weightGrad') throw new Error(`${label}: only the weightGrad product writes a bias gradient`);
    const { read, write } = kernels.placeholders;
    this.bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: kernels.matmulLayout,
      entries: [operands.a, operands.b, operands.bias ?? read, operands.aux ?? read, operands.out, operands.biasGrad ?? write].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    });
    const side = OUTPUTS_PER_WORKGROUP[variant];
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    const columnsPerWorkgroup = variant === 'subgroup' ? (SUBGROUP_INVOCATIONS / (tall ? 8 : 16)) * (xwide ? 16 : wide ? 8 : 4) : wide ? 2 * side : side;
    const x = Math.ceil(dims.N / columnsPerWorkgroup);
    if (x > maxPerDim) throw new Error(`${label}: ${dims.N} output columns need ${x} workgroups; maxComputeWorkgroupsPerDimension is ${maxPerDim}`);
    // Row tiles beyond the per-dimension limit fold into z; the kernel reads row = y + z·ny.
    const [y, folds] = splitWorkgroups(Math.ceil(dims.M / side), maxPerDim);
    // A grid's models are z's outer index: z = models × folds (the kernel reads model = z / folds).
    const z = count * folds;
    if (z > maxPerDim)
      throw new Error(`${label}: ${count} models × ${folds} row folds need ${z} workgroups in z; maxComputeWorkgroupsPerDimension is ${maxPerDim}`);
    this.workgroups = [x, y, z];
  }

  encode(pass: GPUComputePassEncoder): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(...this.workgroups);
  }
}
