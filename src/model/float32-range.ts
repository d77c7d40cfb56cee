/**
 * What float32 cannot hold of a configuration, said before a run (docs/RULES.md, Agreement: the
 * GPU and fast CPU backends keep weights and optimizer state in float32, the reference in
 * float64). A value outside float32's range does not fail: it rounds to 0 or 1, or overflows to
 * Infinity, and the f32 rows then look finite while they stopped learning.
 */
import type { MlpConfig } from './config';
import { decayAlpha } from './config';

/** Largest finite float32, 2^128 − 2^104. */
export const F32_MAX = 3.4028234663852886e38;
/** Smallest normal float32, 2^−126: below it values lose precision (subnormals), or flush to zero. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;
/** Half of float32's machine epsilon, 2^−24: 1 − x rounds to 1 for x below it. */
export const F32_HALF_EPSILON = 2 ** -24;

const fmt = (x: number) => x.toPrecision(2);

/** One sentence per problem (empty when float32 holds everything), each naming the value and the bound. */
export function float32Warnings(config: Pick<MlpConfig, 'lr' | 'lambda' | 'eps' | 'optimizer' | 'noise'>): string[] {
  const out: string[] = [];
  for (const field of ['lr', 'lambda', 'noise', 'eps'] as const)
    if (config[field] > F32_MAX)
      out.push(`${field} = ${fmt(config[field])} is beyond float32's largest value (${fmt(F32_MAX)}): the f32 backends hold Infinity`);
  if (config.optimizer === 'adam' && config.eps < F32_MIN_NORMAL)
    out.push(
      `eps = ${fmt(config.eps)} is below float32's smallest normal (${fmt(F32_MIN_NORMAL)}): the f32 backends lose it or flush it to 0, and Adam can divide by 0`,
    );
  const alpha = decayAlpha(config);
  if (config.lambda > 0 && alpha < F32_MIN_NORMAL)
    out.push(`α = lr × lambda = ${fmt(alpha)} underflows float32 (smallest normal ${fmt(F32_MIN_NORMAL)}): the f32 decay variant does not decay`);
  else if (config.lambda > 0 && alpha < F32_HALF_EPSILON)
    out.push(
      `α = lr × lambda = ${fmt(alpha)} is below 2^-24 (${fmt(F32_HALF_EPSILON)}): 1 − α rounds to 1 in float32, so an f32 decay of (1 − α)·w does not decay`,
    );
  // Adam's second moment holds g², and the L2 gradient carries λ·w with |w| of order 1.
  if (config.optimizer === 'adam' && config.lambda > Math.sqrt(F32_MAX))
    out.push(
      `lambda = ${fmt(config.lambda)}: Adam's second moment of the L2 gradient (about (lambda·w)²) overflows float32 above lambda ≈ ${fmt(Math.sqrt(F32_MAX))}, and the f32 l2 rows stop learning`,
    );
  return out;
}

/**
 * The first recorded step from which the norms never change again, when they stay the same for
 * at least `atLeast` records to the end; else null. Weights that stop moving while the rule says
 * they should is what a float32 overflow or underflow of optimizer state looks like.
 */
export function frozenFrom(norms: readonly (readonly number[])[], steps: readonly number[], atLeast = 3): number | null {
  const n = norms.length;
  if (n < atLeast) return null;
  const last = norms[n - 1];
  let k = n - 1;
  while (k > 0 && norms[k - 1].every((v, l) => v === last[l])) k--;
  return n - k >= atLeast ? steps[k] : null;
}
