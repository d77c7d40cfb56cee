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

/** Matmul FLOPs of a forward pass over `rows` rows (what evaluating a validation set costs). */
export function forwardFlops(layers: readonly number[], rows: number): number {
  let flops = 0;
  for (let l = 1; l < layers.length; l++) flops += 2 * rows * layers[l - 1] * layers[l];
  return flops;
}

/**
 * The work of one step as a run spends it, for predictions (progress, estimates; not GFLOP/s): the
 * step's matmul FLOPs plus its share of a record's validation forward over `validationRows` rows,
 * one record every `recordEvery` steps. With 5,000 MNIST validation rows that share is larger than
 * the step itself.
 */
export function recordedStepFlops(layers: readonly number[], batch: number, validationRows: number, recordEvery: number): number {
  return matmulFlopsPerStep(layers, batch) + forwardFlops(layers, validationRows) / recordEvery;
}
