/**
 * The peer benchmark (`npm run bench:peers`, test/peers) cannot rot: its --quick settings run
 * every engine — ours, jax-js and TensorFlow.js, GPU and CPU — in headless Chromium on one tiny
 * shape, and each must come back with finite timings and a loss that went down from the same
 * starting loss. And the peers stay out of the app: the app's build holds none of their code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, ensureBuilt } from './harness';
import { parsePeersArgs } from '../peers/args';
import { ENGINES } from '../peers/protocol';
import { formatReport } from '../peers/report';
import { buildPeersPage, runPeers } from '../peers/run-peers';

/** String literals and property names from jax-js's and TF.js's code, which survive minification (checked against the peers page below). */
const PEER_MARKERS = ['numWorkers must be positive', 'tfjs-backend-wasm', 'variableGrads'];

function bundledText(dir: string): string {
  const assets = join(dir, 'assets');
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n');
}

describe('peer benchmark', () => {
  it('runs every engine with --quick: finite timings, a finite loss that decreases', async () => {
    const args = parsePeersArgs(['--quick']);
    const report = await runPeers(args);
    console.log(formatReport(report));
    expect(report.failures).toEqual([]);
    expect(report.results.map((r) => r.engine).sort()).toEqual([...ENGINES].sort());
    for (const r of report.results) {
      expect(r.invalid, `${r.engine}: ${r.invalid}`).toBeNull();
      expect(r.samples).toBe(args.samples);
      expect(Number.isFinite(r.msPerStep.median) && r.msPerStep.median > 0, r.engine).toBe(true);
      expect(r.lossLast).toBeLessThan(r.lossFirst);
    }
    // Same data, same initial weights, same loss definition: the first loss agrees across engines (f32).
    const first = report.results.map((r) => r.lossFirst);
    for (const l of first) expect(Math.abs(l - first[0])).toBeLessThanOrEqual(1e-4 * first[0]);
    // Every peer is set against ours on the same shape.
    for (const r of report.results) if (!r.engine.startsWith('ours')) expect(r.oursRatio, r.engine).toBeGreaterThan(0);
    expect(report.browser.crossOriginIsolated).toBe(true);
    if (report.browser.adapter?.isFallbackAdapter) expect(report.adapterLabel).toMatch(/^software adapter/);
  }, 300_000);

  it('keeps jax-js and TensorFlow.js out of the app bundle', async () => {
    ensureBuilt();
    const peers = bundledText(await buildPeersPage());
    for (const marker of PEER_MARKERS) expect(peers, `marker ${marker} must be in the peers page, or this check proves nothing`).toContain(marker);
    const app = bundledText(DIST);
    for (const marker of PEER_MARKERS) expect(app, `the app bundle contains ${marker}`).not.toContain(marker);
  }, 300_000);
});
