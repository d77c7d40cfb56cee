import { describe, expect, it } from 'vitest';
import { DEFAULT_CPU_MAX_WIDTH, DEFAULT_MAX_SECONDS, UsageError, helpText, parseArgs } from '../../src/cli/args';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('bench CLI flags', () => {
  it('defaults: gpu,cpu, both variants, no sweep, budget and CPU width limit', () => {
    const a = parseArgs([]);
    if (a.help) throw new Error('help');
    expect(a.backends).toEqual(['gpu', 'cpu']);
    expect(a.variants).toEqual(['l2', 'decay']);
    expect(a.sweep).toBeNull();
    expect(a.maxSeconds).toBe(DEFAULT_MAX_SECONDS.single);
    expect(a.cpuMaxWidth).toBe(DEFAULT_CPU_MAX_WIDTH);
    expect(a.json).toBeNull();
  });

  it('every DESIGN flag, --flag=value, and the extras', () => {
    const a = parseArgs([
      '--layers', '784,64,10', '--batch', '16', '--steps=30', '--lr', '0.1', '--lambda', '1e-4', '--seed', '7',
      '--optimizer', 'adam', '--momentum', '0.5', '--beta1', '0.8', '--beta2', '0.99', '--eps', '1e-6',
      '--activation', 'relu', '--loss', 'ce', '--backend', 'reference,cpu', '--sweep', '32,64',
      '--json', '-', '--csv', 'out.csv', '--max-seconds', '0', '--cpu-max-width', '0', '--record-every', '3',
      '--workers', '2', '--regularize-bias', '--train-batches', '2', '--noise', '0',
    ]);
    if (a.help) throw new Error('help');
    expect(a.config).toMatchObject({
      layers: [784, 64, 10], batch: 16, steps: 30, lr: 0.1, lambda: 1e-4, seed: 7, optimizer: 'adam', momentum: 0.5,
      beta1: 0.8, beta2: 0.99, eps: 1e-6, activation: 'relu', loss: 'ce', regularizeBias: true, trainBatches: 2, noise: 0,
    });
    expect(a.backends).toEqual(['reference', 'cpu']);
    expect(a.sweep).toEqual([32, 64]);
    expect(a).toMatchObject({ json: '-', csv: 'out.csv', maxSeconds: null, cpuMaxWidth: null, recordEvery: 3, workers: 2 });
    expect(parseArgs(['--sweep', '64'])).toMatchObject({ maxSeconds: DEFAULT_MAX_SECONDS.sweep });
  });

  it('--help and -h', () => {
    expect(parseArgs(['--help'])).toEqual({ help: true });
    expect(parseArgs(['--steps', '3', '-h'])).toEqual({ help: true });
    for (const flag of ['--layers', '--sweep', '--json', '--csv', '--max-seconds', '--cpu-max-width', '--record-every', '--workers', '--regularize-bias', '--train-batches', '--noise'])
      expect(helpText()).toContain(flag);
  });

  it('one clear message naming the flag, the value and what is allowed, with the --help hint', () => {
    const cases: [string[], RegExp][] = [
      [['--bach', '3'], /unknown flag --bach \(did you mean --batch\?\)/],
      [['--frobnicate'], /unknown flag --frobnicate/],
      [['--steps'], /--steps needs a value/],
      [['--json', '--csv', 'x'], /--json needs a value/],
      [['--lr', 'fast'], /--lr "fast": not a number/],
      [['--batch', 'abc'], /--batch "abc": not a number \(expected a whole number/],
      [['--optimizer', 'adamw'], /--optimizer "adamw": not allowed; use one of sgd, momentum, adam/],
      [['--activation', 'gelu'], /--activation "gelu": not allowed; use one of tanh, relu/],
      [['--backend', 'gpu,tpu'], /--backend "tpu": not allowed; use one of gpu, cpu, reference/],
      [['--sweep', '64,abc'], /--sweep "abc": not a number/],
      [['--sweep', '64,1.5'], /--sweep "1.5": must be a whole number/],
      [['--workers', '0'], /--workers 0: must be at least 1/],
      [['--max-seconds', '-1'], /--max-seconds -1: must be a number ≥ 0/],
      [['--json', '-', '--csv', '-'], /both write to stdout/],
      [['--batch', '0'], /--batch 0: must be an integer from 1/],
      [['--lr', '-0.1'], /--lr -0.1: must be a finite number > 0/],
      [['--layers', '8,x,4'], /--layers .*width 2 \("x"\)/],
      [['--layers', '8,4', '--sweep', '64'], /--sweep: a sweep replaces the hidden widths/],
      [['stray'], /unexpected argument "stray"/],
      [['--regularize-bias=maybe'], /--regularize-bias "maybe"/],
    ];
    for (const [argv, pattern] of cases) {
      const message = usageError(argv);
      expect(message, argv.join(' ')).toMatch(pattern);
      expect(message, argv.join(' ')).toContain('npm run bench -- --help');
      expect(message).not.toMatch(/\n\s+at /);
    }
  });
});
