import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError, compress as runPipeline, createRegistry, type Diagnostic, type Dim, type Model, type Runtime, type SampleSource } from '@condense/core';
import { openvinoExporter } from '@condense/export-openvino';
import { tensorrtExporter } from '@condense/export-tensorrt';
import { writeFileAtomic } from '@condense/onnx/node';
import { formatBytes, type Streams } from '../io.js';

/** What the export command has read from its flags, for the formats that write a folder. */
export interface DirectoryExport {
  /** The model file, which no artifact may replace. */
  input: string;
  model: Model;
  inputShapes: Record<string, Dim[]> | undefined;
  fp16: boolean;
  /** With --int8 --calib: the runtime and calibration batches. */
  calibration?: { runtime: Runtime; samples: SampleSource };
}

/** Formats whose export is several files, written into the folder -o names. */
export const DIRECTORY_TARGETS = ['openvino', 'tensorrt'] as const;
export type DirectoryTarget = (typeof DIRECTORY_TARGETS)[number];

const NAMES: Record<DirectoryTarget, string> = { openvino: 'OpenVINO IR', tensorrt: 'TensorRT' };

/** Every error-level problem in one message, nothing written. Warnings and notes are printed and the export goes on. */
function refuse(target: DirectoryTarget, problems: readonly Diagnostic[], io: Streams): void {
  const errors = problems.filter((p) => p.severity === 'error');
  for (const p of problems) if (p.severity !== 'error') io.err.write(`${p.severity}: ${p.message}\n`);
  if (!errors.length) return;
  const list = errors.map((p) => `  - ${p.message}`).join('\n');
  throw new CondenseError('E_UNSUPPORTED_OP', `Cannot export to ${NAMES[target]}; nothing was written. ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${list}`);
}

/** A folder to write into: created when missing, refused when it is a file. */
async function outputFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new CondenseError('E_BAD_OPTION', `${dir} is a file; --to openvino and --to tensorrt write several files into a folder: give -o a folder.`);
  await mkdir(dir, { recursive: true });
}

/**
 * OpenVINO: --int8 runs the int8 preset first, so the calibrated QDQ pairs
 * become FakeQuantize; --fp16 stores f16 weights. TensorRT: --int8 gives the
 * calibration data to the exporter, which writes model.qdq.onnx and
 * calibration.cache beside the float model; --fp16 makes model.onnx float16.
 */
export async function exportToDirectory(target: DirectoryTarget, dir: string, job: DirectoryExport, io: Streams): Promise<number> {
  const { input, model, inputShapes, fp16, calibration } = job;
  let artifacts: Array<{ name: string; bytes: Uint8Array }>;
  if (target === 'openvino') {
    const options = { precision: fp16 ? ('f16' as const) : ('f32' as const), ...(inputShapes ? { inputShapes } : {}) };
    refuse(target, openvinoExporter.check(model.graph, options), io);
    if (calibration) {
      await runPipeline(model, { preset: 'int8' }, { registry: createRegistry(), inputShapes, ...calibration });
      refuse(target, openvinoExporter.check(model.graph, options), io);
    }
    artifacts = await openvinoExporter.export(model.graph, options);
  } else {
    const options = { precision: fp16 ? ('float16' as const) : ('float32' as const), ...(inputShapes ? { inputShapes } : {}), ...calibration };
    refuse(target, tensorrtExporter.check(model.graph, options), io);
    artifacts = await tensorrtExporter.export(model.graph, options);
  }
  const clash = artifacts.find((a) => path.resolve(dir, a.name) === path.resolve(input));
  if (clash) throw new CondenseError('E_BAD_OPTION', `Writing ${clash.name} into ${dir} would replace the input model; choose another folder.`);
  await outputFolder(dir);
  for (const a of artifacts) {
    const file = path.join(dir, a.name);
    await writeFileAtomic(file, [a.bytes]);
    io.out.write(`wrote ${file} (${formatBytes(a.bytes.byteLength)})\n`);
  }
  return 0;
}
