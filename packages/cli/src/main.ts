import { isCondenseError, type ErrorCode } from '@condense/core';
import type { ParseArgsConfig } from 'node:util';
import { BENCH_HELP, BENCH_OPTIONS, bench } from './commands/bench.js';
import { COMPRESS_HELP, COMPRESS_OPTIONS, compress } from './commands/compress.js';
import { CONVERT_HELP, CONVERT_OPTIONS, convert } from './commands/convert.js';
import { EVAL_HELP, EVAL_OPTIONS, evaluate } from './commands/eval.js';
import { EXPORT_HELP, EXPORT_OPTIONS, exportModel } from './commands/export.js';
import { INSPECT_HELP, INSPECT_OPTIONS, inspect } from './commands/inspect.js';
import type { Streams } from './io.js';
import { clearProgressLine } from './progress.js';

export const VERSION = '0.1.0';

export interface Command {
  run: (args: string[], io: Streams) => Promise<number>;
  help: string;
  summary: string;
  /** The options it parses (its help lists each; --help/-h is added to all). */
  options: NonNullable<ParseArgsConfig['options']>;
}

export const COMMANDS: Record<string, Command> = {
  inspect: { run: inspect, help: INSPECT_HELP, options: INSPECT_OPTIONS, summary: 'show what a model holds: ops, parameters, inputs and outputs' },
  compress: { run: compress, help: COMPRESS_HELP, options: COMPRESS_OPTIONS, summary: 'run a preset or recipe of passes and save the smaller model' },
  bench: { run: bench, help: BENCH_HELP, options: BENCH_OPTIONS, summary: 'measure latency, throughput and memory on a runtime adapter; --compare two models' },
  eval: { run: evaluate, help: EVAL_HELP, options: EVAL_OPTIONS, summary: 'top-1 accuracy of a classifier on IDX images and labels' },
  convert: { run: convert, help: CONVERT_HELP, options: CONVERT_OPTIONS, summary: 'load and save a model (atomic, optional external data)' },
  export: { run: exportModel, help: EXPORT_HELP, options: EXPORT_OPTIONS, summary: 'write a model as TFLite (float32, float16 weights, or full-integer int8)' },
};

/** Exit codes, as `condense --help` and docs/cli.md list them; bin.ts exits 130 or 143 on a signal. */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** Errors the user fixes by changing the command line, not the model: exit code 2. */
const USAGE_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['E_BAD_OPTION', 'E_OUTPUT_EXISTS']);

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `Usage: condense <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "condense <command> --help" for a command's options and examples.
condense --version prints the version.

Examples:
  condense inspect model.onnx --input-shape x=1,3,224,224
  condense compress model.onnx -o int8.onnx --preset int8 --calib images/
  condense eval int8.onnx --compare model.onnx --calib images/
  condense bench int8.onnx --compare model.onnx --input-shape x=1,3,224,224
  condense export model.onnx --to tflite -o model.tflite

Exit codes:
  0    success
  1    error: a bad or unsupported model, unreadable data, a runtime failure
  2    bad usage: an unknown command or option, a bad option value
  130  interrupted (Ctrl-C); 143 on SIGTERM. Nothing partial is left behind:
       unfinished output files are removed

Progress (calibration, evaluation, clustering, benchmarks) goes to stderr: a
bar on a terminal, a few plain lines otherwise, none with --json or --quiet.

Environment:
  CONDENSE_DEBUG=1  print the stack of an unexpected error`;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[], io: Streams): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(`${usage()}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version' || command === '-v') {
    io.out.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    io.err.write(`condense: unknown command "${command}".\n${usage()}\n`);
    return EXIT.usage;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    clearProgressLine(io.err);
    if (isCondenseError(e)) {
      io.err.write(`condense ${command}: ${e.message}\n`);
      return USAGE_ERRORS.has(e.code) ? EXIT.usage : EXIT.error;
    }
    const detail = process.env['CONDENSE_DEBUG'] ? `\n${(e as Error).stack}` : ' (set CONDENSE_DEBUG=1 to see where)';
    io.err.write(`condense ${command}: unexpected error: ${(e as Error).message}${detail}\n`);
    return EXIT.error;
  }
}
