#!/usr/bin/env bash
# `npm test`: every test layer, on both WebGPU implementations, with one count per layer.
#   1. vitest under Node: unit, gpu-dawn (the `webgpu` package, Dawn), e2e (headless Chromium);
#   2. vitest under Deno (the npm devDependency): gpu-wgpu, the same GPU test files on wgpu;
#   3. the two runs' reports merged, so test/support/summary-reporter.ts counts every layer and,
#      with CI set, fails the run when a layer ran no test.
# Arguments go to both runs (a file filter: `npm test -- test/gpu/kernels.test.ts`); a run whose
# layers have no matching file passes, and the merged count shows what ran.
set -u
cd "$(dirname "$0")/.."
blobs=test-results/vitest-blobs
rm -rf "$blobs"
status=0
npx vitest run --passWithNoTests --reporter=default --reporter=blob --outputFile.blob="$blobs/node.json" "$@" || status=1
npx deno run -A --no-prompt npm:vitest run --passWithNoTests --reporter=default --reporter=blob --outputFile.blob="$blobs/deno.json" "$@" || status=1
npx vitest --merge-reports="$blobs" --reporter=./test/support/summary-reporter.ts || status=1
exit "$status"
