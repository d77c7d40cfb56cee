/**
 * The built CLI, run as users run it: a bad flag exits 2 with one message, and a reference
 * run with `--json -` writes only parseable JSON to stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { parseResultsJson } from '../../src/bench/export';

let dir = '';
let cli = '';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  // Built into a temporary folder (not dist-cli/, which `npm run bench` rebuilds), bench.ts only.
  dir = mkdtempSync(join(tmpdir(), 'l2wd-cli-'));
  await build({
    configFile: false,
    logLevel: 'error',
    build: {
      ssr: 'src/cli/bench.ts',
      outDir: dir,
      target: 'node20',
      emptyOutDir: true,
      rollupOptions: {
        external: ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { entryFileNames: '[name].js', format: 'es' },
      },
    },
    ssr: { noExternal: true, external: ['webgpu'] },
  });
  cli = join(dir, 'bench.js');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built bench CLI', () => {
  it('a bad flag: exit 2, one message on stderr with the --help hint, no stack trace', async () => {
    const r = await run(['--optimizer', 'adamw']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--optimizer "adamw": not allowed; use one of sgd, momentum, adam/);
    expect(r.stderr).toContain('--help');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json - on the reference backend: stdout is the results JSON, the table goes to stderr', async () => {
    const r = await run(['--backend', 'reference', '--layers', '6,12,3', '--batch', '8', '--steps', '20', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const results = parseResultsJson(r.stdout);
    expect(results.results.map((row) => `${row.backend} ${row.variant}`)).toEqual(['reference l2', 'reference decay']);
    expect(results.config.alpha).toBeCloseTo(1e-5, 15);
    const gap = results.agreement[0];
    expect(Math.max(...gap.normGap, ...gap.weightGap)).toBeLessThan(1e-12);
    expect(r.stderr).toMatch(/α = η·λ/);
    expect(r.stderr).toMatch(/agreement/);
  });
});
