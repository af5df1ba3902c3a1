/**
 * The layout's rules (docs/architecture.md), enforced: dependencies between
 * our packages point one way, and packages that run in browsers import no
 * node: module from their main entry.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packagesDir = path.join(root, 'packages');

/** Lower layers first; a package may depend only on packages of a lower layer. */
// report reads adapters only in its tests; the playground is an app on top of everything.
const LAYERS: Record<string, number> = { core: 0, onnx: 1, 'ort-runtime': 1.5, report: 2.5, cli: 3, playground: 4 };
const layerOf = (dir: string) => LAYERS[dir] ?? (dir.startsWith('adapter-') || dir.startsWith('export-') ? 2 : undefined);
/** Entry folders that may use node: modules (file-system helpers, the CLI, the onnxruntime-node adapters). */
const NODE_ONLY = [/^cli\//, /^adapter-(cpu|cuda)\//, /\/src\/node\//];

const packages = readdirSync(packagesDir).filter((d) => statSync(path.join(packagesDir, d)).isDirectory());
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(packagesDir, dir, 'package.json'), 'utf8'));
const byName = new Map(packages.map((d) => [manifest(d).name as string, d]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('package architecture', () => {
  it('knows every package layer', () => {
    for (const d of packages) expect(layerOf(d), `packages/${d} has no layer`).toBeDefined();
  });

  it('dependencies point one way (core <- onnx <- adapters/exporters <- cli)', () => {
    const violations: string[] = [];
    for (const d of packages) {
      const m = manifest(d);
      const deps = { ...m.dependencies, ...m.peerDependencies, ...m.devDependencies };
      for (const name of Object.keys(deps)) {
        const target = byName.get(name);
        if (!target) continue;
        if (!(layerOf(target)! < layerOf(d)!)) violations.push(`${m.name} depends on ${name}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('source imports follow package.json (no reaching into undeclared @condense packages)', () => {
    const violations: string[] = [];
    for (const d of packages) {
      const m = manifest(d);
      const declared = new Set(Object.keys({ ...m.dependencies, ...m.peerDependencies, ...m.devDependencies }));
      for (const file of sourceFiles(path.join(packagesDir, d, 'src'))) {
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(@condense\/[a-z-]+)/g)) {
          if (!declared.has(spec!)) violations.push(`${path.relative(root, file)} imports ${spec} without declaring it`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('browser-ready entries import no node: module', () => {
    const violations: string[] = [];
    for (const d of packages) {
      for (const file of sourceFiles(path.join(packagesDir, d, 'src'))) {
        const rel = path.relative(packagesDir, file);
        if (NODE_ONLY.some((r) => r.test(rel))) continue;
        if (/from 'node:|require\('node:|from '(fs|path|os|child_process)'/.test(readFileSync(file, 'utf8'))) violations.push(rel);
      }
    }
    expect(violations).toEqual([]);
  });
});
