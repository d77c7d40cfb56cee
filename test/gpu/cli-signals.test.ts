/**
 * A GPU run of the built CLI, signalled for real (issue 10 item 4): Ctrl-C twice (what `timeout`
 * and an impatient user send) exits 130, SIGTERM 143, both with the partial results on disk;
 * before the fix the second Ctrl-C segfaulted Dawn (exit 139, no JSON) in 2 of 3 tries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCsv, parseResultsJson } from '../../src/bench/export';
import type { BuiltCli } from '../support/built-cli';
import { buildCli, finished } from '../support/built-cli';

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

/** A GPU run long enough to be interrupted, recording often so partial results exist early. */
const LONG_GPU_RUN = ['--backend', 'gpu', '--layers', '64,128,64', '--steps', '1000000', '--record-every', '200', '--max-seconds', '120'];

async function untilExists(path: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} did not appear within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('bench CLI on the GPU, signalled', () => {
  test.each([
    ['Ctrl-C twice', 130, ['SIGINT', 'SIGINT'] as const, /interrupted \(SIGINT\)|cancelled/],
    ['SIGTERM', 143, ['SIGTERM'] as const, /interrupted \(SIGTERM\)/],
  ])(
    '%s: exits %i with the partial results in --json and --csv',
    async (_name, status, signals, stopped) => {
      const json = join(cli.dir, `signal-${status}.json`);
      const csv = join(cli.dir, `signal-${status}.csv`);
      const child = cli.start([...LONG_GPU_RUN, '--json', json, '--csv', csv]);
      const done = finished(child);
      await untilExists(json, 90_000); // the first partial copy: something was measured
      for (const signal of signals) {
        child.kill(signal);
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await done;
      expect(r.status, r.stderr + r.stdout).toBe(status);
      const results = parseResultsJson(readFileSync(json, 'utf8'));
      expect(results.stopped).toMatch(stopped);
      const gpuRows = results.results.filter((row) => row.backend === 'gpu');
      expect(gpuRows.some((row) => (row.steps ?? 0) > 0 && row.norms.length > 0)).toBe(true);
      expect(parseCsv(readFileSync(csv, 'utf8')).length).toBeGreaterThan(1);
    },
    150_000,
  );
});
