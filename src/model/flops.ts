/**
 * Matmul FLOPs of one training step (docs/RULES.md): forward and dW for every layer,
 * dA for every layer but the first. Element-wise work is not counted.
 */
export function matmulFlopsPerStep(layers: readonly number[], batch: number): number {
  let flops = 0;
  for (let l = 1; l < layers.length; l++) {
    const product = 2 * batch * layers[l - 1] * layers[l];
    flops += l >= 2 ? 3 * product : 2 * product;
  }
  return flops;
}
