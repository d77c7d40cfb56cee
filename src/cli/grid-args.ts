/**
 * The grid flags of `npm run bench` (docs/DESIGN.md, Grid): --grid-lr and --grid-lambda (both or
 * neither), --grid-decay, and --optimizer as a list. Strict, as args.ts: a bad value is a usage
 * error naming the flag, the value and what is allowed. No Node imports.
 */
import { LR_AXIS, STRENGTH_AXIS, parseGridAxis } from '../bench/grid-axes';
import type { AxisRule } from '../bench/grid-axes';
import { DECAY_CONVENTIONS } from '../bench/grid-results';
import type { DecayConvention } from '../bench/grid-results';
import type { OptimizerName } from '../model/config';
import { DEFAULT_CONFIG } from '../model/config';

export interface GridFlags {
  lrs: number[];
  strengths: number[];
  conventions: DecayConvention[];
  /** --optimizer, which takes a list with a grid. */
  optimizers: OptimizerName[];
}

/** The grid flags (docs/DESIGN.md, Grid): both axes or neither; the rest only with them. */
export function gridFlags(
  get: (flag: string) => string | true | undefined,
  enumList: (flag: string, fallback: readonly string[]) => string[],
  sweep: boolean,
  usage: (text: string) => never,
): GridFlags | null {
  const given = ['--grid-lr', '--grid-lambda', '--grid-decay'].filter((f) => get(f) !== undefined);
  const optimizers = enumList('--optimizer', [DEFAULT_CONFIG.optimizer]) as OptimizerName[];
  if (given.length === 0) {
    if (optimizers.length > 1)
      usage(`--optimizer ${get('--optimizer') as string}: one optimizer per run; a list is for a grid (--grid-lr and --grid-lambda)`);
    return null;
  }
  for (const flag of ['--grid-lr', '--grid-lambda'])
    if (get(flag) === undefined) usage(`${given.join(' and ')} without ${flag}: a grid needs both axes (--grid-lr and --grid-lambda)`);
  if (sweep) usage('--sweep and a grid (--grid-lr) are separate runs: give one of them');
  if (get('--variant') !== undefined) usage('--variant does not apply to a grid: it runs L2 and decay, each its own heatmap');
  const axis = (flag: string, rule: AxisRule) => {
    try {
      return parseGridAxis(get(flag) as string, rule);
    } catch (e) {
      return usage(`${flag} ${JSON.stringify(get(flag))}: ${(e as Error).message}`);
    }
  };
  return {
    lrs: axis('--grid-lr', LR_AXIS),
    strengths: axis('--grid-lambda', STRENGTH_AXIS),
    conventions: enumList('--grid-decay', DECAY_CONVENTIONS) as DecayConvention[],
    optimizers,
  };
}
