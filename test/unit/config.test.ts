import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, configErrors, parseLayers, validateConfig } from '../../src/model/config';

function errorOf(input: Record<string, unknown>): ConfigError {
  try {
    validateConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`validateConfig accepted ${JSON.stringify(input)}`);
}

describe('validateConfig', () => {
  it('accepts the defaults and fills unset fields from them', () => {
    expect(validateConfig({})).toEqual(DEFAULT_CONFIG);
    expect(validateConfig({ layers: [784, 1024, 10] }).layers).toEqual([784, 1024, 10]);
    // A file written before schedules existed: constant η, decay tracking it (the old result).
    expect(validateConfig({ lr: 0.05 })).toMatchObject({ schedule: 'constant', decaySchedule: 'tracks' });
    expect(validateConfig({ schedule: 'step', stepEvery: 1, stepGamma: 1, decaySchedule: 'fixed' })).toMatchObject({ stepEvery: 1, stepGamma: 1 });
  });

  // Each bad value, with the words its message must contain: the field, the value, what is allowed.
  const bad: [string, Record<string, unknown>, string[]][] = [
    ['a zero width', { layers: [4, 0, 2] }, ['layers', 'width 2 (0)', 'integer from 1']],
    ['a negative width', { layers: [4, -3, 2] }, ['width 2 (-3)']],
    ['a fractional width', { layers: [4, 2.5, 2] }, ['width 2 (2.5)']],
    ['a width that is text', { layers: parseLayers('4,abc,2') }, ['width 2 ("abc")']],
    ['one layer only', { layers: [4] }, ['layers', 'from 2']],
    ['layers that are not a list', { layers: '4,2' }, ['layers', 'list of layer widths']],
    ['batch 0', { batch: 0 }, ['batch = 0', 'integer from 1']],
    ['fractional batch', { batch: 1.5 }, ['batch = 1.5']],
    ['steps 0', { steps: 0 }, ['steps = 0', 'integer from 1']],
    ['lr 0', { lr: 0 }, ['lr = 0', '> 0']],
    ['lr negative', { lr: -0.1 }, ['lr = -0.1']],
    ['lr infinite', { lr: Infinity }, ['lr = Infinity', 'finite']],
    ['lr NaN', { lr: NaN }, ['lr = NaN']],
    ['lambda negative', { lambda: -1e-3 }, ['lambda = -0.001', '≥ 0']],
    ['momentum 1', { momentum: 1 }, ['momentum = 1', '[0, 1)']],
    ['momentum negative', { momentum: -0.5 }, ['momentum = -0.5', '[0, 1)']],
    ['beta1 1', { beta1: 1 }, ['beta1 = 1', '[0, 1)']],
    ['beta2 1.5', { beta2: 1.5 }, ['beta2 = 1.5', '[0, 1)']],
    ['eps 0', { eps: 0 }, ['eps = 0', '> 0']],
    ['unknown activation', { activation: 'sigmoid' }, ['activation = "sigmoid"', 'tanh, relu']],
    ['unknown loss', { loss: 'hinge' }, ['loss = "hinge"', 'mse, ce']],
    ['unknown optimizer', { optimizer: 'rmsprop' }, ['optimizer = "rmsprop"', 'sgd, momentum, adam']],
    ['a number given as text', { batch: '32' }, ['batch = "32"']],
    ['an unknown field', { lamda: 0.1 }, ['lamda', 'unknown setting']],
    ['an unknown schedule', { schedule: 'linear' }, ['schedule = "linear"', 'constant, step, cosine']],
    ['stepEvery 0', { stepEvery: 0 }, ['stepEvery = 0', 'integer from 1']],
    ['a fractional stepEvery', { stepEvery: 2.5 }, ['stepEvery = 2.5', 'integer from 1']],
    ['stepGamma 0', { stepGamma: 0 }, ['stepGamma = 0', '(0, 1]']],
    ['stepGamma above 1', { stepGamma: 1.5 }, ['stepGamma = 1.5', '(0, 1]']],
    ['stepGamma NaN', { stepGamma: NaN }, ['stepGamma = NaN', '(0, 1]']],
    ['an unknown decay schedule', { decaySchedule: 'follows' }, ['decaySchedule = "follows"', 'tracks, fixed']],
  ];
  for (const [name, input, words] of bad) {
    it(`rejects ${name}, naming field, value and what is allowed`, () => {
      const e = errorOf(input);
      for (const w of words) expect(e.message).toContain(w);
      expect(e.errors).toHaveLength(1);
    });
  }

  it('takes own keys only: inherited and prototype names are unknown settings, and nothing reaches Object.prototype', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const input = JSON.parse(`{${JSON.stringify(name)}: {"polluted": 1}}`) as Record<string, unknown>;
      const e = errorOf(input);
      expect(e.errors).toEqual([expect.objectContaining({ field: name })]);
      expect(e.message).toContain(`${name}: unknown setting`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(validateConfig({}))).not.toContain('toString');
  });

  it('types alpha (derived, never read) and drops it from the config', () => {
    expect(errorOf({ alpha: 'abc' }).message).toContain('alpha = "abc": must be a finite number');
    expect(errorOf({ alpha: Number.NaN }).errors).toHaveLength(1);
    expect(validateConfig({ alpha: 1e-5 })).toEqual(DEFAULT_CONFIG);
  });

  it('rejects null, an array, a string or a number with a ConfigError, not a TypeError', () => {
    for (const input of [null, undefined, [], [1, 2], 'layers', 7, Object.create(null) as unknown]) {
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        expect(validateConfig(input)).toEqual(DEFAULT_CONFIG); // a prototype-less empty object is fine
        continue;
      }
      expect(() => validateConfig(input)).toThrow(ConfigError);
      expect(() => validateConfig(input)).toThrow(/config = .*: must be an object of settings/);
    }
  });

  it('names a value without a prototype or a huge string without throwing or copying it whole', () => {
    const e = errorOf({ activation: Object.create(null) as unknown, loss: 'x'.repeat(1e6) } as Record<string, unknown>);
    expect(e.message).toContain('activation = an object');
    expect(e.message.length).toBeLessThan(400);
  });

  it('reports every bad field at once and clamps nothing', () => {
    const e = errorOf({ batch: 0, lr: -1, optimizer: 'x' });
    expect(e.errors.map((f) => f.field).sort()).toEqual(['batch', 'lr', 'optimizer']);
    expect(configErrors({ ...DEFAULT_CONFIG, momentum: 0.999 })).toEqual([]);
  });
});

describe('parseLayers', () => {
  it('reads comma or space separated widths and keeps junk for the validator to name', () => {
    expect(parseLayers('784, 256 10')).toEqual([784, 256, 10]);
    expect(parseLayers('4,abc')).toEqual([4, 'abc']);
    expect(parseLayers('-3,1e2')).toEqual([-3, 100]);
  });
});
