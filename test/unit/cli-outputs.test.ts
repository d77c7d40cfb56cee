/**
 * The built CLI's outputs, spawned for real (issue 10 item 7): output paths are checked before
 * any training (exit 2, one line, nothing run), --json and --csv may not name one file, the
 * results file is rewritten as the run goes (so SIGTERM keeps what was measured), and a broken
 * stdout (EPIPE from `| head`, ENOSPC from /dev/full) is one line on stderr, not a stack trace.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseResultsJson } from '../../src/bench/export';
import { IN_PROGRESS } from '../../src/cli/run-outputs';
import type { BuiltCli } from '../support/built-cli';
import { buildCli, finished } from '../support/built-cli';

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

const SMALL_RUN = ['--backend', 'reference', '--layers', '8,12,4', '--steps', '30', '--batch', '8'];
/** A reference run of a minute or more, recording often, to be stopped early. */
const LONG_RUN = ['--backend', 'reference', '--layers', '32,64,16', '--steps', '1000000', '--record-every', '50', '--max-seconds', '120'];

function noStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/Unhandled 'error' event/);
}

describe('bench CLI outputs', () => {
  test('an unwritable --json path exits 2 before training, naming the flag and the path', async () => {
    const path = join(cli.dir, 'no-such-folder', 'out.json');
    const r = await finished(cli.start([...SMALL_RUN, '--json', path]));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`bench: --json ${path}: cannot write there (ENOENT); nothing was run`);
    expect(r.stdout).toBe(''); // no machine line, no report: nothing ran
  });

  test('a folder as --csv, and --json and --csv naming one file, are refused up front', async () => {
    const folder = await finished(cli.start([...SMALL_RUN, '--csv', cli.dir]));
    expect(folder.status).toBe(2);
    expect(folder.stderr).toMatch(/--csv .*: is a directory; give a file name/);
    const same = join(cli.dir, 'same.out');
    const both = await finished(cli.start([...SMALL_RUN, '--json', same, '--csv', `./${same}`]));
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--json and --csv name the same file/);
    expect(existsSync(same)).toBe(false);
  });

  test('the results file is written as the run goes, marked in progress; SIGTERM keeps it and exits 143', async () => {
    const json = join(cli.dir, 'progress.json');
    const child = cli.start([...LONG_RUN, '--json', json]);
    const done = finished(child);
    const end = Date.now() + 60_000;
    while (!existsSync(json) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const during = parseResultsJson(readFileSync(json, 'utf8'));
    expect(during.stopped).toBe(IN_PROGRESS);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.status).toBe(143);
    expect(r.stderr).toMatch(/terminated \(SIGTERM\): wrote what was measured to /);
    const after = parseResultsJson(readFileSync(json, 'utf8'));
    expect(after.stopped).toBe('interrupted (SIGTERM) before the run finished');
    expect(after.results.some((row) => (row.steps ?? 0) > 0)).toBe(true);
  }, 90_000);

  test('stdout closed early (EPIPE, as `| head -1` does): one line on stderr, no stack trace', async () => {
    const child = cli.start(LONG_RUN);
    const done = finished(child);
    child.stdout!.once('data', () => child.stdout!.destroy());
    const r = await done;
    expect(r.stderr).toMatch(/^bench: cannot write to stdout \(EPIPE\); stopping the run$/m);
    noStackTrace(r.stderr);
    expect(r.status).toBe(1);
  }, 90_000);

  test('a full disk on stdout (ENOSPC, /dev/full): one line on stderr, no stack trace', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = await finished(cli.start(SMALL_RUN, ['ignore', full, 'pipe']));
      expect(r.stderr).toMatch(/^bench: cannot write to stdout \(ENOSPC\); stopping the run$/m);
      noStackTrace(r.stderr);
      expect(r.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});
