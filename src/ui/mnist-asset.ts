/**
 * The MNIST digits for the page: `data/mnist.bin` fetched from the page's own origin (Vite serves
 * public/ there; `npm run build:data` writes it), only when a run asks for the MNIST dataset, once
 * per page, and checked by parseMnist (src/model/mnist.ts). A missing or corrupt file is one
 * error that says what to do; a failed load is not cached, so the next run tries again.
 */
import type { MnistImages } from '../model/mnist';
import { parseMnist } from '../model/mnist';

/** Relative to the page, so a page served under a sub-path finds its own copy. */
export const MNIST_ASSET_PATH = 'data/mnist.bin';

let loading: Promise<MnistImages> | null = null;

export function loadMnist(): Promise<MnistImages> {
  loading ??= fetchMnist().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function fetchMnist(): Promise<MnistImages> {
  const url = new URL(MNIST_ASSET_PATH, document.baseURI).href;
  const fix = 'build it with `npm run build:data` (the page serves it from public/data/)';
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`The MNIST digits (${url}) could not be fetched: ${(e as Error).message}; ${fix}.`);
  }
  if (!response.ok) throw new Error(`The MNIST digits (${url}) are missing: HTTP ${response.status}; ${fix}.`);
  return parseMnist(new Uint8Array(await response.arrayBuffer()));
}
