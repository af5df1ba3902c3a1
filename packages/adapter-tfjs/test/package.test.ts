/** The package's promises about itself: browser-safe main entry, one-way dependencies. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('package', () => {
  it('imports no node: module outside its ./node entry (the main entry runs in browsers)', () => {
    const offenders = sources(path.join(root, 'src')).filter((f) => !f.endsWith(`${path.sep}node.ts`) && /from '(node:|fs|path)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('depends on core (as a peer) and onnx only among condense packages', () => {
    const ours = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@condense/'));
    expect(ours.sort()).toEqual(['@condense/core', '@condense/onnx']);
    expect(pkg.peerDependencies['@condense/core']).toBeDefined();
  });

  it('is ESM without side effects, with types first in its exports', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    for (const entry of Object.values(pkg.exports) as Array<Record<string, string>>) expect(Object.keys(entry)[0]).toBe('types');
  });
});
