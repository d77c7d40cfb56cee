/**
 * `npm run bench:peers`: our engines beside jax-js and TensorFlow.js, the same MLP step in
 * one headless Chromium on one adapter (docs/BENCHMARKS.md, "Peers"). Prints the table;
 * --json FILE writes the report. Exit status 1 when an engine failed or did not train, 2 on
 * a bad flag.
 */
import { writeFileSync } from 'node:fs';
import { PeersUsageError, USAGE, parsePeersArgs } from './args';
import { formatReport, shapeName } from './report';
import { runPeers } from './run-peers';

async function main(): Promise<number> {
  let args;
  try {
    args = parsePeersArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof PeersUsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await runPeers({
    ...args,
    onResult: (r) => {
      const what =
        'error' in r ? `failed: ${r.error}` : `${(r.msPerStep.reduce((a, b) => a + b, 0) / r.msPerStep.length).toFixed(2)} ms/step (mean of samples)`;
      console.error(`  ${r.engine} at ${shapeName(r.shape)}: ${what}`);
    },
  });
  console.log(formatReport(report));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${args.json}`);
  }
  return report.failures.length > 0 || report.results.some((r) => r.invalid) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
