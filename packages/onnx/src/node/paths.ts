import { realpathSync } from 'node:fs';
import path from 'node:path';
import { CondenseError } from '@condense/core';

/**
 * Resolves `location` (from a model file) inside `folder`, or refuses: absolute
 * paths, drive letters, `..` that leaves the folder (with either slash: a
 * Windows reader takes `\` as a separator), and symlinks that point out of it
 * are all ways a hostile model could read or write elsewhere.
 */
export function resolveInside(folder: string, location: string, what: string): string {
  const refuse = (why: string) => escapeError(what, location, why);
  if (location.includes('\0')) throw refuse('which contains a NUL byte');
  if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) throw refuse('an absolute path');
  const root = path.resolve(folder);
  const target = path.resolve(root, location);
  if (target === root) throw refuse('which is the model folder itself, not a file');
  if (!isInside(root, target) || !isInside(root, path.resolve(root, location.replaceAll('\\', '/')))) throw refuse('outside the model folder');
  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = realpathSync(root);
    realTarget = realpathSync(target);
  } catch {
    return target; // Does not exist (yet): the caller reports a missing file, or creates it.
  }
  if (!isInside(realRoot, realTarget)) throw refuse('which is a symbolic link out of the model folder');
  return target;
}

/** True when `target` is `root` or below it (both absolute and resolved). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

export function escapeError(what: string, location: string, why: string): CondenseError {
  return new CondenseError('E_PATH_ESCAPE', `${what} points at ${JSON.stringify(location.slice(0, 200))}, ${why}. condense only reads and writes external data inside the model's own folder.`, {
    context: { file: location },
  });
}
