/**
 * The e2e harness: builds the page once (vite build with the fixture entry), serves the
 * build from a tiny static server that sends COOP/COEP like vite preview, and launches the
 * system Chromium headless with WebGPU on SwiftShader. Every e2e and component test file
 * goes through here, so the flags and the server live in one place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'test-results/e2e-dist');
export const ARTIFACTS = join(ROOT, 'test-results/e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `--enable-unsafe-webgpu` is what makes navigator.gpu.requestAdapter() non-null in headless
 * Linux Chromium; Debian's chromium then picks its bundled SwiftShader Vulkan ICD by itself
 * (checked: adapter google/swiftshader, isFallbackAdapter true, with or without
 * --use-vulkan=swiftshader). The rest keep a network-less machine quiet and a root user working.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Charts and timers must not be throttled when the headless page counts as hidden.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

const WATCHED = ['src', 'shaders', 'index.html', 'vite.config.ts', 'test/e2e/fixtures', 'test/e2e/vite.e2e.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Builds unless the last build is newer than every source it depends on: test files run
 * one after another in the same vitest run, and only the first should pay for the build.
 */
export function ensureBuilt(): void {
  const stamp = join(DIST, '.built-at');
  const newest = Math.max(...WATCHED.map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs > newest) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'test/e2e/vite.e2e.config.ts'], {
    cwd: ROOT,
    // The e2e config imports vite.config.ts extension-less, which Vite's future native loader warns about.
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  writeFileSync(stamp, new Date().toISOString());
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on a free localhost port with the cross-origin isolation headers of vite.config.ts. */
export async function serve(dir: string = DIST): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = normalize(join(dir, decodeURIComponent(url.pathname)));
    if (!path.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(path));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    // "localhost" (not 127.0.0.1) is a secure context by name, which WebGPU requires.
    url: `http://localhost:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Launches the system Chromium; fails with a message that says what to install when it is missing. */
export async function launchBrowser(args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `e2e: no Chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; ` +
        'these tests drive a real browser and never pass without one.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...args] });
}

/** Collects page errors and console errors so a test can fail on them with the text. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

/** Saves a full-page screenshot under test-results/e2e/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fails the test with a clear message when the page could not get an adapter. */
export async function requireAdapter(page: Page): Promise<void> {
  const panel = page.locator('l2wd-adapter-panel');
  await panel.locator('[data-testid="adapter-info"], [data-testid="no-webgpu"]').first().waitFor({ timeout: 30_000 });
  const missing = panel.locator('[data-testid="no-webgpu"]');
  if (await missing.count()) {
    throw new Error(
      `e2e: headless Chromium offered no WebGPU adapter (page says: "${(await missing.innerText()).trim()}"). ` +
        `Launched ${CHROMIUM} with ${CHROMIUM_ARGS.join(' ')}; check that chromium's SwiftShader Vulkan ICD is installed ` +
        '(dpkg -L chromium-common | grep swiftshader) and libvulkan1 is present.',
    );
  }
}

/**
 * Builds the page once, serves it and launches Chromium for a test file (beforeAll), and
 * closes both after it (afterAll). Read `server` and `browser` inside tests, not at import.
 */
export function useServedApp(): { readonly server: StaticServer; readonly browser: Browser } {
  const app = {} as { server: StaticServer; browser: Browser };
  beforeAll(async () => {
    ensureBuilt();
    app.server = await serve();
    app.browser = await launchBrowser();
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}
