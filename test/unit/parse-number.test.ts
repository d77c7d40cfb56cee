/** The one number parser (page, URL, CLI) and how messages quote what was typed. */
import { describe, expect, test } from 'vitest';
import { UsageError, parseArgs } from '../../src/cli/args';
import { configErrors, parseLayers, parseNumber } from '../../src/model/config';

describe('parseNumber', () => {
  test('decimals and exponents become numbers', () => {
    expect(parseNumber(' 0.01 ')).toBe(0.01);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('0')).toBe(0);
    expect(parseNumber('0e-999')).toBe(0);
    expect(parseNumber('-2.5E+2')).toBe(-250);
  });
  test('what a float64 cannot hold stays the text: 1e-400 is not 0, 5000 digits are not Infinity', () => {
    expect(parseNumber('1e-400')).toBe('1e-400');
    expect(parseNumber('9'.repeat(5000))).toBe('9'.repeat(5000));
    expect(parseNumber('abc')).toBe('abc');
    expect(parseNumber('0x10')).toBe('0x10');
  });
});

describe('messages quote what was typed, in one short line', () => {
  test('lr = 1e-400 reads "1e-400", not 0', () => {
    const [e] = configErrors({ lr: parseNumber('1e-400') }).filter((x) => x.field === 'lr');
    expect(e.message).toBe('lr = "1e-400": must be a finite number > 0');
  });
  test('a 5000-digit number is cut, with its length', () => {
    const [e] = configErrors({ lr: parseNumber('9'.repeat(5000)) }).filter((x) => x.field === 'lr');
    expect(e.message).toContain('9'.repeat(40) + '…');
    expect(e.message).not.toContain('Infinity');
    expect(e.message.length).toBeLessThan(120);
  });
  test('a 5001-entry layer list gives one short message', () => {
    const [e] = configErrors({ layers: parseLayers(Array(5001).fill('8').join(',')) }).filter((x) => x.field === 'layers');
    expect(e.message).toContain('5001 in all');
    expect(e.message).toContain('must list from 2 to 65 widths');
    expect(e.message.length).toBeLessThan(140);
  });
  test('the CLI says the same thing of --lr 1e-400', () => {
    expect(() => parseArgs(['--lr', '1e-400'])).toThrow(UsageError);
    expect(() => parseArgs(['--lr', '1e-400'])).toThrow(/--lr "1e-400": beyond what a float64 holds \(it would read as 0\)/);
  });
});
