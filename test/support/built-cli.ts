/**
 * The CLI as users run it: vite.cli.config.ts built into a temporary folder (not dist-cli, which
 * `npm run bench` may be using at the same time) inside the repository, so that the bundle's one
 * external package, `webgpu`, resolves from node_modules as dist-cli's does; spawned with this test process's own runtime
 * (Node, or Deno under the gpu-wgpu layer), so the CLI is tested on both.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

export interface BuiltCli {
  dir: string;
  /** Starts `bench.js` with these flags. */
  start(args: string[], stdio?: StdioOptions): ChildProcess;
  remove(): void;
}

export async function buildCli(): Promise<BuiltCli> {
  mkdirSync('test-results', { recursive: true });
  const dir = mkdtempSync(join('test-results', 'cli-'));
  await build({ configFile: 'vite.cli.config.ts', logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const script = join(dir, 'bench.js');
  const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
  return {
    dir,
    start: (args, stdio = ['ignore', 'pipe', 'pipe']) =>
      spawn(process.execPath, onDeno ? ['run', '-A', '--no-prompt', script, ...args] : [script, ...args], { stdio }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The exit status as a shell reports it: the code, or 128 + the signal's number. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
  return code ?? 128 + (signal ? (numbers[signal] ?? 0) : 0);
}

/** Waits for the child to end; collects what it wrote on stdout and stderr (when piped). */
export function finished(child: ChildProcess): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ status: shellStatus(code, signal), stdout, stderr })));
}
