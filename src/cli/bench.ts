/**
 * `npm run bench -- [flags]`: the benchmark runner on Node. The GPU comes from the `webgpu`
 * package (the real GPU where the machine has one, SwiftShader where it has none); the CPU
 * backends are the fast float32 trainer and the float64 reference.
 *
 * stdout carries the report, or only the JSON/CSV when `--json -` / `--csv -` is given (the
 * report then goes to stderr). Progress always goes to stderr. Exit status: 0 done, 1 the run
 * failed, 2 a bad command line or an unwritable output path (one message, no stack trace),
 * 130 Ctrl-C, 143 SIGTERM (partial results written either way; README, "Stopping a run").
 * Runs under Deno too (`npm run bench:deno`): the GPU is then wgpu, not Dawn.
 */
import './relaxed-simd';
import os from 'node:os';
import { runBenchmark } from '../bench/runner';
import type { GpuContext } from '../bench/runner';
import { fmtNum, formatBytes, formatSeconds } from '../bench/format';
import type { BenchResults } from '../bench/results';
import { acquireGpuContext, gridTrainerFactories, trainerFactories } from '../bench/backends';
import { GridPlanError, runGrid } from '../bench/grid-run';
import type { RunProgress } from '../bench/run-plan';
import { gridReport } from './grid-report';
import { createNodeGpu, runtimeName } from '../gpu/node-gpu';
import type { NodeGpu } from '../gpu/node-gpu';
import { OutputPathError, RunOutputs } from './run-outputs';
import { HELP_HINT, UsageError, helpText, parseArgs } from './args';
import type { CliOptions } from './args';
import { adapterLine, configLines, resultsReport } from './report';
import { readMnistFile } from './mnist-file';

/** "Intel(R) Xeon(R) … · 16 cores · Linux 6.1 x64 · Node v20.x" (or "Deno 2.9.6"). */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  return `${model} · ${cpus.length} cores · ${os.type()} ${os.release()} ${os.arch()} · ${formatBytes(os.totalmem())} RAM · ${runtimeName()}`;
}

interface GpuSetup {
  context: GpuContext | null;
  /** Why there is no GPU context (shown and put in the skipped rows). */
  why: string | null;
  memoryBudgetBytes: number | null;
  close(): void;
}

async function setUpGpu(opts: CliOptions): Promise<GpuSetup> {
  const none = (why: string): GpuSetup => ({ context: null, why, memoryBudgetBytes: null, close() {} });
  if (!opts.backends.includes('gpu')) return none('not requested (--backend)');
  let nodeGpu: NodeGpu | null = null;
  try {
    nodeGpu = await createNodeGpu();
    const got = await acquireGpuContext(nodeGpu.gpu, nodeGpu);
    // WebGPU reports no device memory. On a software adapter the "GPU memory" is this host's RAM:
    // keep a run from swapping the machine by default.
    const memoryBudgetBytes =
      opts.gpuMemoryMiB !== undefined ? opts.gpuMemoryMiB * 2 ** 20 : got.adapter.isFallbackAdapter ? Math.floor(os.freemem() / 2) : null;
    const held = nodeGpu;
    return {
      context: got,
      why: null,
      memoryBudgetBytes,
      close() {
        got.device.destroy();
        held.release();
      },
    };
  } catch (e) {
    nodeGpu?.release();
    return none(`no WebGPU device: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Progress on stderr: one rewritten line on a terminal, a line every few seconds in a log. */
function progressPrinter(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  // Quiet for the first seconds: a short run needs no progress lines.
  let last = Date.now();
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (tty) {
        if (now - last < 100) return;
        last = now;
        const cols = process.stderr.columns || 100;
        process.stderr.write(`\r${text.slice(0, cols - 1).padEnd(cols - 1)}`);
        shown = true;
      } else if (now - last >= 3000) {
        last = now;
        process.stderr.write(`${text}\n`);
      }
    },
    done() {
      if (tty && shown) process.stderr.write(`\r${' '.repeat((process.stderr.columns || 100) - 1)}\r`);
    },
  };
}

/**
 * Ends the process by the signal itself, with its default action, after the partial results
 * were written: the shell sees 128 + n (130, 143). process.exit() here, with GPU work in flight,
 * ran Dawn's teardown under its own threads and segfaulted (exit 139, issue 10 item 4).
 */
function dieBy(signal: 'SIGINT' | 'SIGTERM'): never {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // The default action is immediate; should the runtime defer it, exit with the shell's number.
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** EPIPE (`| head`) or ENOSPC on stdout: one line on stderr, not an unhandled 'error' event; stdout is dropped from then on. */
function guardStdout(onBroken: () => void): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (stdoutBroken) return;
    stdoutBroken = true;
    // The error can arrive after main() returned (the final report was the write that failed):
    // the exit status must still say the output was lost.
    process.exitCode = 1;
    try {
      process.stderr.write(`bench: cannot write to stdout (${e.code ?? e.message}); stopping the run\n`);
    } catch {
      // stderr is gone too: nothing left to tell.
    }
    onBroken();
  });
}

let stdoutBroken = false;

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    const parsed = parseArgs(argv);
    if (parsed.help) {
      process.stdout.write(`${helpText()}\n`);
      return 0;
    }
    opts = parsed;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Every output path is checked before anything runs: a finished run is never lost to a typo.
  let outputs: RunOutputs;
  try {
    outputs = new RunOutputs(opts.json, opts.csv);
  } catch (e) {
    if (e instanceof OutputPathError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // With --json - or --csv - stdout is data only; everything for people goes to stderr.
  const toStderr = opts.json === '-' || opts.csv === '-';
  const say = (s: string) => {
    if (toStderr) process.stderr.write(`${s}\n`);
    else if (!stdoutBroken) process.stdout.write(`${s}\n`);
  };
  const controller = new AbortController();
  guardStdout(() => controller.abort());

  // Ctrl-C once: finish the chunk in flight, report, exit 130. Ctrl-C again, or SIGTERM: write
  // the latest partial results now and die by the signal (130, 143).
  let interrupted = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (signal === 'SIGINT' && !interrupted) {
      interrupted = true;
      process.stderr.write('\ninterrupted: finishing the chunk in flight, then reporting what was measured (Ctrl-C again to quit at once)\n');
      controller.abort();
      return;
    }
    const what = outputs.emergency(`interrupted (${signal}) before the run finished`);
    process.stderr.write(`\n${signal === 'SIGINT' ? 'interrupted again' : 'terminated (SIGTERM)'}: ${what}; quitting\n`);
    dieBy(signal);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const gpu = await setUpGpu(opts);
  let results: BenchResults | null = null;
  try {
    say(`machine: ${machineLine()}`);
    say(adapterLine(gpu.context?.adapter ?? null, gpu.why));
    if (gpu.context) {
      const l = gpu.context.limits as Record<string, number>;
      say(
        `        maxBufferSize ${formatBytes(l.maxBufferSize)} · maxStorageBufferBindingSize ${formatBytes(l.maxStorageBufferBindingSize)} · ` +
          `timestamp-query ${gpu.context.timestampCheck ? (gpu.context.timestampCheck.trusted ? 'yes' : 'UNTRUSTED (wall-clock timing)') : 'no (wall-clock timing)'}` +
          (gpu.memoryBudgetBytes !== null ? ` · memory budget ${formatBytes(gpu.memoryBudgetBytes)}` : ''),
      );
    }
    if (gpu.context?.timestampCheck) say(`        timer check: ${gpu.context.timestampCheck.note}`);
    const factories = trainerFactories(gpu.context);

    const header = { ...opts.config, alpha: opts.config.lr * opts.config.lambda };
    for (const line of configLines({ config: header } as BenchResults)) say(line);
    if (opts.grid)
      say(
        `grid: backends ${opts.backends.join(',')} · optimizers ${opts.grid.optimizers.join(',')} · η ${opts.grid.lrs.map((v) => fmtNum(v)).join(', ')} · ` +
          `strength ${opts.grid.strengths.map((v) => fmtNum(v)).join(', ')} · decay ${opts.grid.conventions.join(',')} · budget ${opts.maxSeconds === null ? 'none' : formatSeconds(opts.maxSeconds)}\n` +
          '      (the grid replaces η, λ and the optimizer above by each heatmap’s and cell’s)',
      );
    else
      say(
        `backends ${opts.backends.join(',')} · variants ${opts.variants.join(',')}` +
          (opts.sweep ? ` · sweep ${opts.sweep.join(',')}` : '') +
          ` · budget ${opts.maxSeconds === null ? 'none' : formatSeconds(opts.maxSeconds)}` +
          ` · CPU width limit ${opts.cpuMaxWidth ?? 'none'}`,
      );
    say('');

    const progress = progressPrinter();
    const onProgress = (p: RunProgress) =>
      progress.update(
        `[${((100 * p.done) / Math.max(1, p.total)).toFixed(0).padStart(3)}%] ${p.label}` +
          (p.etaSeconds === null ? '' : ` · ≈${formatSeconds(p.etaSeconds)} left`),
      );
    if (opts.grid) {
      try {
        results = await runGrid(
          {
            config: opts.config,
            backends: opts.backends,
            optimizers: opts.grid.optimizers,
            lrs: opts.grid.lrs,
            strengths: opts.grid.strengths,
            conventions: opts.grid.conventions,
            factories: gridTrainerFactories(gpu.context),
            gpu: gpu.context,
            gpuUnavailableReason: gpu.why ?? undefined,
            maxSeconds: opts.maxSeconds,
            cpuMaxWidth: opts.cpuMaxWidth,
            gpuMemoryBudgetBytes: gpu.memoryBudgetBytes,
            workers: opts.workers,
            machine: machineLine(),
            mnist: opts.config.dataset === 'mnist' ? readMnistFile() : null,
          },
          { signal: controller.signal, onProgress, onPartial: (r) => outputs.partial(r) },
        );
      } catch (e) {
        // Refused before anything ran (size, α ≥ 1, the time budget): a bad command line.
        if (!(e instanceof GridPlanError)) throw e;
        process.stderr.write(`bench: ${e.message}\n`);
        return 2;
      }
    } else
      results = await runBenchmark(
        {
          config: opts.config,
          backends: opts.backends,
          variants: opts.variants,
          sweep: opts.sweep,
          recordEvery: opts.recordEvery,
          maxSeconds: opts.maxSeconds,
          cpuMaxWidth: opts.cpuMaxWidth,
          factories,
          gpu: gpu.context,
          gpuUnavailableReason: gpu.why ?? undefined,
          gpuMemoryBudgetBytes: gpu.memoryBudgetBytes,
          workers: opts.workers,
          machine: machineLine(),
          mnist: opts.config.dataset === 'mnist' ? readMnistFile() : null,
        },
        {
          signal: controller.signal,
          onPartial: (r) => outputs.partial(r),
          onProgress,
        },
      );
    progress.done();
  } finally {
    gpu.close();
  }

  say(results.grid ? gridReport(results) : resultsReport(results));
  const gpuTimed =
    results.results.some((r) => r.backend === 'gpu' && r.stepMs) || results.grid?.heatmaps.some((h) => h.backend === 'gpu' && h.seconds !== null);
  if (results.adapter?.isFallbackAdapter && gpuTimed) say('\n!!! GPU rows above ran on a software adapter: CPU emulation, not GPU performance !!!');
  for (const line of outputs.final(results, !stdoutBroken)) process.stderr.write(`${line}\n`);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  if (stdoutBroken) return 1;
  return interrupted ? 130 : 0;
}

/** Exits once output is flushed; a timer (unref'd) makes sure a lingering native handle cannot keep Node alive. */
function exit(code: number): void {
  process.exitCode = code;
  // process.exit() without a code: a broken stdout noticed while flushing has set exitCode to 1.
  const flushed = () => setTimeout(() => process.exit(), 2000).unref();
  if (process.stdout.writableLength > 0) process.stdout.once('drain', flushed);
  else flushed();
}

main(process.argv.slice(2)).then(exit, (e: unknown) => {
  // Not a usage problem: the run itself failed. Say what, without a stack unless asked for.
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `bench: failed: ${message}\n${process.env.DEBUG ? `${(e as Error)?.stack ?? ''}\n` : `(set DEBUG=1 for the stack trace) ${HELP_HINT}\n`}`,
  );
  exit(1);
});
