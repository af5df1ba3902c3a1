#!/usr/bin/env node
/**
 * The `condense` process. Ctrl-C (SIGINT) and SIGTERM stop the run: writes
 * under way are rolled back (they wait at most for the file operation in
 * progress), one line says what is on disk, and the exit code is 128 + the
 * signal's number (130, 143). A second signal exits at once. The handlers go
 * in before the commands load, so no moment of the run is left to Node's
 * default handler.
 */
import { clearProgressLine } from './progress.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
let undoWrites = async (): Promise<string[]> => [];
const written: string[] = [];
let stopping = false;
// Once stopping, the command's own output ends: its failing write must not add an error line.
const io = {
  out: { write: (s: string) => stopping || process.stdout.write(s) },
  err: {
    write: (s: string) => stopping || process.stderr.write(s),
    isTTY: process.stderr.isTTY,
    get columns() {
      return process.stderr.columns;
    },
  },
};

for (const [signal, code] of Object.entries(EXIT_CODES)) {
  process.on(signal, () => {
    if (stopping) process.exit(code);
    clearProgressLine(io.err);
    stopping = true;
    void undoWrites().then((complete) => {
      const whole = [...new Set([...written, ...complete])];
      process.stderr.write(whole.length ? `interrupted: ${whole.join(' and ')} had been written whole; nothing else was written\n` : 'interrupted: nothing was written\n');
      process.exit(code);
    });
  });
}

const [{ main }, { undoInFlightWrites, watchWrites }] = await Promise.all([import('./main.js'), import('@condense/onnx/node')]);
undoWrites = undoInFlightWrites;
watchWrites((file) => written.push(file));
process.exitCode = await main(process.argv.slice(2), io);
