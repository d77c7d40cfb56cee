/** 1073741824 → "1 GiB", 3.2e6 → "3.1 MiB": binary units, one decimal unless whole. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/**
 * A need and a limit in bytes, printed so they read as different when they are: more decimals
 * until the two differ, exact byte counts when even three do not ("1.0000153 GiB" would mislead less
 * than "1.0 GiB; the limit is 1 GiB", but "1073741840 B" is plain).
 */
export function formatBytesApart(need: number, limit: number): [string, string] {
  let a = formatBytes(need);
  let b = formatBytes(limit);
  // "1.0 GiB" and "1 GiB" are different strings that read as the same amount.
  const amount = (s: string) => `${parseFloat(s)} ${s.split(' ')[1]}`;
  if (amount(a) !== amount(b) || need === limit) return [a, b];
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const u = Math.min(units.length - 1, Math.floor(Math.log2(Math.max(1, Math.min(need, limit))) / 10));
  for (const digits of [2, 3]) {
    a = `${(need / 1024 ** u).toFixed(digits)} ${units[u]}`;
    b = `${(limit / 1024 ** u).toFixed(digits)} ${units[u]}`;
    if (a !== b) return [a, b];
  }
  return [`${need} B`, `${limit} B`];
}
