/**
 * Where the CLI's results go (`--json`, `--csv`: a file, or - for stdout), written so that a run
 * loses nothing it measured: every file is checked for writability before training starts,
 * rewritten as the run goes (at most every few seconds, through a temporary file and a rename so
 * a crash leaves the last complete copy), and written a last time, synchronously, when a signal
 * ends the run early. Node built-ins only: Deno runs this file too.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { toCsv, toJson } from '../bench/export';
import type { BenchResults } from '../bench/results';

/** A results file that cannot be written: reported before the run starts (exit 2). */
export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

interface Target {
  flag: '--json' | '--csv';
  path: string;
  render(results: BenchResults): string;
}

/** The reason an in-progress copy is marked as such (a reader must not take it for a full run). */
export const IN_PROGRESS = 'in progress: written while the run was still going (partial results)';

/** Seconds between rewrites of the files as the run goes. */
const REWRITE_SECONDS = 2;

/**
 * Opens the file for appending (creating it if absent) and removes it again if it was new:
 * proves the path writable (directory exists, permissions, read-only file system, not a
 * folder) without changing anything on disk.
 */
function probeWritable(flag: string, path: string): void {
  const existed = existsSync(path);
  if (existed && statSync(path).isDirectory()) throw new OutputPathError(`${flag} ${path}: is a directory; give a file name`);
  try {
    closeSync(openSync(path, 'a'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputPathError(`${flag} ${path}: cannot write there (${code || (e as Error).message}); nothing was run`);
  }
  if (!existed) rmSync(path, { force: true });
}

export class RunOutputs {
  private readonly targets: Target[] = [];
  private lastWrite = 0;
  private latest: BenchResults | null = null;
  private finished = false;

  /** Checks every path up front; throws OutputPathError naming the flag, the path and why. */
  constructor(json: string | null, csv: string | null) {
    if (json) this.targets.push({ flag: '--json', path: json, render: (r) => `${toJson(r)}\n` });
    if (csv) this.targets.push({ flag: '--csv', path: csv, render: toCsv });
    if (json && csv && json !== '-' && resolve(json) === resolve(csv))
      throw new OutputPathError(`--json and --csv name the same file (${json}): the second would overwrite the first; give two paths`);
    for (const t of this.targets) if (t.path !== '-') probeWritable(t.flag, t.path);
  }

  /** A snapshot of the run so far: kept for a signal, and rewritten to the files every few seconds. */
  partial(results: BenchResults): void {
    this.latest = results;
    const now = Date.now();
    if (now - this.lastWrite < REWRITE_SECONDS * 1000) return;
    this.lastWrite = now;
    this.writeFiles({ ...results, stopped: results.stopped ?? IN_PROGRESS });
  }

  /** The finished run: files, and stdout while it works. Returns "wrote JSON to out.json" lines for people. */
  final(results: BenchResults, stdoutWorks = true): string[] {
    this.finished = true;
    const said: string[] = [];
    for (const t of this.targets) {
      const text = t.render(results);
      if (t.path === '-') {
        if (stdoutWorks) process.stdout.write(text);
      } else {
        writeAtomically(t.path, text);
        said.push(`wrote ${t.flag.slice(2).toUpperCase()} to ${t.path}`);
      }
    }
    return said;
  }

  /**
   * A signal ends the run before it finished: writes the latest snapshot, synchronously (the
   * process is about to die), marked with why it stopped; stdout gets it too when it is a target.
   * Returns what was written, for one line on stderr.
   */
  emergency(reason: string): string {
    if (this.finished) return 'results were already written';
    if (!this.latest) return 'nothing had been measured yet';
    const snapshot = { ...this.latest, stopped: reason };
    for (const t of this.targets) {
      const text = t.render(snapshot);
      if (t.path === '-') writeAllSync(1, text);
      else writeAtomically(t.path, text);
    }
    const files = this.targets.filter((t) => t.path !== '-').map((t) => t.path);
    return files.length
      ? `wrote what was measured to ${files.join(' and ')}`
      : this.targets.length
        ? 'wrote what was measured to stdout'
        : 'no --json or --csv given: results not kept';
  }

  private writeFiles(results: BenchResults): void {
    for (const t of this.targets) if (t.path !== '-') writeAtomically(t.path, t.render(results));
  }
}

/** Writes beside the target and renames over it (a reader never sees half a file); where the folder refuses a new file, in place. */
function writeAtomically(path: string, text: string): void {
  // A device or a pipe (/dev/stdout, a fifo) is written as it is, never renamed over.
  if (existsSync(path) && !statSync(path).isFile()) {
    writeFileSync(path, text);
    return;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
  } catch {
    writeFileSync(path, text);
    return;
  }
  renameSync(temporary, path);
}

function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
}
