/**
 * Can this device's timestamp-query be trusted as nanoseconds? The spec says the resolved values
 * are nanoseconds, but an implementation may pass raw ticks through (a tick period other than
 * 1 ns unapplied) or quantise them; either way step times in the wrong unit would be reported
 * as fact. So before a run uses device time, one calibration pass is timed both ways.
 *
 * The bound: a pass runs between its submit and the resolution of onSubmittedWorkDone, so its
 * device time can never exceed that wall interval (slack: 10% + 0.5 ms for two clocks read at
 * slightly different moments). The pass is grown until it takes at least 25 ms of wall time, so
 * submit and wake-up overhead (well under a millisecond on an idle host, a few ms on a loaded
 * one) leave the pass at least a quarter of the interval: device time below 1/4 of wall, in the
 * best of three tries, means the unit is wrong. Unapplied periods are whole factors (tick periods of 10 to 83 ns, or µs
 * versus ns) and land far outside [1/4, 1.1].
 */

/** The verdict on timestamp-query, kept in results so a reader sees why wall time was used. */
export interface TimestampCheck {
  /** True when device time fell inside [wall/4, 1.1·wall + 0.5 ms] on the calibration pass. */
  trusted: boolean;
  deviceMs: number;
  wallMs: number;
  /** "device 31.2 ms vs wall 33.0 ms on a calibration pass: …". */
  note: string;
}

export const TIMESTAMP_BOUNDS = { minRatio: 0.25, maxRatio: 1.1, slackMs: 0.5, minWallMs: 25 } as const;

const SPIN_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> iterations: vec4u;
// A dependent chain of fma per invocation: no memory traffic, so the time is the loop's.
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  var x = f32(id.x);
  for (var i = 0u; i < iterations.x; i++) { x = fma(x, 0.999, 0.5); }
  out[id.x] = x;
}`;

const WORKGROUPS = 64;

/** The verdict on a measured pair (pure, so the bound itself is unit-tested). */
export function judgeTimestamps(deviceMs: number, wallMs: number): TimestampCheck {
  const { minRatio, maxRatio, slackMs } = TIMESTAMP_BOUNDS;
  const trusted = Number.isFinite(deviceMs) && deviceMs >= minRatio * wallMs && deviceMs <= maxRatio * wallMs + slackMs;
  const measured = `device ${deviceMs.toPrecision(3)} ms vs wall ${wallMs.toPrecision(3)} ms on a calibration pass`;
  return {
    trusted,
    deviceMs,
    wallMs,
    note: trusted
      ? `${measured}: timestamp-query units agree with wall time`
      : `${measured}: timestamp-query units cannot be trusted (outside [${minRatio}, ${maxRatio}] × wall); step times use wall time`,
  };
}

/**
 * Times one spin pass with timestamp-query and with the wall clock, growing it until the wall
 * interval is at least 25 ms (or the loop count reaches 2^26), and judges the pair. The device
 * must have been created with 'timestamp-query'. Everything it creates is destroyed.
 */
export async function checkTimestamps(device: GPUDevice): Promise<TimestampCheck> {
  const module = device.createShaderModule({ label: 'timestampCheck.spin', code: SPIN_WGSL });
  const pipeline = device.createComputePipeline({ label: 'timestampCheck.spin', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const out = device.createBuffer({ label: 'timestampCheck.out', size: WORKGROUPS * 64 * 4, usage: GPUBufferUsage.STORAGE });
  const uniform = device.createBuffer({ label: 'timestampCheck.iterations', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const querySet = device.createQuerySet({ label: 'timestampCheck.queries', type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ label: 'timestampCheck.resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ label: 'timestampCheck.readback', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: out } },
      { binding: 1, resource: { buffer: uniform } },
    ],
  });
  const timeOnce = async (iterations: number): Promise<{ deviceMs: number; wallMs: number }> => {
    device.queue.writeBuffer(uniform, 0, new Uint32Array([iterations, 0, 0, 0]));
    const encoder = device.createCommandEncoder({ label: 'timestampCheck' });
    const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(WORKGROUPS);
    pass.end();
    encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, readback, 0, 16);
    const commands = encoder.finish();
    await device.queue.onSubmittedWorkDone(); // start from an idle queue (the uniform write is done)
    const start = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    const wallMs = performance.now() - start;
    await readback.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(readback.getMappedRange(0, 16));
    readback.unmap();
    return { deviceMs: Number(end - begin) / 1e6, wallMs };
  };
  try {
    await timeOnce(1); // compiles and warms the pipeline outside the measurement
    let iterations = 1024;
    for (;;) {
      const t = await timeOnce(iterations);
      if (t.wallMs >= TIMESTAMP_BOUNDS.minWallMs || iterations >= 2 ** 26) break;
      // Aim at 1.5 times the minimum in one step when the pass is long enough to extrapolate from.
      iterations *= t.wallMs > 1 ? Math.min(64, Math.ceil((1.5 * TIMESTAMP_BOUNDS.minWallMs) / t.wallMs)) : 16;
    }
    // A busy host only ever adds to wall time, so of three tries the one whose device/wall ratio
    // is nearest 1 is the least disturbed; a wrong unit is wrong in all three. A host that was
    // busy while the pass grew can be quiet now and finish a try under the minimum: then the pass
    // doubles and the three tries run again (a few rounds at most), so the bound's premise holds.
    const distance = (t: { deviceMs: number; wallMs: number }) => Math.abs(Math.log(t.deviceMs / t.wallMs)) || 0;
    for (let round = 0; ; round++) {
      const tries = [await timeOnce(iterations), await timeOnce(iterations), await timeOnce(iterations)];
      const best = tries.reduce((a, b) => (distance(b) < distance(a) ? b : a));
      if (best.wallMs >= TIMESTAMP_BOUNDS.minWallMs || round >= 4 || iterations >= 2 ** 26) return judgeTimestamps(best.deviceMs, best.wallMs);
      iterations *= 2;
    }
  } finally {
    for (const b of [out, uniform, resolve, readback]) b.destroy();
    querySet.destroy();
  }
}
