import type { Graph } from '@condense/core';

/** File names of the artifacts, shared by the exporter, the build script and the docs. */
export const ARTIFACTS = {
  model: 'model.onnx',
  qdq: 'model.qdq.onnx',
  cache: 'calibration.cache',
  script: 'build-engine.sh',
} as const;

interface Workflow {
  name: string;
  what: string;
  engine: string;
  flags: string[];
}

/** One word for the shell, whatever it holds. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * trtexec's --shapes for inputs with symbolic dimensions (trtexec needs a
 * shape for each dynamic input): a symbolic batch becomes 1. Inputs with other
 * symbolic dimensions are left to the caller's own --shapes.
 */
export function trtexecShapes(graph: Graph): string | undefined {
  const entries: string[] = [];
  for (const v of graph.inputs) {
    const shape = v.type?.shape;
    if (v.const || !shape || shape.every((d) => typeof d === 'number')) continue;
    if (shape.slice(1).some((d) => typeof d !== 'number')) continue;
    entries.push(`${v.name}:${[1, ...shape.slice(1)].join('x')}`);
  }
  return entries.length ? `--shapes=${entries.join(',')}` : undefined;
}

/**
 * build-engine.sh: the trtexec command line of each workflow the export made
 * files for. float16 builds model.onnx with --fp16; explicit int8 builds
 * model.qdq.onnx, whose Q/DQ pairs say where int8 runs; implicit int8 builds
 * model.onnx with the scales of calibration.cache, letting TensorRT choose.
 */
export function buildEngineScript(options: { int8: boolean; shapes: string | undefined }): string {
  const workflows: Workflow[] = [{ name: 'fp16', what: `${ARTIFACTS.model} in half precision`, engine: 'model.fp16.engine', flags: [`--onnx=${ARTIFACTS.model}`, '--fp16'] }];
  if (options.int8) {
    workflows.push(
      { name: 'int8-explicit', what: `${ARTIFACTS.qdq}: int8 exactly where its Q/DQ pairs are`, engine: 'model.int8-qdq.engine', flags: [`--onnx=${ARTIFACTS.qdq}`, '--int8'] },
      { name: 'int8-implicit', what: `${ARTIFACTS.model} with the scales in ${ARTIFACTS.cache}`, engine: 'model.int8-calib.engine', flags: [`--onnx=${ARTIFACTS.model}`, '--int8', `--calib=${ARTIFACTS.cache}`] },
    );
  }
  const names = workflows.map((w) => w.name).join('|');
  const command = (w: Workflow) => ['"$TRTEXEC"', ...[...w.flags, `--saveEngine=${w.engine}`, ...(options.shapes ? [options.shapes] : [])].map(shellWord), '"$@"'].join(' ');
  return [
    '#!/bin/sh',
    '# Builds TensorRT engines from the files beside this script (written by condense\'s TensorRT export).',
    `#   sh ${ARTIFACTS.script} [${names}|all] [more trtexec options, e.g. --fp16 for layers left in float]`,
    ...workflows.map((w) => `#   ${w.name.padEnd(14)} ${w.what} -> ${w.engine}`),
    '# An engine runs only on the GPU model and TensorRT version that built it. TRTEXEC picks the binary.',
    'set -eu',
    'cd "$(dirname "$0")"',
    'TRTEXEC="${TRTEXEC:-trtexec}"',
    'workflow="${1:-all}"',
    'if [ "$#" -gt 0 ]; then shift; fi',
    '',
    ...workflows.flatMap((w) => [`${w.name.replaceAll('-', '_')}() {`, `  ${command(w)}`, '}']),
    '',
    'case "$workflow" in',
    ...workflows.map((w) => `  ${w.name}) ${w.name.replaceAll('-', '_')} "$@" ;;`),
    `  all) ${workflows.map((w) => `${w.name.replaceAll('-', '_')} "$@"`).join('; ')} ;;`,
    `  *) echo "usage: sh ${ARTIFACTS.script} [${names}|all] [trtexec options...]" >&2; exit 2 ;;`,
    'esac',
    '',
  ].join('\n');
}
