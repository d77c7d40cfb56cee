/**
 * How large a model the CPU backends take: the one home of the CPU size rule, read by the page's
 * form (run-draft.ts), the CLI's default (args.ts) and, through them, the runner's skips.
 *
 * The binding cost is the float64 reference (weights, gradients and optimizer state as float64
 * arrays, and about 0.5 GFLOP/s): past a few tens of millions of parameters a tab runs out of
 * memory and a step takes minutes. The WebAssembly CPU trainer itself stops at 4 GiB of memory
 * (wasm32), which its layout checks with a message (src/cpu/fast.ts).
 */

/** Most parameters a CPU backend may train in a browser tab. */
export const CPU_MAX_PARAMETERS = 25_000_000;

/** Default widest layer the CLI runs on the CPU backends (one 4096×4096 matrix is 16.8M parameters); --cpu-max-width overrides it. */
export const DEFAULT_CPU_MAX_WIDTH = 4096;
