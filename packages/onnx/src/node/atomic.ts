import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError } from '@condense/core';

/** Most systems cap one writev call at 1024 buffers. */
const IOV_MAX = 1024;

function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/**
 * Writes byte chunks to a temporary file beside `file`, then renames it into
 * place: readers see the old file or the whole new one, never a partial file.
 * Returns a commit function so several files can be renamed together at the end.
 */
export async function writeTemp(file: string, chunks: readonly Uint8Array[]): Promise<{ commit: () => Promise<void>; abort: () => Promise<void> }> {
  const temp = tempPathFor(file);
  const abort = () => rm(temp, { force: true });
  try {
    const handle = await open(temp, 'wx');
    try {
      for (let i = 0; i < chunks.length; i += IOV_MAX) {
        const batch = chunks.slice(i, i + IOV_MAX);
        const want = batch.reduce((n, c) => n + c.byteLength, 0);
        let { bytesWritten } = await handle.writev(batch);
        // writev may write less than asked; finish the batch with plain writes.
        if (bytesWritten < want) bytesWritten += await writeRest(handle, batch, bytesWritten);
      }
    } finally {
      await handle.close();
    }
  } catch (e) {
    await abort();
    throw new CondenseError('E_IO', `Could not write ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
  }
  return {
    commit: async () => {
      try {
        await rename(temp, file);
      } catch (e) {
        await abort();
        throw new CondenseError('E_IO', `Could not move the new file into place at ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
      }
    },
    abort,
  };
}

async function writeRest(handle: import('node:fs/promises').FileHandle, batch: Uint8Array[], skip: number): Promise<number> {
  let written = 0;
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
      written += bytesWritten;
    }
  }
  return written;
}

/** Writes one file atomically. */
export async function writeFileAtomic(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const { commit } = await writeTemp(file, chunks);
  await commit();
}
