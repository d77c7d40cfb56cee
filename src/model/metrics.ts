/** Agreement figures of RULES.md, per layer, and the norms they are built from. */

export function frobeniusNorm(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  return Math.sqrt(s);
}

/** |‖P‖ − ‖Q‖| / ‖Q‖ (Q is the baseline). */
export function normGap(normP: number, normQ: number): number {
  return Math.abs(normP - normQ) / normQ;
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
  return diff / scale;
}

export interface Agreement {
  normGap: number[];
  weightGap: number[];
}

/** Per-layer gaps between two sets of weights (Q the baseline). */
export function agreement(p: readonly ArrayLike<number>[], q: readonly ArrayLike<number>[]): Agreement {
  return {
    normGap: p.map((w, l) => normGap(frobeniusNorm(w), frobeniusNorm(q[l]))),
    weightGap: p.map((w, l) => weightGap(w, q[l])),
  };
}
