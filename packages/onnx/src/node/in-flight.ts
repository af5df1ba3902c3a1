/**
 * Writes this process has begun and not finished. On Ctrl-C the CLI calls
 * undoInFlightWrites: each write stops at its next step, waits for the file
 * operation under way, and puts the folder back as it was, so no temp file,
 * and no model beside the wrong data file, is left behind.
 */

/** Stops a write and rolls it back; resolves to the files it found already complete (the interrupt came too late for them), which stay. */
export type StopWrite = () => Promise<string[]>;

const inFlight = new Set<StopWrite>();
const listeners = new Set<(file: string) => void>();

/** Registers a write's stop; the returned function unregisters it once the write is committed or aborted. */
export function trackWrite(stop: StopWrite): () => void {
  inFlight.add(stop);
  return () => inFlight.delete(stop);
}

/** Tells the watchers (see watchWrites) that `file` is now in place, whole. */
export function announceWritten(file: string): void {
  for (const listener of listeners) listener(file);
}

/**
 * Calls `listener` with each file this process moves into place from now on
 * (the CLI uses it to say what an interrupt left written); returns the unsubscribe.
 */
export function watchWrites(listener: (file: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Stops every unfinished write and rolls it back: temp files are removed and
 * half-renamed sets of files put back as they were. The writes' own promises
 * reject. Resolves to the files that were already complete, which stay.
 */
export async function undoInFlightWrites(): Promise<string[]> {
  const complete: string[] = [];
  // A set of files goes on to its next file once the one before is written: stop those too, until none is left.
  while (inFlight.size) {
    const stops = [...inFlight];
    inFlight.clear();
    for (const files of await Promise.all(stops.map((stop) => stop()))) complete.push(...files);
  }
  return complete;
}
