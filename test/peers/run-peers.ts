/**
 * The Node side of the peer benchmark: builds the page (vite.page.config.ts), serves it on
 * localhost with COOP/COEP (the e2e harness's server: jax-js's wasm threads, TF.js's threaded
 * XNNPACK and our CPU workers need SharedArrayBuffer), launches the system Chromium with the
 * e2e flags and times each engine on each shape in a fresh page, one after another (never two
 * at once: they would share the two cores).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'vite';
import { launchBrowser, serve } from '../e2e/harness';
import { describeAdapterKind, summarize, type Machine, type PeersReport } from './report';
import type { EngineFailure, EngineId, EngineResult, EngineSpec, PageEnvironment, PeerShape } from './protocol';

export interface PeersOptions {
  shapes: PeerShape[];
  engines: EngineId[];
  samples: number;
  sampleMs: number;
  warmupSteps: number;
  /**
   * Rounds of every engine on every shape, each engine in a fresh page each time, the order
   * reversed every other round: a drift in the machine's speed then falls on every engine alike,
   * and each round gives its own ratio (the report's spread of ratios).
   */
  rounds: number;
  /** Seconds one engine may take on one shape (set-up, warm-up and samples) before it counts as failed. */
  engineTimeoutS: number;
  /** Called as each engine finishes, for progress lines. */
  onResult?: (r: EngineResult | EngineFailure) => void;
}

function machine(loadBefore: number[]): Machine {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown CPU', cores: cpus.length, loadBefore, loadAfter: os.loadavg(), node: process.version };
}

const PAGE_CONFIG = 'test/peers/vite.page.config.ts';

/** The repository root, found upwards from this module: it runs from test/peers (vitest) or bundled from test-results/peers-cli. */
function repoRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, PAGE_CONFIG))) return dir;
    if (dirname(dir) === dir) throw new Error(`bench:peers: no ${PAGE_CONFIG} above ${import.meta.dirname}; run it from the repository`);
  }
}

/** Builds the page into test-results/peers-dist (the folder vite.page.config.ts names) and returns that folder. */
export async function buildPeersPage(): Promise<string> {
  const root = repoRoot();
  await build({ configFile: join(root, PAGE_CONFIG), logLevel: 'warn' });
  return join(root, 'test-results/peers-dist');
}

export async function runPeers(options: PeersOptions): Promise<PeersReport> {
  const loadBefore = os.loadavg();
  const dist = await buildPeersPage();
  const server = await serve(dist);
  let browser = await launchBrowser();
  try {
    const open = async () => {
      // An engine that crashed the browser must not take the rest down with it.
      if (!browser.isConnected()) browser = await launchBrowser();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => window.peers !== undefined);
      return { page, errors };
    };
    const first = await open();
    const env: PageEnvironment = await first.page.evaluate(() => window.peers!.environment());
    await first.page.close();
    const raw: EngineResult[] = [];
    const failures: EngineFailure[] = [];
    for (let round = 0; round < options.rounds; round++)
      for (const shape of options.shapes) {
        for (const engine of round % 2 === 0 ? options.engines : [...options.engines].reverse()) {
          const spec: EngineSpec = { engine, shape, samples: options.samples, sampleMs: options.sampleMs, warmupSteps: options.warmupSteps };
          const { page, errors } = await open();
          let timer: ReturnType<typeof setTimeout> | undefined;
          const limit = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no result within ${options.engineTimeoutS} s`)), options.engineTimeoutS * 1000);
          });
          try {
            const result = await Promise.race([page.evaluate((s) => window.peers!.run(s), spec), limit]);
            raw.push(options.rounds > 1 ? { ...result, round } : result);
            options.onResult?.(result);
          } catch (e) {
            const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
            const failure = { engine, shape, error: [message, ...new Set(errors)].join(' | ') };
            failures.push(failure);
            options.onResult?.(failure);
          } finally {
            clearTimeout(timer);
            await page.close().catch(() => {});
          }
        }
      }
    return { machine: machine(loadBefore), browser: env, adapterLabel: describeAdapterKind(env), results: summarize(raw), failures, raw };
  } finally {
    await browser.close();
    await server.close();
  }
}
