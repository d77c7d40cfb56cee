/**
 * The page's run as a Lit ReactiveController: phase, progress, results, messages and the abort
 * signal live here, and a run is aborted when its host leaves the page (hostDisconnected). The
 * app element renders what this holds; every change asks the host to update.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BenchResults } from '../bench/results';
import type { RunProgress } from '../bench/runner';
import { WorkMeter } from '../bench/work-meter';
import { matmulFlopsPerStep } from '../model/flops';
import { sweepLayers } from '../bench/run-plan';
import type { RunRequest } from './run-draft';
import { runSession } from './run-session';

export type RunPhase = 'idle' | 'running' | 'cancelling';

export interface RunMessage {
  kind: 'error' | 'info';
  text: string;
}

export class RunController implements ReactiveController {
  phase: RunPhase = 'idle';
  progress?: RunProgress;
  results?: BenchResults;
  baseline?: BenchResults;
  message?: RunMessage;
  /** Something the user should know that does not stop the run (no WebGPU: GPU skipped). */
  notice?: string;
  /** Completed runs (finished, cancelled or failed), reflected as data-runs for tests and tools. */
  runs = 0;
  /** Step rates measured by earlier runs, for the next run's estimate. */
  readonly rates = new WorkMeter();
  private abort?: AbortController;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onFinished: () => void = () => {},
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.abort?.abort();
  }

  /** Results from elsewhere (an imported file, with its λ = 0 baseline if it has one): shown, no run. */
  show(results: BenchResults, baseline: BenchResults | undefined, message: RunMessage): void {
    this.results = results;
    this.baseline = baseline;
    this.progress = undefined;
    this.message = message;
    this.host.requestUpdate();
  }

  say(message: RunMessage): void {
    this.message = message;
    this.host.requestUpdate();
  }

  async start(request: RunRequest): Promise<void> {
    if (this.phase !== 'idle') return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.phase = 'running';
    this.message = undefined;
    this.notice = undefined;
    this.results = undefined;
    this.baseline = undefined;
    this.progress = { done: 0, total: request.config.steps, work: { done: 0, total: 1 }, label: 'starting', etaSeconds: null };
    this.host.requestUpdate();
    const started = performance.now();
    const update = <T>(apply: () => T) => {
      apply();
      this.host.requestUpdate();
    };
    try {
      const outcome = await runSession(request, {
        signal,
        // After Cancel the bar stays where the run was: the steps it will not run are not "done".
        onProgress: (p) => !signal.aborted && update(() => (this.progress = p)),
        onPartial: (r) => update(() => (this.results = r)),
        onBaseline: (r) => update(() => (this.baseline = r)),
        onNotice: (text) => update(() => (this.notice = text)),
      });
      if (outcome.results) {
        this.results = outcome.results;
        this.learnRates(outcome.results);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (outcome.stopped?.reason === 'device-lost')
        this.message = {
          kind: 'error',
          text: `The GPU device was lost during the run (${outcome.stopped.message}); the run stopped and what was measured is kept. Start again: the next run acquires a new device.`,
        };
      else if (outcome.stopped?.reason === 'cancelled')
        this.message = { kind: 'info', text: `Cancelled after ${seconds} s; the results so far are kept.` };
      else if (!outcome.results) this.message = { kind: 'error', text: 'Nothing could run: no backend was available.' };
      else this.message = { kind: 'info', text: `Done in ${seconds} s.` };
    } catch (e) {
      console.warn('run failed', e);
      this.message = { kind: 'error', text: `The run failed: ${(e as Error).message}` };
    } finally {
      this.phase = 'idle';
      this.abort = undefined;
      this.runs++;
      this.host.requestUpdate();
      this.onFinished();
    }
  }

  cancel(): void {
    if (this.phase !== 'running') return;
    this.phase = 'cancelling';
    if (this.progress) this.progress = { ...this.progress, label: 'cancelling after the chunk in flight', etaSeconds: null };
    this.abort?.abort();
    this.host.requestUpdate();
  }

  /** Each backend's measured wall step time at its widest width: the next estimate's rate. */
  private learnRates(r: BenchResults): void {
    for (const row of r.results) {
      if (!row.wallStepMs) continue;
      const layers = sweepLayers(r.config.layers, row.width);
      this.rates.measured(row.backend, matmulFlopsPerStep(layers, r.config.batch), row.wallStepMs.median);
    }
  }
}
