/** Agreement figures of docs/RULES.md, per layer, and the norms they are built from. */

export function frobeniusNorm(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  return Math.sqrt(s);
}

/**
 * |‖P‖ − ‖Q‖| / ‖Q‖ (Q is the baseline). A zero baseline has no scale: equal norms (both 0)
 * give 0, a non-zero P gives +Infinity (infinitely far, relatively), never the NaN of 0/0,
 * which would read as divergence. `zeroScaleLayers` names the layers where this happened.
 */
export function normGap(normP: number, normQ: number): number {
  const diff = Math.abs(normP - normQ);
  if (normQ === 0) return diff === 0 ? 0 : Number.isNaN(diff) ? Number.NaN : Number.POSITIVE_INFINITY;
  return diff / normQ;
}

/** max_ij |P − Q| / max_ij |Q|. */
export function weightGap(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`weightGap: ${p.length} vs ${q.length} values`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < p.length; i++) {
    const d = Math.abs(p[i] - q[i]);
    // NaN must come out as the figure, never hide behind a max().
    if (Number.isNaN(d)) return Number.NaN;
    if (d > diff) diff = d;
    scale = Math.max(scale, Math.abs(q[i]));
  }
  // A zero baseline (all of Q exactly 0) has no scale: as in normGap, 0 when P is 0 too, else +Infinity.
  if (scale === 0) return diff === 0 ? 0 : Number.POSITIVE_INFINITY;
  return diff / scale;
}

export interface Agreement {
  normGap: number[];
  weightGap: number[];
  /** Layers (1-based) whose baseline weights are all exactly 0, where the gaps are 0 or +Infinity by the rule above. */
  zeroScaleLayers: number[];
}

/** Per-layer gaps between two sets of weights (Q the baseline). */
export function agreement(p: readonly ArrayLike<number>[], q: readonly ArrayLike<number>[]): Agreement {
  return {
    normGap: p.map((w, l) => normGap(frobeniusNorm(w), frobeniusNorm(q[l]))),
    weightGap: p.map((w, l) => weightGap(w, q[l])),
    zeroScaleLayers: q.flatMap((w, l) => (frobeniusNorm(w) === 0 ? [l + 1] : [])),
  };
}
