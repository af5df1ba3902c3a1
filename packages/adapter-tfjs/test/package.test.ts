/** The package's promises about itself: its dependencies and module shape (tools/test/architecture.test.ts checks that only src/node/ imports node: modules). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package', () => {
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
