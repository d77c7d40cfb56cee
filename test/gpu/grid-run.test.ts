/**
 * A grid run with `--backend gpu` on a real adapter (docs/DESIGN.md, Grid): through the page's and
 * the CLI's wiring (gridTrainerFactories), L2 and decay (α/η) agree cell by cell to the rounding
 * floor under SGD and not under Adam, and each GPU cell matches the float64 reference's run of the
 * same point to float32 accuracy. An odd shape (5,17,3), 2 × 3 cells.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gridTrainerFactories } from '../../src/bench/backends';
import { runGrid } from '../../src/bench/grid-run';
import { gridPairs } from '../../src/bench/grid-summary';
import type { AcquiredDevice } from '../../src/gpu/device';
import { validateConfig } from '../../src/model/config';
import { openDevice } from './fixture';

let acquired: AcquiredDevice | null = null;

afterAll(() => acquired?.device.destroy());

describe('grid run on the GPU', () => {
  it('SGD: the same map cell by cell; Adam: not; every cell near the reference', async () => {
    acquired = await openDevice();
    const { device, adapter, limits, hasTimestamps } = acquired;
    const gpu = { device, adapter, limits, hasTimestamps };
    const options = {
      config: validateConfig({ layers: [5, 17, 3], batch: 7, steps: 30 }),
      optimizers: ['sgd', 'adam'] as const,
      lrs: [0.01, 0.1],
      strengths: [1e-3, 1e-2, 1e-1],
      factories: gridTrainerFactories(gpu),
      gpu,
    };
    const [onGpu, onReference] = [
      await runGrid({ ...options, optimizers: [...options.optimizers], backends: ['gpu'] }),
      await runGrid({ ...options, optimizers: [...options.optimizers], backends: ['reference'] }),
    ];
    const gpuGrid = onGpu.grid!;
    for (const h of gpuGrid.heatmaps) {
      expect(h.skipped).toBeNull();
      expect(h.engine).toBe('GPU: 6 models per dispatch');
      expect(h.modelStepsPerSec).toBeGreaterThan(0);
    }
    const [sgd, adam] = gridPairs(gpuGrid);
    expect(['same', 'identical']).toContain(sgd.verdict);
    expect(sgd.compared).toBe(6);
    expect(adam.verdict).toBe('differ');
    // Each GPU cell against the float64 run of the same point (measured 6.4e-7 relative on SwiftShader/Dawn; SGD's pair ratio 0.054 floors, Adam's 1.2e5).
    gpuGrid.heatmaps.forEach((h, i) =>
      h.cells.forEach((c, k) => {
        const ref = onReference.grid!.heatmaps[i].cells[k].validationLoss;
        expect(Math.abs(c.validationLoss - ref) / ref, `${h.optimizer} ${h.variant} ${h.axis} cell ${k}`).toBeLessThan(1e-5);
      }),
    );
    // 8 GPU grid trainers (2 optimizers × 4 heatmaps), 6 models each in one dispatch per product.
  }, 170_000);
});
