import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FuzzFailure } from './harness.js';

/** Writes a failing case's files to dir/<target>-<index>/ so it can be opened by hand or in another tool. */
export function saveFailure(dir: string, target: string, f: FuzzFailure): string {
  const out = path.join(dir, `${target.replace(/\W+/g, '-')}-${f.index}`);
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of f.input.files) writeFileSync(path.join(out, name), bytes);
  writeFileSync(path.join(out, 'failure.txt'), `${f.outcome}\n${f.kind} on ${f.seed}\n\n${f.detail}\n`);
  return out;
}
