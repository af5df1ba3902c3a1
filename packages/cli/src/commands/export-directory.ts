import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError, compress as runPipeline, createRegistry, type Diagnostic, type Dim, type Graph, type Model, type Runtime, type SampleSource } from '@condense/core';
import { tfjsExporter, type ExportTfjsOptions } from '@condense/adapter-tfjs';
import { openvinoExporter } from '@condense/export-openvino';
import { tensorrtExporter } from '@condense/export-tensorrt';
import { writeFilesAtomic } from '@condense/onnx/node';
import { formatBytes, type Streams } from '../io.js';

/** What the export command has read from its flags, for the formats that write a folder. */
export interface DirectoryExport {
  /** The model's files (a tfjs model.json and its shards), which no artifact may replace. */
  inputFiles: string[];
  model: Model;
  inputShapes: Record<string, Dim[]> | undefined;
  fp16: boolean;
  /** With --int8 --calib: the runtime and calibration batches. */
  calibration?: { runtime: Runtime; samples: SampleSource };
  /** --to tfjs: weight encoding and layout. */
  tfjs?: Pick<ExportTfjsOptions, 'weights' | 'layout'>;
}

/** Formats whose export is several files, written into the folder -o names. */
export const DIRECTORY_TARGETS = ['openvino', 'tensorrt', 'tfjs'] as const;
export type DirectoryTarget = (typeof DIRECTORY_TARGETS)[number];

const NAMES: Record<DirectoryTarget, string> = { openvino: 'OpenVINO IR', tensorrt: 'TensorRT', tfjs: 'a tfjs GraphModel' };

type Artifact = { name: string; bytes: Uint8Array };
interface Exporter<O> {
  check(graph: Graph, options: O): Diagnostic[];
  export(graph: Graph, options: O): Promise<Artifact[]>;
}

/** Every error-level problem in one message, nothing written. Warnings and notes are printed and the export goes on. */
function refuse(target: DirectoryTarget, problems: readonly Diagnostic[], io: Streams): void {
  const errors = problems.filter((p) => p.severity === 'error');
  for (const p of problems) if (p.severity !== 'error') io.err.write(`${p.severity}: ${p.message}\n`);
  if (!errors.length) return;
  const list = errors.map((p) => `  - ${p.message}`).join('\n');
  throw new CondenseError('E_UNSUPPORTED_OP', `Cannot export to ${NAMES[target]}; nothing was written. ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${list}`);
}

/** A folder to write into: created when missing, refused when it is a file. */
async function outputFolder(dir: string, target: DirectoryTarget): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new CondenseError('E_BAD_OPTION', `${dir} is a file; --to ${target} writes several files into a folder: give -o a folder.`);
  await mkdir(dir, { recursive: true });
}

/**
 * The int8 preset first when calibration data is given (its calibrated QDQ
 * pairs become OpenVINO's FakeQuantize, or tfjs's simulated quantization),
 * checked before and after so nothing is calibrated for a model that cannot
 * be exported.
 */
async function calibratedExport<O>(target: DirectoryTarget, exporter: Exporter<O>, job: DirectoryExport, options: O, io: Streams): Promise<Artifact[]> {
  refuse(target, exporter.check(job.model.graph, options), io);
  if (job.calibration) {
    await runPipeline(job.model, { preset: 'int8' }, { registry: createRegistry(), inputShapes: job.inputShapes, ...job.calibration });
    refuse(target, exporter.check(job.model.graph, options), io);
  }
  return exporter.export(job.model.graph, options);
}

/** The artifacts for one target. */
async function artifactsFor(target: DirectoryTarget, job: DirectoryExport, io: Streams): Promise<Artifact[]> {
  const { inputShapes, fp16, calibration } = job;
  const shapes = inputShapes ? { inputShapes } : {};
  switch (target) {
    case 'openvino':
      return calibratedExport(target, openvinoExporter, job, { precision: fp16 ? ('f16' as const) : ('f32' as const), ...shapes }, io);
    case 'tfjs':
      return calibratedExport<ExportTfjsOptions>(target, tfjsExporter, job, { ...job.tfjs, ...(fp16 ? { weights: 'float16' } : {}), ...shapes }, io);
    case 'tensorrt': {
      // TensorRT calibrates itself: the exporter takes the data and writes the QDQ model and calibration cache.
      const options = { precision: fp16 ? ('float16' as const) : ('float32' as const), ...shapes, ...calibration };
      refuse(target, tensorrtExporter.check(job.model.graph, options), io);
      return tensorrtExporter.export(job.model.graph, options);
    }
  }
}

/**
 * Exports into the folder -o names. Every file is written to a temporary
 * name first and renamed into place only when all are written, the first
 * artifact (model.xml, model.json, model.onnx: what names the others) last.
 */
export async function exportToDirectory(target: DirectoryTarget, dir: string, job: DirectoryExport, io: Streams): Promise<number> {
  const artifacts = await artifactsFor(target, job, io);
  const clash = artifacts.find((a) => job.inputFiles.some((f) => path.resolve(dir, a.name) === path.resolve(f)));
  if (clash) throw new CondenseError('E_BAD_OPTION', `Writing ${clash.name} into ${dir} would replace ${job.inputFiles.length > 1 ? 'a file of ' : ''}the input model; choose another folder.`);
  await outputFolder(dir, target);
  // The set lands together, the first artifact (what names the others) last.
  await writeFilesAtomic([...artifacts].reverse().map((a) => ({ file: path.join(dir, a.name), chunks: [a.bytes] })));
  for (const a of artifacts) io.out.write(`wrote ${path.join(dir, a.name)} (${formatBytes(a.bytes.byteLength)})\n`);
  return 0;
}
