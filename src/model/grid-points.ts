/**
 * The check every grid trainer makes of its points before it allocates anything (docs/DESIGN.md,
 * Grid): at least one point, and for each a learning rate η > 0 and strengths λ, α ≥ 0, all finite.
 */
import type { GridPoint } from './grid-trainer';

/** Throws one error naming every bad value (`points[2].lr = 0: must be a finite number > 0`). */
export function checkGridPoints(points: readonly GridPoint[]): void {
  if (!Array.isArray(points) || points.length === 0) throw new Error(`a grid needs at least one point; got ${Array.isArray(points) ? 0 : String(points)}`);
  const problems: string[] = [];
  points.forEach((p, i) => {
    const rules: [keyof GridPoint, (v: number) => boolean, string][] = [
      ['lr', (v) => v > 0, '> 0'],
      ['lambda', (v) => v >= 0, '≥ 0'],
      ['alpha', (v) => v >= 0, '≥ 0'],
    ];
    for (const [field, ok, allowed] of rules) {
      const v = p?.[field];
      if (!(typeof v === 'number' && Number.isFinite(v) && ok(v)))
        problems.push(`points[${i}].${field} = ${String(v)}: must be a finite number ${allowed}`);
    }
  });
  if (problems.length) throw new Error(problems.join('; '));
}
