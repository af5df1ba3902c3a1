import { isCondenseError } from '@condense/core';
import { BENCH_HELP, bench } from './commands/bench.js';
import { COMPRESS_HELP, compress } from './commands/compress.js';
import { CONVERT_HELP, convert } from './commands/convert.js';
import { EVAL_HELP, evaluate } from './commands/eval.js';
import { EXPORT_HELP, exportModel } from './commands/export.js';
import { INSPECT_HELP, inspect } from './commands/inspect.js';
import type { Streams } from './io.js';

export const VERSION = '0.1.0';

const COMMANDS: Record<string, { run: (args: string[], io: Streams) => Promise<number>; help: string; summary: string }> = {
  inspect: { run: inspect, help: INSPECT_HELP, summary: 'show what a model holds: ops, parameters, inputs and outputs' },
  compress: { run: compress, help: COMPRESS_HELP, summary: 'run a preset or recipe of passes and save the smaller model' },
  bench: { run: bench, help: BENCH_HELP, summary: 'measure latency, throughput and memory on a runtime adapter; --compare two models' },
  eval: { run: evaluate, help: EVAL_HELP, summary: 'top-1 accuracy of a classifier on IDX images and labels' },
  convert: { run: convert, help: CONVERT_HELP, summary: 'load and save a model (atomic, optional external data)' },
  export: { run: exportModel, help: EXPORT_HELP, summary: 'write a model as TFLite (float32, float16 weights, or full-integer int8)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: condense <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "condense <command> --help" for a command\'s options.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[], io: Streams): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(`${usage()}\n`);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    io.out.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    io.err.write(`condense: unknown command "${command}".\n${usage()}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (isCondenseError(e)) {
      io.err.write(`condense ${command}: ${e.message}\n`);
      return e.code === 'E_BAD_OPTION' ? 2 : 1;
    }
    const detail = process.env['CONDENSE_DEBUG'] ? `\n${(e as Error).stack}` : ' (set CONDENSE_DEBUG=1 to see where)';
    io.err.write(`condense ${command}: unexpected error: ${(e as Error).message}${detail}\n`);
    return 1;
  }
}
