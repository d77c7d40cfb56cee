import type { MlpConfig } from './config';
import { Rng } from './rng';

/**
 * All trainable parameters of an MLP, in float64 for exchange between backends
 * (each backend converts to its own precision). W_l is row-major [n_{l-1}, n_l].
 */
export interface MlpParameters {
  weights: Float64Array[];
  biases: Float64Array[];
}

/** Glorot-uniform weights, U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out))); zero biases. */
export function glorotInit(layers: readonly number[], rng: Rng): MlpParameters {
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 1; l < layers.length; l++) {
    const nIn = layers[l - 1];
    const nOut = layers[l];
    const limit = Math.sqrt(6 / (nIn + nOut));
    const w = new Float64Array(nIn * nOut);
    for (let i = 0; i < w.length; i++) w[i] = rng.range(-limit, limit);
    weights.push(w);
    biases.push(new Float64Array(nOut));
  }
  return { weights, biases };
}

/** The initial parameters of a run: Glorot init from a stream derived from the seed. */
export function initialParameters(config: Pick<MlpConfig, 'layers' | 'seed'>): MlpParameters {
  return glorotInit(config.layers, new Rng(config.seed ^ 0x5eed1417));
}

export function cloneParameters(p: MlpParameters): MlpParameters {
  return { weights: p.weights.map((w) => w.slice()), biases: p.biases.map((b) => b.slice()) };
}

/** Checks that parameters have the shapes of `layers`; throws naming the first mismatch. */
export function assertParameterShapes(p: MlpParameters, layers: readonly number[]): void {
  const L = layers.length - 1;
  if (p.weights.length !== L || p.biases.length !== L)
    throw new Error(`parameters have ${p.weights.length} weight and ${p.biases.length} bias arrays; the model has ${L} layers`);
  for (let l = 1; l <= L; l++) {
    const want = layers[l - 1] * layers[l];
    if (p.weights[l - 1].length !== want)
      throw new Error(`layer ${l} weights have ${p.weights[l - 1].length} values; expected ${layers[l - 1]}×${layers[l]} = ${want}`);
    if (p.biases[l - 1].length !== layers[l]) throw new Error(`layer ${l} biases have ${p.biases[l - 1].length} values; expected ${layers[l]}`);
  }
}
