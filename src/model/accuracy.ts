/**
 * Accuracy of a classification (loss `ce`) run, docs/RULES.md "Accuracy": a row is right when its
 * first largest logit is at its target's class (the first largest target value; targets are
 * one-hot), and wrong when any of its logits is NaN. The CPU backends count with this function;
 * the GPU counts the same way in shaders/loss.wgsl.
 */

/** Whether a configuration reports accuracy: only classification has classes to be right about. */
export function hasAccuracy(config: { loss: string }): boolean {
  return config.loss === 'ce';
}

/**
 * Rows r < rows whose logits z[zAt + r·cols …] pick the target t[tAt + r·cols …]. Offsets instead
 * of views, so the fast CPU trainer counts inside its heap without allocating.
 */
export function correctRows(z: ArrayLike<number>, zAt: number, t: ArrayLike<number>, tAt: number, rows: number, cols: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const zr = zAt + r * cols;
    const tr = tAt + r * cols;
    let best = 0;
    let target = 0;
    let nan = Number.isNaN(z[zr]);
    for (let k = 1; k < cols; k++) {
      if (Number.isNaN(z[zr + k])) nan = true;
      if (z[zr + k] > z[zr + best]) best = k;
      if (t[tr + k] > t[tr + target]) target = k;
    }
    if (!nan && best === target) correct++;
  }
  return correct;
}
