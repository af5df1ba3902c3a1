import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError } from '@condense/core';
import { announceWritten, trackWrite } from './in-flight.js';

/** Most systems cap one writev call at 1024 buffers. */
const IOV_MAX = 1024;

/** A hidden name beside `file`, unique to this process and call, so no two writers share one. */
function besidePath(file: string, kind: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${kind}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

function interrupted(file: string): CondenseError {
  return new CondenseError('E_IO', `Writing ${file} was interrupted; nothing was written.`, { context: { file } });
}

/**
 * A write's file operations, run one at a time so that an interrupt can stop
 * it between two of them: stop() waits for the operation under way, and every
 * later step rejects. The state a step sets is set inside it, so once stop()
 * resolves the state is exact.
 */
class Steps {
  stopped = false;
  private current: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('stopped'));
    const step = op();
    this.current = step.catch(() => undefined);
    return step;
  }

  stop(): Promise<unknown> {
    this.stopped = true;
    return this.current;
  }
}

/** A file written to its temp name, waiting to be renamed into place. */
export interface PendingFile {
  readonly file: string;
  /** Renames the temp file into place (on its own: writeFilesAtomic renames several as a set). */
  commit(): Promise<void>;
  /** Removes the temp file. */
  abort(): Promise<void>;
}

interface Pending extends PendingFile {
  /** Renames the temp into place without announcing it (its set does). */
  move(): Promise<void>;
  /** Hands its interrupt handling to the set it belongs to. */
  release(): void;
}

/**
 * Writes byte chunks to a temporary file beside `file`: commit() renames it
 * into place, so readers see the old file or the whole new one, never a
 * partial file. Until then the write is registered with the in-flight
 * writes, so an interrupt removes the temp file (undoInFlightWrites).
 */
export async function writeTemp(file: string, chunks: readonly Uint8Array[]): Promise<PendingFile> {
  return writePending(file, chunks);
}

async function writePending(file: string, chunks: readonly Uint8Array[]): Promise<Pending> {
  const temp = besidePath(file, 'tmp');
  const steps = new Steps();
  let moved = false;
  const untrack = trackWrite(async () => {
    await steps.stop();
    if (moved) return [file];
    await rm(temp, { force: true });
    return [];
  });
  const abort = async () => {
    untrack();
    await rm(temp, { force: true });
  };
  // A stopped write is rolled back by its stop; any other failure cleans up here.
  const fail = async (e: unknown, what: string) => {
    if (steps.stopped) return interrupted(file);
    await abort();
    return new CondenseError('E_IO', `${what} ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
  };
  try {
    const handle = await steps.run(() => open(temp, 'wx'));
    try {
      for (let i = 0; i < chunks.length; i += IOV_MAX) {
        const batch = chunks.slice(i, i + IOV_MAX);
        await steps.run(() => writeBatch(handle, batch));
      }
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw await fail(e, 'Could not write');
  }
  const move = async () => {
    try {
      await steps.run(async () => {
        await rename(temp, file);
        moved = true;
      });
    } catch (e) {
      throw await fail(e, 'Could not move the new file into place at');
    }
  };
  return {
    file,
    move,
    abort,
    release: untrack,
    commit: async () => {
      await move();
      untrack();
      announceWritten(file);
    },
  };
}

/** One writev; it may write less than asked, so the batch is finished with plain writes. */
async function writeBatch(handle: import('node:fs/promises').FileHandle, batch: Uint8Array[]): Promise<void> {
  const want = batch.reduce((n, c) => n + c.byteLength, 0);
  const { bytesWritten } = await handle.writev(batch);
  if (bytesWritten < want) await writeRest(handle, batch, bytesWritten);
}

async function writeRest(handle: import('node:fs/promises').FileHandle, batch: Uint8Array[], skip: number): Promise<void> {
  let offset = skip;
  for (const c of batch) {
    if (offset >= c.byteLength) {
      offset -= c.byteLength;
      continue;
    }
    let view = c.subarray(offset);
    offset = 0;
    while (view.byteLength) {
      const { bytesWritten } = await handle.write(view);
      view = view.subarray(bytesWritten);
    }
  }
}

/**
 * Renames several written files into place as one set: every file but the
 * last is first set aside (if it exists), so a failure or an interrupt midway
 * puts the old set back; the last rename completes the new set. A model and
 * its data file, or an exporter's folder of artifacts, never mix old and new.
 */
async function commitAll(pending: readonly Pending[]): Promise<void> {
  const steps = new Steps();
  const setAside = pending.slice(0, -1).map((p) => ({ file: p.file, backup: besidePath(p.file, 'previous') }));
  const asideDone: typeof setAside = [];
  const moved = new Set<Pending>();
  const removeBackups = () => Promise.all(asideDone.map((s) => rm(s.backup, { force: true })));
  // Once only: an interrupt and the failure it causes may both ask for it.
  let rolledBack: Promise<void> | undefined;
  const rollback = () =>
    (rolledBack ??= (async () => {
      await Promise.all(pending.map((p) => (moved.has(p) ? rm(p.file, { force: true }) : p.abort())));
      for (const s of asideDone) await rename(s.backup, s.file);
    })());
  for (const p of pending) p.release();
  const untrack = trackWrite(async () => {
    await steps.stop();
    if (moved.size < pending.length) {
      await rollback();
      return [];
    }
    await removeBackups();
    return pending.map((p) => p.file);
  });
  try {
    for (const s of setAside) {
      await steps.run(async () => {
        try {
          await rename(s.file, s.backup);
          asideDone.push(s);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CondenseError('E_IO', `Could not set ${s.file} aside to replace it: ${(e as Error).message}`, { cause: e, context: { file: s.file } });
        }
      });
    }
    for (const p of pending) {
      await steps.run(async () => {
        await p.move();
        moved.add(p);
      });
    }
  } catch (e) {
    if (steps.stopped) throw interrupted(pending.at(-1)!.file);
    await rollback();
    throw e;
  } finally {
    untrack();
  }
  await removeBackups();
  for (const p of pending) announceWritten(p.file);
}

/**
 * Writes files atomically as a set: all are written to temp files first, then
 * renamed into place together (see commitAll). Nothing of the set appears if
 * any write fails or the process is interrupted (undoInFlightWrites).
 */
export async function writeFilesAtomic(files: ReadonlyArray<{ file: string; chunks: readonly Uint8Array[] }>): Promise<void> {
  const pending: Pending[] = [];
  try {
    for (const f of files) pending.push(await writePending(f.file, f.chunks));
  } catch (e) {
    await Promise.all(pending.map((p) => p.abort()));
    throw e;
  }
  if (pending.length === 1) return pending[0]!.commit();
  await commitAll(pending);
}

/** Writes one file atomically. */
export async function writeFileAtomic(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  await writeFilesAtomic([{ file, chunks }]);
}
