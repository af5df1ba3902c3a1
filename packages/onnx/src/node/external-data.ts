import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { CondenseError } from '@condense/core';
import type { ExternalDataRef, ExternalDataResolver } from '../read/tensor.js';
import { quoted } from '../read/names.js';
import { escapeError, isInside, resolveInside } from './paths.js';

/**
 * Non-blocking, so a FIFO or device named as a data file cannot stall the open
 * (it is then refused as not a regular file). Windows has no such flag.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The file a reference was checked against: reads later must find the same one. */
interface CheckedFile {
  path: string;
  dev: number;
  ino: number;
  size: number;
}

/**
 * External data rooted at `folder`: each reference is checked when the model
 * is loaded (location inside the folder, a regular file, range within it) and
 * read when its tensor is first used, from the same file (same inode) only.
 */
export function externalDataIn(folder: string, modelFile: string): ExternalDataResolver {
  const checked = new Map<string, CheckedFile>();
  return (ref: ExternalDataRef, byteLength: number) => {
    const what = `External data of tensor ${quoted(ref.tensor)} in ${modelFile}`;
    const target = resolveInside(folder, ref.location, what);
    let file = checked.get(target);
    if (!file) {
      file = checkFile(folder, target, ref.location, what);
      checked.set(target, file);
    }
    const length = ref.length ?? file.size - ref.offset;
    if (length !== byteLength || ref.offset + length > file.size) {
      throw new CondenseError('E_EXTERNAL_DATA', `${what}: needs ${byteLength} bytes at offset ${ref.offset}, but ${quoted(ref.location)} declares ${length} and holds ${file.size}.`, { context: { file: target } });
    }
    return () => readRange(file, ref.offset, length, what);
  };
}

/**
 * Opens the file and asks the system where the opened file really is, so a
 * symbolic link swapped in after the path check cannot redirect the read.
 */
function checkFile(folder: string, target: string, location: string, what: string): CheckedFile {
  return withOpen(target, what, location, (fd, st) => {
    const real = realPathOf(fd, target, st);
    if (!real) throw escapeError(what, location, 'which changed while it was being opened');
    if (!isInside(realpathSync(folder), real)) throw escapeError(what, location, 'which is a symbolic link out of the model folder');
    return { path: target, dev: st.dev, ino: st.ino, size: st.size };
  });
}

function readRange(file: CheckedFile, offset: number, length: number, what: string): Uint8Array {
  return withOpen(file.path, what, file.path, (fd, st) => {
    if (st.dev !== file.dev || st.ino !== file.ino) {
      throw new CondenseError('E_EXTERNAL_DATA', `${what}: ${file.path} was replaced after the model was loaded; load the model again.`, { context: { file: file.path } });
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new CondenseError('E_EXTERNAL_DATA', `${what}: ${file.path} ended before ${length} bytes at offset ${offset} could be read.`, { context: { file: file.path } });
      done += n;
    }
    return out;
  });
}

/** Runs `use` on an open regular file, closing it afterwards; any failure to open is one clear E_EXTERNAL_DATA. */
function withOpen<T>(target: string, what: string, location: string, use: (fd: number, st: Stats) => T): T {
  let fd: number;
  let st: Stats;
  try {
    fd = openSync(target, OPEN_FLAGS);
  } catch (e) {
    throw new CondenseError('E_EXTERNAL_DATA', `${what}: cannot open ${quoted(location)} (${whyNotOpened(e)}). Keep the data file beside the model.`, { cause: e, context: { file: target } });
  }
  try {
    st = fstatSync(fd);
    if (!st.isFile()) throw new CondenseError('E_EXTERNAL_DATA', `${what}: ${quoted(location)} is not a regular file${st.isDirectory() ? ' but a folder' : ''}.`, { context: { file: target } });
    return use(fd, st);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where an open file really is: Linux names it under /proc; elsewhere resolve
 * the path and accept it only if it is still the file that was opened.
 */
function realPathOf(fd: number, target: string, st: Stats): string | undefined {
  try {
    return realpathSync(`/proc/self/fd/${fd}`);
  } catch {
    const real = realpathSync(target);
    const again = statSync(real);
    return again.dev === st.dev && again.ino === st.ino ? real : undefined;
  }
}

/** The system's reason in a few words; its own message repeats the whole path, which a hostile file can make megabytes long. */
function whyNotOpened(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', ENAMETOOLONG: 'the name is too long', ELOOP: 'too many symbolic links', ENOTDIR: 'a folder on the way is a file' };
  return (code && reasons[code]) ?? code ?? 'unknown error';
}
