/**
 * The built CLI, spawned for real: bad flags exit 2 with one message and no stack trace; a
 * reference run with --json - writes clean JSON on stdout that parses back. Built once into a
 * temporary folder (not dist-cli, which `npm run bench` may be using at the same time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCsv, parseResultsJson } from '../../src/bench/export';

let dir = '';
let script = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'l2wd-cli-'));
  // vite.cli.config.ts itself, into the temporary folder.
  await build({ configFile: 'vite.cli.config.ts', logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  script = join(dir, 'bench.js');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench CLI, spawned', () => {
  test('--dataset mnist reads the asset from the working folder and reports accuracy; a missing asset exits 1 saying how to build it', () => {
    const args = ['--dataset', 'mnist', '--layers', '784,8,10', '--batch', '16', '--train-size', '32', '--validation-size', '40', '--steps', '4'];
    const r = cli([...args, '--backend', 'reference', '--variant', 'l2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('MNIST: 32 training rows (2 batches), 40 validation rows');
    expect(r.stdout).toMatch(/accuracy train \/ val[\s\S]*\d+\.\d % \/ \d+\.\d %/);
    const elsewhere = spawnSync(process.execPath, [script, ...args, '--backend', 'reference'], { encoding: 'utf8', timeout: 60_000, cwd: dir });
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toMatch(/MNIST asset .*mnist\.bin: not found\. Build it with `npm run build:data`/);
  });

  test('a non-number exits 2 naming the flag and the value, no stack trace', () => {
    const r = cli(['--batch', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch "abc": not a number/);
    expect(r.stderr).toMatch(/--help/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  test('an unknown flag and a bad enum exit 2', () => {
    const r = cli(['--optimiser', 'adam']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag --optimiser \(did you mean --optimizer\?\)/);
    const e = cli(['--loss', 'hinge']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--loss "hinge": not allowed; use one of mse, ce/);
  });

  test('--help exits 0 with the flags', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: npm run bench/);
  });

  test('a reference run: JSON alone on stdout, the report on stderr, CSV to a file', () => {
    const csv = join(dir, 'out.csv');
    const r = cli(['--backend', 'reference', '--layers', '8,12,4', '--steps', '30', '--batch', '8', '--json', '-', '--csv', csv]);
    expect(r.code).toBe(0);
    const results = parseResultsJson(r.stdout);
    expect(results.config.layers).toEqual([8, 12, 4]);
    expect(results.results.map((row) => [row.backend, row.variant, row.skipped, row.steps])).toEqual([
      ['reference', 'l2', null, 30],
      ['reference', 'decay', null, 30],
    ]);
    expect(Math.max(...results.agreement[0].weightGap)).toBeLessThan(1e-12);
    expect(results.machine).toBeTruthy();
    // The people-facing report went to stderr.
    expect(r.stderr).toMatch(/machine: /);
    expect(r.stderr).toMatch(/α = η·λ/);
    expect(r.stderr).toMatch(/agreement/);
    const records = parseCsv(readFileSync(csv, 'utf8'));
    expect(records.filter((cells) => cells[0] === 'result')).toHaveLength(2);
    expect(records.filter((cells) => cells[0] === 'agreement')).toHaveLength(1);
  });

  test('a grid on the reference: a table per heatmap and the summary; JSON with the grid; refused up front when α ≥ 1', () => {
    const r = cli([
      '--backend',
      'reference',
      '--layers',
      '4,6,3',
      '--steps',
      '10',
      '--batch',
      '4',
      '--optimizer',
      'sgd,adam',
      '--grid-lr',
      '0.01,0.1',
      '--grid-lambda',
      '1e-3..1e-1:3',
      '--grid-decay',
      'alpha-over-lr',
      '--json',
      '-',
    ]);
    expect(r.code).toBe(0);
    const grid = parseResultsJson(r.stdout).grid!;
    expect(grid.heatmaps.map((h) => `${h.optimizer} ${h.variant} ${h.axis} ${h.cells.length}`)).toEqual([
      'sgd l2 lambda 6',
      'sgd decay alpha-over-lr 6',
      'adam l2 lambda 6',
      'adam decay alpha-over-lr 6',
    ]);
    expect(r.stderr).toMatch(/reference · sgd · L2 \(λ\) · final validation loss\n\S+ \\ λ/);
    expect(r.stderr).toMatch(/\d\*/);
    expect(r.stderr).toMatch(/sgd: L2 and decay \(α\/η\) are the same map cell by cell/);
    expect(r.stderr).toMatch(/adam: L2 and decay \(α\/η\) differ/);
    const refused = cli(['--backend', 'reference', '--grid-lr', '1,2', '--grid-lambda', '0.6']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^bench: learning rate 2 × strength 0\.6 = α 1\.2 .*must be below 1/m);
  });
});
