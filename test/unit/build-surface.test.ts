/**
 * The build surface: scripts/setup.sh enforces the Node minimum that package.json's
 * engines.node states and the README repeats (major and minor, not the major alone), and the
 * npm scripts keep their shape (typecheck before the tests, one CLI build for every bench).
 * setup.sh runs for real, with `node` reporting a chosen version and `npm`/`apt-get`/`sudo`
 * replaced by stubs that only log, so nothing is installed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

let bin = '';
let log = '';

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'l2wd-setup-'));
  log = join(bin, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // The real node for everything but the version question, which FAKE_NODE_VERSION answers.
  stub('node', `if [[ "$*" == *process.versions.node* ]]; then echo "$FAKE_NODE_VERSION"; else exec "${process.execPath}" "$@"; fi`);
  for (const name of ['npm', 'apt-get', 'sudo']) stub(name, `echo "${name} $*" >> "${log}"`);
});

afterAll(() => {
  if (bin) rmSync(bin, { recursive: true, force: true });
});

function setup(nodeVersion: string) {
  if (existsSync(log)) rmSync(log);
  const r = spawnSync('bash', [join(ROOT, 'scripts/setup.sh')], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_NODE_VERSION: nodeVersion },
  });
  return { code: r.status, stderr: r.stderr, calls: existsSync(log) ? readFileSync(log, 'utf8') : '' };
}

describe('the Node minimum', () => {
  it('package.json engines.node is >=20.19, and the README states the same', () => {
    expect(pkg.engines.node).toBe('>=20.19');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/Node\.js 20\.19\+/);
  });

  it.each(['20.18.3', '20.0.0', '18.20.4'])('setup.sh refuses Node %s before installing anything, naming both versions', (version) => {
    const r = setup(version);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Node.js 20.19 or newer is required (found ${version})`);
    expect(r.calls).toBe('');
  });

  it.each(['20.19.0', '21.0.0', '22.11.0'])('setup.sh accepts Node %s and goes on to npm ci', (version) => {
    const r = setup(version);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls).toContain('npm ci --no-audit --no-fund');
  });
});

describe('npm scripts', () => {
  it('npm test type-checks before it runs the tests', () => {
    expect(pkg.scripts.typecheck).toBe('tsc --noEmit -p tsconfig.json');
    expect(pkg.scripts.test).toMatch(/^npm run typecheck && npm run format:check --silent && \.\/scripts\/test\.sh\b/);
  });

  it('every bench script builds the CLI through the one build:cli script', () => {
    expect(pkg.scripts['build:cli']).toContain('--config vite.cli.config.ts');
    for (const [name, entry] of [
      ['bench', 'bench'],
      ['bench:cpu', 'cpu-bench'],
      ['bench:kernels', 'kernel-bench'],
    ])
      expect(pkg.scripts[name], name).toBe(`npm run build:cli --silent && node dist-cli/${entry}.js`);
  });

  it('format and format:check run Prettier over the repository', () => {
    expect(pkg.scripts.format).toBe('prettier --write .');
    expect(pkg.scripts['format:check']).toBe('prettier --check .');
  });
});
