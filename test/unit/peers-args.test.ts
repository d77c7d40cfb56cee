/**
 * `npm run bench:peers` flags and the report's verdicts, as plain functions: every bad flag is
 * an error naming the value and what is allowed, and a result counts only if it trained.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHAPES, PeersUsageError, QUICK_SHAPES, parsePeersArgs } from '../peers/args';
import { ENGINES, type EngineResult } from '../peers/protocol';
import { invalidReason, summarize } from '../peers/report';

function result(engine: EngineResult['engine'], msPerStep: number[], lossFirst = 2, lossLast = 1): EngineResult {
  return { engine, label: engine, shape: { layers: [4, 8, 2], batch: 16 }, stepsPerSample: 4, msPerStep, lossFirst, lossLast, steps: 20, setupMs: 1 };
}

describe('bench:peers flags', () => {
  it('defaults to the two issue shapes, every engine, 5 samples', () => {
    const a = parsePeersArgs([]);
    expect(a.shapes).toEqual(DEFAULT_SHAPES);
    expect(a.engines).toEqual([...ENGINES]);
    expect(a.samples).toBe(5);
    expect(a.rounds).toBe(1);
    expect(a.json).toBeNull();
  });

  it('reads --shapes, --engines, --samples, --json and --quick', () => {
    const a = parsePeersArgs(['--shapes', '8,16,4:32/3,5,7,2:9', '--engines', 'jax-wasm,ours-cpu', '--samples', '7', '--json', 'out.json']);
    expect(a.shapes).toEqual([
      { layers: [8, 16, 4], batch: 32 },
      { layers: [3, 5, 7, 2], batch: 9 },
    ]);
    expect(a.engines).toEqual(['jax-wasm', 'ours-cpu']);
    expect(a.samples).toBe(7);
    expect(a.json).toBe('out.json');
    expect(parsePeersArgs(['--rounds', '3']).rounds).toBe(3);
    const q = parsePeersArgs(['--quick']);
    expect(q.shapes).toEqual(QUICK_SHAPES);
    expect(q.samples).toBe(3);
    expect(parsePeersArgs(['--quick', '--shapes', '4,4:2']).shapes).toEqual([{ layers: [4, 4], batch: 2 }]);
  });

  it.each([
    [['--shapes', '256,512'], /"256,512" is not LAYERS:BATCH/],
    [['--shapes', '256:128'], /"256:128" is not LAYERS:BATCH/],
    [['--shapes', '0,4:8'], /--shapes width 0: give an integer ≥ 1/],
    [['--shapes', '4,4:0'], /--shapes batch 0: give an integer ≥ 1/],
    [['--engines', 'pytorch,ours-gpu'], /unknown pytorch; known: ours-gpu, jax-webgpu/],
    [['--samples', '2.5'], /--samples 2.5: give an integer ≥ 1/],
    [['--samples'], /--samples needs a value/],
    [['--rounds', '0'], /--rounds 0: give an integer ≥ 1/],
    [['--json', '--quick'], /--json needs a value/],
    [['--fast'], /unknown flag --fast/],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePeersArgs(argv)).toThrow(PeersUsageError);
    expect(() => parsePeersArgs(argv)).toThrow(message);
  });
});

describe('bench:peers verdicts', () => {
  it('counts a result only with finite positive timings and a finite loss that went down', () => {
    expect(invalidReason(result('jax-wasm', [2, 3]))).toBeNull();
    expect(invalidReason(result('jax-wasm', [2, Number.NaN]))).toMatch(/timings not finite/);
    expect(invalidReason(result('jax-wasm', []))).toMatch(/timings not finite/);
    expect(invalidReason(result('jax-wasm', [2], 2, Number.NaN))).toMatch(/loss not finite/);
    expect(invalidReason(result('jax-wasm', [2], 2, 2))).toMatch(/loss did not decrease: first 2, last 2/);
  });

  it('gives ours ÷ peer of samples/s on the same shape, and no ratio against an invalid result', () => {
    const rows = summarize([result('ours-cpu', [2, 2, 2]), result('jax-wasm', [4, 6, 5]), result('tfjs-wasm', [1], 1, 3), result('jax-webgpu', [1])]);
    const by = Object.fromEntries(rows.map((r) => [r.engine, r]));
    expect(by['ours-cpu'].samplesPerSecond).toBeCloseTo(16_000 / 2, 9);
    expect(by['ours-cpu'].oursRatio).toBeNull();
    expect(by['jax-wasm'].msPerStep.median).toBe(5);
    expect(by['jax-wasm'].oursRatio).toBeCloseTo(2.5, 12);
    expect(by['tfjs-wasm'].invalid).toMatch(/did not decrease/);
    expect(by['tfjs-wasm'].oursRatio).toBeNull();
    // No ours-gpu result: no ratio rather than a made-up one.
    expect(by['jax-webgpu'].oursRatio).toBeNull();
    // matmul FLOPs of 4,8,2 batch 16 (docs/RULES.md): 2·16·(4·8) + 2·16·(4·8) + 3·2·16·(8·2) = 3584 per step.
    expect(by['ours-cpu'].matmulGflops).toBeCloseTo(3584 / (2 * 1e6), 12);
  });

  it("with rounds: pools each engine's samples and gives each round's own ratio; an invalid round invalidates the engine", () => {
    const r = (engine: EngineResult['engine'], ms: number[], round: number, lossLast = 1): EngineResult => ({ ...result(engine, ms, 2, lossLast), round });
    const rows = summarize([r('ours-gpu', [2, 2], 0), r('jax-webgpu', [4, 4], 0), r('jax-webgpu', [6, 6], 1), r('ours-gpu', [2, 2], 1)]);
    const by = Object.fromEntries(rows.map((x) => [x.engine, x]));
    expect(rows).toHaveLength(2);
    expect(by['jax-webgpu'].samples).toBe(4);
    // The pooled ratio comes from the pooled samples [4, 4, 6, 6], whatever median they give.
    expect(by['jax-webgpu'].oursRatio).toBeCloseTo(by['ours-gpu'].samplesPerSecond / by['jax-webgpu'].samplesPerSecond, 12);
    expect(by['jax-webgpu'].roundRatios.map((x) => +x.toFixed(6))).toEqual([2, 3]);
    expect(by['ours-gpu'].roundRatios).toEqual([]);
    const bad = summarize([r('ours-gpu', [2], 0), r('jax-webgpu', [4], 0), r('jax-webgpu', [4], 1, 3), r('ours-gpu', [2], 1)]);
    expect(bad.find((x) => x.engine === 'jax-webgpu')!.invalid).toMatch(/did not decrease/);
  });
});
