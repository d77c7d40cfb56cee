/** The bench CLI's flag parser, as a function: every bad input gets one message naming the flag, the value and what is allowed. */
import { describe, expect, test } from 'vitest';
import { DEFAULT_CPU_MAX_WIDTH, DEFAULT_MAX_SECONDS, UsageError, helpText, parseArgs } from '../../src/cli/args';
import type { CliOptions } from '../../src/cli/args';
import { DEFAULT_CONFIG } from '../../src/model/config';

function ok(argv: string[]): CliOptions {
  const parsed = parseArgs(argv);
  if (parsed.help) throw new Error('expected options, got help');
  return parsed;
}

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as UsageError).message).toContain('--help');
    return e as UsageError;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('bench CLI flags', () => {
  test('defaults: the model defaults, gpu,cpu, both variants, a time budget', () => {
    const o = ok([]);
    expect(o.config).toEqual({ ...DEFAULT_CONFIG, layers: [...DEFAULT_CONFIG.layers] });
    expect(o.backends).toEqual(['gpu', 'cpu']);
    expect(o.variants).toEqual(['l2', 'decay']);
    expect(o.sweep).toBeNull();
    expect(o.maxSeconds).toBe(DEFAULT_MAX_SECONDS.single);
    expect(o.cpuMaxWidth).toBe(DEFAULT_CPU_MAX_WIDTH);
    expect(o.json).toBeNull();
  });

  test('every DESIGN flag, in both spellings', () => {
    const o = ok([
      '--layers',
      '784,256,10',
      '--batch',
      '64',
      '--steps=50',
      '--lr',
      '0.1',
      '--lambda',
      '1e-4',
      '--seed',
      '7',
      '--optimizer',
      'adam',
      '--momentum',
      '0.5',
      '--beta1',
      '0.8',
      '--beta2=0.99',
      '--eps',
      '1e-6',
      '--activation',
      'relu',
      '--loss',
      'ce',
      '--backend',
      'reference,cpu',
      '--sweep',
      '64,128',
      '--json',
      '-',
      '--csv',
      'out.csv',
      '--max-seconds',
      '30',
      '--cpu-max-width',
      '0',
      '--record-every',
      '5',
      '--workers',
      '2',
      '--regularize-bias',
      '--train-batches',
      '3',
      '--noise',
      '0',
    ]);
    expect(o.config).toMatchObject({
      layers: [784, 256, 10],
      batch: 64,
      steps: 50,
      lr: 0.1,
      lambda: 1e-4,
      seed: 7,
      optimizer: 'adam',
      momentum: 0.5,
      beta1: 0.8,
      beta2: 0.99,
      eps: 1e-6,
      activation: 'relu',
      loss: 'ce',
      regularizeBias: true,
      trainBatches: 3,
      noise: 0,
    });
    expect(o).toMatchObject({
      backends: ['reference', 'cpu'],
      sweep: [64, 128],
      json: '-',
      csv: 'out.csv',
      maxSeconds: 30,
      cpuMaxWidth: null,
      recordEvery: 5,
      workers: 2,
    });
  });

  test('the schedule flags set schedule, stepEvery, stepGamma and decaySchedule', () => {
    expect(ok(['--schedule', 'step', '--step-every', '25', '--step-gamma=0.5', '--decay-schedule', 'fixed']).config).toMatchObject({
      schedule: 'step',
      stepEvery: 25,
      stepGamma: 0.5,
      decaySchedule: 'fixed',
    });
    expect(ok(['--schedule=cosine']).config).toMatchObject({ schedule: 'cosine', decaySchedule: 'tracks' });
    expect(helpText()).toMatch(/--schedule NAME +learning-rate schedule η_t, constant\|step\|cosine/);
    expect(helpText()).toMatch(/--decay-schedule NAME +tracks: α_t = η_t·λ; fixed/);
  });

  test('a sweep gets the sweep budget; --max-seconds 0 means none', () => {
    expect(ok(['--sweep', '64']).maxSeconds).toBe(DEFAULT_MAX_SECONDS.sweep);
    expect(ok(['--max-seconds', '0']).maxSeconds).toBeNull();
  });

  test('--help and -h', () => {
    expect(parseArgs(['--batch', '3', '--help'])).toEqual({ help: true });
    expect(parseArgs(['-h'])).toEqual({ help: true });
    expect(helpText()).toMatch(/--sweep/);
    expect(helpText()).toMatch(/--cpu-max-width/);
  });

  test.each([
    [['--bach', '3'], /unknown flag --bach \(did you mean --batch\?\)/],
    [['--frobnicate'], /unknown flag --frobnicate$/m],
    [['--batch'], /--batch needs a value/],
    [['--json', '--csv', 'x.csv'], /--json needs a value/],
    [['--batch', 'abc'], /--batch "abc": not a number \(expected a whole number/],
    [['--lr', '0.0.1'], /--lr "0\.0\.1": not a number/],
    [['--optimizer', 'rmsprop'], /--optimizer "rmsprop": not allowed; use one of sgd, momentum, adam/],
    [['--activation', 'gelu'], /--activation "gelu": not allowed; use one of tanh, relu/],
    [['--backend', 'gpu,tpu'], /--backend "tpu": not allowed; use one of gpu, cpu, reference/],
    [['--sweep', '64,big'], /--sweep "big": not a number/],
    [['--sweep', '64,1.5'], /--sweep "1\.5": must be a whole number/],
    [['--layers', '16,8', '--sweep', '64'], /--sweep: a sweep replaces the hidden widths/],
    [['--workers', '0'], /--workers 0: must be at least 1/],
    // More than the fast CPU backend runs would be recorded as 1e9 while 64 ran (issue 10.12).
    [['--workers', '1e9'], /--workers 1000000000: must be at most 64/],
    [['--workers', '65'], /--workers 65: must be at most 64/],
    [['--max-seconds', '-3'], /--max-seconds -3: must be a number ≥ 0/],
    [['--json', '-', '--csv', '-'], /both write to stdout/],
    [['--regularize-bias=maybe'], /--regularize-bias "maybe"/],
    [['extra'], /unexpected argument "extra"/],
    [['--schedule', 'linear'], /--schedule "linear": not allowed; use one of constant, step, cosine/],
    [['--decay-schedule', 'follow'], /--decay-schedule "follow": not allowed; use one of tracks, fixed/],
    [['--step-every', 'ten'], /--step-every "ten": not a number \(expected a whole number/],
    [['--step-every', '0'], /--step-every 0: must be an integer from 1 to/],
    [['--step-every', '2.5'], /--step-every 2\.5: must be an integer from 1 to/],
    [['--step-gamma', '0'], /--step-gamma 0: must be a number in \(0, 1\]/],
    [['--step-gamma', '1.5'], /--step-gamma 1\.5: must be a number in \(0, 1\]/],
    [['--step-gamma'], /--step-gamma needs a value/],
  ])('%j → usage error', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  test('--sweep dedupes a width given twice, keeping the order given (issue 10.12)', () => {
    expect(ok(['--sweep', '8,8']).sweep).toEqual([8]);
    expect(ok(['--sweep', '64,8,64,8']).sweep).toEqual([64, 8]);
    expect(ok(['--workers', '64']).workers).toBe(64);
  });

  test('config errors come from validateConfig, named by flag and value', () => {
    expect(usageError(['--batch', '0']).message).toMatch(/--batch 0: must be an integer from 1 to/);
    expect(usageError(['--batch', '2.5']).message).toMatch(/--batch 2\.5: must be an integer/);
    expect(usageError(['--layers', '16,abc,8']).message).toMatch(/--layers \[16, "abc", 8\]: width 2 \("abc"\) must be an integer/);
    // Several bad values: all of them, one per line.
    const both = usageError(['--lr', '-1', '--beta2', '1']).message;
    expect(both).toMatch(/--lr -1: must be a finite number > 0/);
    expect(both).toMatch(/--beta2 1: must be a number in \[0, 1\)/);
  });
});

describe('bench CLI: the dataset flags', () => {
  test('--dataset mnist takes 784,128,10 and ce unless given, and the sizes as typed', () => {
    const o = ok(['--dataset', 'mnist', '--train-size=1024', '--validation-size', '5000']);
    expect(o.config).toMatchObject({ dataset: 'mnist', layers: [784, 128, 10], loss: 'ce', trainSize: 1024, validationSize: 5000 });
    expect(ok(['--dataset', 'mnist', '--layers', '784,512,512,10', '--batch', '100', '--train-size', '1000']).config).toMatchObject({
      layers: [784, 512, 512, 10],
      trainSize: 1000,
    });
    expect(ok(['--dataset', 'mnist', '--sweep', '64']).config.layers).toEqual([784, 1024, 1024, 10]);
    expect(ok(['--dataset', 'mnist', '--label-noise', '0.3']).config.labelNoise).toBe(0.3);
    expect(ok(['--dataset', 'mnist', '--label-noise=0']).config.labelNoise).toBe(0);
    expect(ok(['--dataset', 'mnist']).config.labelNoise).toBe(0);
  });

  test.each([
    [['--dataset', 'cifar'], '--dataset "cifar": not allowed; use one of teacher, mnist'],
    [['--dataset', 'mnist', '--loss', 'mse'], '--loss "mse": with dataset mnist must be ce'],
    [['--dataset', 'mnist', '--layers', '16,32,8'], '--layers [16, 32, 8]: with dataset mnist must start at 784'],
    [['--dataset', 'mnist', '--train-size', '1000'], '--train-size 1000: with dataset mnist must be a multiple of batch (32), e.g. 992 or 1024'],
    [['--dataset', 'mnist', '--train-size', '5024', '--validation-size', '5000'], '--validation-size 5000: with trainSize 5024 must be at most 4976'],
    [['--train-size', 'many'], '--train-size "many": not a number (expected a whole number, e.g. 64)'],
    [['--validation-size', '0'], '--validation-size 0: must be an integer from 1 to 10000'],
    [['--validation-size'], '--validation-size needs a value'],
    [['--dataset', 'mnist', '--label-noise', '1'], '--label-noise 1: must be a number from 0 to 0.9 (a fraction of the training rows)'],
    [['--dataset', 'mnist', '--label-noise', '-0.2'], '--label-noise -0.2: must be a number from 0 to 0.9'],
    [['--dataset', 'mnist', '--label-noise', 'lots'], '--label-noise "lots": not a number'],
    [['--label-noise', '0.3'], '--label-noise 0.3: must be 0 with dataset teacher (label noise is for dataset mnist'],
    [['--label-noise'], '--label-noise needs a value'],
  ])('%j: one message naming the flag and what is allowed', (argv, message) => {
    expect(usageError(argv).message).toContain(message);
  });

  test('--help lists the dataset flags', () => {
    for (const flag of ['--dataset', '--train-size', '--validation-size', '--label-noise']) expect(helpText()).toContain(flag);
  });
});

describe('grid flags (docs/DESIGN.md, Grid)', () => {
  test('--grid-lr and --grid-lambda: log-spaced ranges or lists; both decay conventions by default; --optimizer takes a list', () => {
    const o = ok(['--grid-lr', '1e-3..1e-0:4', '--grid-lambda', '1e-5,1e-3,0', '--optimizer', 'sgd,adam', '--backend', 'cpu']);
    expect(o.grid).toEqual({
      lrs: [1e-3, 1e-2, 1e-1, 1],
      strengths: [0, 1e-5, 1e-3],
      conventions: ['alpha-over-lr', 'alpha'],
      optimizers: ['sgd', 'adam'],
    });
    expect(o.config.optimizer).toBe('sgd');
    expect(ok(['--grid-lr=0.1', '--grid-lambda=0.01', '--grid-decay', 'alpha']).grid).toMatchObject({ conventions: ['alpha'], optimizers: ['sgd'] });
    expect(ok(['--optimizer', 'adam']).grid).toBeNull();
  });

  test.each([
    [['--grid-lr', '1e-3..1:6'], /--grid-lr without --grid-lambda: a grid needs both axes/],
    [['--grid-lambda', '1e-3'], /--grid-lambda without --grid-lr/],
    [['--grid-decay', 'alpha'], /--grid-decay without --grid-lr/],
    [['--grid-lr', '1e-3..1:1', '--grid-lambda', '0.1'], /--grid-lr "1e-3\.\.1:1": count "1" in "1e-3\.\.1:1": must be an integer from 2 to 64/],
    [['--grid-lr', '0.1', '--grid-lambda', 'strong'], /--grid-lambda "strong": value "strong" is not a number/],
    [['--grid-lr', '0,0.1', '--grid-lambda', '0.1'], /--grid-lr "0,0\.1": value "0": a learning rate must be a finite number > 0/],
    [['--grid-lr', '0.1', '--grid-lambda', '0.1', '--grid-decay', 'beta'], /--grid-decay "beta": not allowed; use one of alpha-over-lr, alpha/],
    [['--grid-lr', '0.1', '--grid-lambda', '0.1', '--sweep', '64'], /--sweep and a grid/],
    [['--grid-lr', '0.1', '--grid-lambda', '0.1', '--variant', 'l2'], /--variant does not apply to a grid/],
    [['--optimizer', 'sgd,adam'], /one optimizer per run; a list is for a grid/],
    [['--grid-lr', '0.1', '--grid-lambda', '0.1', '--optimizer', 'sgd,lion'], /--optimizer "lion": not allowed/],
  ])('%j → usage error', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });
});
