/**
 * The verdict rule against a measured rounding floor (src/model/verdict.ts) and the 0/0 cases of
 * the agreement metric (issue 10.5): every outcome, NaN and zero norms included.
 */
import { describe, expect, it } from 'vitest';
import { agreement, normGap, weightGap } from '../../src/model/metrics';
import { SAME_MAX_RATIO, ULP_F32, describeVerdict, judge, leastFloor, oneUlpTwin, sameMapExpected } from '../../src/model/verdict';

const gaps = (normGap: number[], weightGap: number[]) => ({ normGap, weightGap });

describe('judge: the pair gap as a multiple of the rounding floor', () => {
  const floor = gaps([1e-6, 2e-6], [1e-6, 4e-6]);

  it('bit-identical weights are "identical", whatever the floor', () => {
    expect(judge(gaps([0, 0], [0, 0]), floor)).toMatchObject({ id: 'identical', ratio: 0 });
    expect(judge(gaps([0, 0], [0, 0]), null).id).toBe('identical');
  });

  it('a norm gap within SAME_MAX_RATIO × the floor is "same", beyond it "drift", with the worst layer', () => {
    const same = judge(gaps([1e-6, 2e-6 * SAME_MAX_RATIO], [2e-6, 4e-6]), floor);
    expect(same).toEqual({ id: 'same', ratio: SAME_MAX_RATIO, worstLayer: 2, worstKind: 'norm' });
    const drift = judge(gaps([1e-2, 2e-7], [2e-6, 4e-6]), floor);
    expect(drift.id).toBe('drift');
    expect(drift.ratio).toBeCloseTo(1e4, 6);
    expect(drift).toMatchObject({ worstLayer: 1, worstKind: 'norm' });
  });

  it('a weight gap far above its floor does not decide (a ReLU sign flip moves single weights): the norms do', () => {
    // The Large preset under SGD: weight gap 2.7e-4 against a twin's 2.7e-7, norm gaps ~1e-9.
    const v = judge(gaps([3e-9, 1.9e-9], [7.5e-5, 2.7e-4]), gaps([9.5e-11, 7.7e-12], [9.1e-6, 2.7e-7]), { floorMin: leastFloor(50, 32) });
    expect(v.id).toBe('same');
    expect(v.ratio).toBeLessThan(1);
  });

  it('a floor below the least floor counts as the least floor (the twin norm gap can cancel to ~0)', () => {
    const v = judge(gaps([ULP_F32], [ULP_F32]), gaps([0], [1e-12]));
    expect(v).toMatchObject({ id: 'same', ratio: 1 });
    // One ulp per step: after 100 float32 steps a gap of 100 ulps is one floor.
    expect(leastFloor(100, 32)).toBe(100 * 2 ** -23);
    expect(leastFloor(0, 64)).toBe(2 ** -52);
    expect(judge(gaps([100 * ULP_F32], [0]), gaps([0], [0]), { floorMin: leastFloor(100, 32) }).ratio).toBe(1);
  });

  it('NaN or Inf in a gap is "diverged", never "same"; also when the caller says a run diverged', () => {
    expect(judge(gaps([Number.NaN], [0]), floor).id).toBe('diverged');
    expect(judge(gaps([1e-9], [Number.NaN]), floor).id).toBe('diverged');
    expect(judge(gaps([0], [0]), floor, { diverged: true }).id).toBe('diverged');
    expect(judge(gaps([1e-9], [1e-9]), floor, { diverged: true }).ratio).toBeNull();
  });

  it('+Infinity from a zero baseline (finite weights) is "drift", not divergence', () => {
    expect(judge(gaps([Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY]), gaps([1e-7], [1e-7]))).toMatchObject({
      id: 'drift',
      ratio: Number.POSITIVE_INFINITY,
    });
  });

  it('without a usable floor (no twin, or the twin went NaN) a non-zero gap is "unmeasured"', () => {
    expect(judge(gaps([1e-7], [1e-7]), null)).toMatchObject({ id: 'unmeasured', ratio: null });
    expect(judge(gaps([1e-7], [1e-7]), gaps([Number.NaN], [1e-7])).id).toBe('unmeasured');
  });
});

describe('the agreement metric with zero norms (issue 10.5)', () => {
  it('0 vs 0 is a gap of 0 and names the layer; a non-zero vs a zero baseline is +Infinity, never NaN', () => {
    expect(normGap(0, 0)).toBe(0);
    expect(normGap(1e-3, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(normGap(Number.NaN, 0)).toBeNaN();
    expect(weightGap([0, 0], [0, 0])).toBe(0);
    expect(weightGap([1e-3, 0], [0, 0])).toBe(Number.POSITIVE_INFINITY);
    const g = agreement([new Float64Array(2), new Float64Array([1, 2])], [new Float64Array(2), new Float64Array([1, 2])]);
    expect(g).toEqual({ normGap: [0, 0], weightGap: [0, 0], zeroScaleLayers: [1] });
    expect(judge(g, null).id).toBe('identical');
  });
});

const bits32 = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0];

describe('oneUlpTwin', () => {
  const w = [new Float64Array([0.1, -0.25, 3, 0, 1e-3])];

  it('moves every non-zero float32 weight by exactly one float32 ulp, with both signs, and is seeded', () => {
    const twin = oneUlpTwin(w, 7, 32)[0];
    const signs = new Set<number>();
    for (let k = 0; k < w[0].length; k++) {
      const f = Math.fround(w[0][k]);
      if (f === 0) {
        expect(twin[k]).toBe(0);
        continue;
      }
      // Neighbouring float32 values: their bit patterns differ by exactly 1.
      expect(Math.fround(twin[k])).toBe(twin[k]);
      expect(Math.abs(bits32(twin[k]) - bits32(f))).toBe(1);
      signs.add(Math.sign(twin[k] - f) * Math.sign(f));
    }
    expect(signs.size).toBe(2);
    expect(oneUlpTwin(w, 7, 32)).toEqual(oneUlpTwin(w, 7, 32));
    expect(oneUlpTwin(w, 8, 32)).not.toEqual(oneUlpTwin(w, 7, 32));
  });

  it('in float64 moves by one float64 ulp', () => {
    const twin = oneUlpTwin([new Float64Array([0.75])], 1, 64)[0];
    expect(Math.abs(twin[0] - 0.75)).toBe(2 ** -53);
  });
});

describe('describeVerdict', () => {
  const run = (optimizer: 'sgd' | 'momentum' | 'adam') => ({ optimizer, schedule: 'constant', decaySchedule: 'tracks' }) as const;
  it('says "the same map" under SGD, "drift" with the multiple, and never "same" for a diverged run', () => {
    expect(describeVerdict('same', 3.14159, run('sgd'))).toBe('the same map: norm gap ≈ 3.1× the rounding floor');
    expect(describeVerdict('identical', 0, run('sgd'))).toMatch(/^the same map: bit-identical/);
    expect(describeVerdict('drift', 12345, run('adam'))).toBe('they drift: norm gap 1.2e+4× the rounding floor');
    expect(describeVerdict('drift', 250, run('sgd'))).toMatch(/bug/);
    expect(describeVerdict('same', 2, run('adam'))).not.toMatch(/same map/);
    expect(describeVerdict('diverged', null, run('sgd'))).not.toMatch(/same/);
  });

  it('under SGD with a schedule: tracks is the same map (drift a bug); a fixed α is two maps, its drift named and no bug', () => {
    for (const schedule of ['step', 'cosine'] as const) {
      const tracks = { optimizer: 'sgd', schedule, decaySchedule: 'tracks' } as const;
      const fixed = { ...tracks, decaySchedule: 'fixed' } as const;
      expect(sameMapExpected(tracks)).toBe(true);
      expect(sameMapExpected(fixed)).toBe(false);
      expect(describeVerdict('same', 0.5, tracks)).toBe('the same map: norm gap ≈ 0.5× the rounding floor');
      expect(describeVerdict('drift', 250, tracks)).toMatch(/bug/);
      expect(describeVerdict('drift', 250, fixed)).toBe(
        'they drift: norm gap 250× the rounding floor — α is fixed at η_0·λ while η_t follows the schedule, so they are two maps',
      );
      expect(describeVerdict('same', 2, fixed)).toMatch(/^no drift above rounding/);
    }
    // With a constant η the two conventions are one: still the same map, whatever decaySchedule says.
    expect(sameMapExpected({ optimizer: 'sgd', schedule: 'constant', decaySchedule: 'fixed' })).toBe(true);
    expect(sameMapExpected({ optimizer: 'adam', schedule: 'cosine', decaySchedule: 'tracks' })).toBe(false);
  });
});
