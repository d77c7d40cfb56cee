/**
 * The import graph of src/ against the layers of the README's architecture section (and
 * docs/DESIGN.md, "Layers"): each folder imports only the folders it is allowed to, so
 * nothing imports upward and the picture stays true. Reads every relative import and
 * re-export of every source file, type-only ones included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Who may import whom, folder by folder: the README's diagram, top to bottom. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  cpu: ['model'],
  gpu: ['model', 'shaders'],
  bench: ['model', 'cpu', 'gpu'],
  ui: ['model', 'bench'],
  cli: ['model', 'cpu', 'gpu', 'bench'],
  'index.ts': ['model', 'cpu', 'gpu', 'bench'],
  'main.ts': ['ui'],
};

/** Imports that break the picture today, each with the issue that removes it. Add none. */
const KNOWN_EXCEPTIONS = new Set<string>([]);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The layer of a repository path: the folder under src/, a top-level src/ file, or shaders. */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'shaders') return 'shaders';
  if (parts[0] === 'src') return parts[1];
  return path;
}

interface Edge {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // import … from './x', export … from './x', import('./x'), import './x'.
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const to = relative(ROOT, normalize(join(ROOT, dirname(file), m[1].replace(/\?.*$/, ''))));
      const edge = { from: file, to: to.replace(/\.ts$/, ''), fromLayer: layerOf(file), toLayer: layerOf(to) };
      if (edge.fromLayer !== edge.toLayer) edges.push(edge);
    }
  }
  return edges;
}

describe('the import graph matches the architecture', () => {
  const edges = importEdges();

  it('reads the imports it checks (a parser that finds none would pass anything)', () => {
    expect(edges.some((e) => e.fromLayer === 'ui' && e.toLayer === 'bench')).toBe(true);
    expect(edges.some((e) => e.fromLayer === 'gpu' && e.toLayer === 'shaders')).toBe(true);
    expect(edges.length).toBeGreaterThan(50);
  });

  it('every folder of src/ has its place in the layers', () => {
    const layers = new Set(sourceFiles('src').map(layerOf));
    const unplaced = [...layers].filter((l) => !(l in ALLOWED));
    expect(unplaced, 'add the folder to ALLOWED here and to the README architecture section').toEqual([]);
  });

  it('no folder imports one it may not (nothing imports upward)', () => {
    const bad = edges
      .filter((e) => !(ALLOWED[e.fromLayer] ?? []).includes(e.toLayer))
      .map((e) => `${e.from} → ${e.to}`)
      .filter((e) => !KNOWN_EXCEPTIONS.has(e));
    expect(bad).toEqual([]);
  });
});
