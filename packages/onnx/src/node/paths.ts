import { realpathSync } from 'node:fs';
import path from 'node:path';
import { CondenseError } from '@condense/core';

/**
 * Resolves `location` (from a model file) inside `folder`, or refuses: absolute
 * paths, drive letters, `..` that leaves the folder, and symlinks that point
 * out of it are all ways a hostile model could read or write elsewhere.
 */
export function resolveInside(folder: string, location: string, what: string): string {
  const refuse = (why: string) =>
    new CondenseError('E_PATH_ESCAPE', `${what} points at "${location}", ${why}. condense only reads and writes external data inside the model's own folder.`, {
      context: { file: location },
    });
  if (location.includes('\0')) throw refuse('which contains a NUL byte');
  if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) throw refuse('an absolute path');
  const root = path.resolve(folder);
  const target = path.resolve(root, location);
  const relative = path.relative(root, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) throw refuse('outside the model folder');
  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = realpathSync(root);
    realTarget = realpathSync(target);
  } catch {
    return target; // Does not exist (yet): the caller reports a missing file, or creates it.
  }
  const realRelative = path.relative(realRoot, realTarget);
  if (realRelative.startsWith('..') || path.isAbsolute(realRelative)) throw refuse('which is a symbolic link out of the model folder');
  return target;
}
