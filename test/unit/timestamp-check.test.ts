/**
 * The bound that decides whether timestamp-query's units are trusted (src/gpu/timestamp-check.ts):
 * device time within [wall/4, 1.1·wall + 0.5 ms]. Unapplied tick periods and µs-for-ns mistakes
 * fall outside it; host overhead on a loaded machine does not.
 */
import { describe, expect, test } from 'vitest';
import { judgeTimestamps } from '../../src/gpu/timestamp-check';

describe('judgeTimestamps', () => {
  test.each([
    ['equal', 30, 30],
    ['host overhead of two thirds of the interval (a loaded machine)', 10, 30],
    ['clock skew within the slack', 30.4, 30],
  ])('trusts %s', (_what, deviceMs, wallMs) => {
    const check = judgeTimestamps(deviceMs, wallMs);
    expect(check.trusted, check.note).toBe(true);
    expect(check.note).toMatch(/units agree with wall time/);
  });

  test.each([
    ['microseconds read as nanoseconds (1000× too small)', 0.03, 30],
    ['raw ticks of an 83.3 ns period read as nanoseconds (83× too small)', 30 / 83.3, 30],
    ['ticks faster than 1 GHz read as nanoseconds (device time above wall time)', 45, 30],
    ['zeros (timestamps disabled)', 0, 30],
    ['not a number', Number.NaN, 30],
  ])('refuses %s, and says wall time is used', (_what, deviceMs, wallMs) => {
    const check = judgeTimestamps(deviceMs, wallMs);
    expect(check.trusted).toBe(false);
    expect(check.note).toMatch(/cannot be trusted .* step times use wall time/);
  });
});
