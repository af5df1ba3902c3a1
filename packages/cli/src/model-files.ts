/**
 * The one place the CLI decides a model file's format, for reading and for
 * writing: ONNX, .tflite, or a tfjs model.json with its weight shards beside
 * it. Commands call readModelFile / writeModelFile and stay format-blind.
 */
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError, inferShapes, isCondenseError, type Dim, type Model } from '@condense/core';
import { loadModel, saveModel, writeFilesAtomic } from '@condense/onnx/node';
import { exportTfjs, type ExportTfjsOptions } from '@condense/adapter-tfjs';
import { loadTfjs } from '@condense/adapter-tfjs/node';
import { loadTflite } from './tflite-file.js';


export type ModelFormat = 'onnx' | 'tflite' | 'tfjs';

export interface ReadOptions {
  /** Pins input shapes (in the model's own layout: NHWC for tfjs and .tflite) and infers shapes through the graph. */
  inputShapes?: Record<string, Dim[]> | undefined;
  /** Layout of a .tflite file's inputs and outputs (see tflite-file.ts). */
  layout?: 'nhwc' | 'nchw' | undefined;
}

export interface WriteOptions {
  /** ONNX only: weights in a data file beside the model. */
  externalData?: boolean | undefined;
  /** tfjs only: how the exporter stores weights and lays out inputs. */
  tfjs?: ExportTfjsOptions;
  /** The model the output was made from: a write that would replace one of its files (other than -o itself) is refused. */
  input?: string;
}

/** What writeModelFile wrote: the model file, an ONNX external data file or tfjs weight shard, every file, and their bytes. */
export interface WrittenModel {
  model: string;
  externalData?: string | undefined;
  files: string[];
  bytes: number;
}

const isTfjsFolder = async (dir: string) => (await stat(path.join(dir, 'model.json')).catch(() => undefined))?.isFile() ?? false;

/** The format of a model on disk: a folder holding model.json is tfjs; then the extension; then the first bytes (".tflite" files carry "TFL3", model.json starts with "{"). */
export async function modelFormat(file: string): Promise<ModelFormat> {
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) return (await isTfjsFolder(file)) ? 'tfjs' : 'onnx';
  if (/\.tflite$/i.test(file)) return 'tflite';
  if (/\.json$/i.test(file)) return 'tfjs';
  if (/\.onnx$/i.test(file) || !info?.isFile()) return 'onnx';
  const head = new Uint8Array(16);
  const handle = await open(file, 'r');
  try {
    await handle.read(head, 0, head.byteLength, 0);
  } finally {
    await handle.close();
  }
  if (new TextDecoder().decode(head.subarray(4, 8)) === 'TFL3') return 'tflite';
  return /^\s*\{/.test(new TextDecoder().decode(head)) ? 'tfjs' : 'onnx';
}

/** An error from a tfjs import that does not name the file yet, named. */
function withFile(e: unknown, file: string): unknown {
  if (!isCondenseError(e) || e.message.includes(file)) return e;
  return new CondenseError(e.code, `${file}: ${e.message}`, { cause: e, context: { ...e.context, file } });
}

/** Reads a model in any format the CLI knows into the IR. */
export async function readModelFile(file: string, opts: ReadOptions = {}): Promise<Model> {
  const format = await modelFormat(file);
  if (format === 'onnx') return loadModel(file, { ...(opts.inputShapes ? { inputShapes: opts.inputShapes } : {}) });
  if (format === 'tflite') {
    const model = await loadTflite(file, opts.layout);
    if (opts.inputShapes) inferShapes(model.graph, { inputShapes: opts.inputShapes });
    return model;
  }
  try {
    // The importer pins tfjs's own (NHWC) dimensions and infers shapes from there.
    return await loadTfjs(file, { ...(opts.inputShapes ? { inputShapes: opts.inputShapes } : {}) });
  } catch (e) {
    throw withFile(e, file);
  }
}

/** The model.json of a tfjs model given as a folder or as the file itself. */
async function tfjsJsonPath(file: string): Promise<string> {
  return (await stat(file).catch(() => undefined))?.isDirectory() ? path.join(file, 'model.json') : file;
}

/**
 * Every file a model on disk is made of: a tfjs model's model.json and the
 * shards its manifest names; an ONNX or .tflite model's one file. For sizes
 * and for refusing writes over an input. Call after the model has been read.
 */
export async function modelFiles(file: string): Promise<string[]> {
  if ((await modelFormat(file)) !== 'tfjs') return [file];
  const json = await tfjsJsonPath(file);
  const manifest = (JSON.parse(await readFile(json, 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> }).weightsManifest ?? [];
  return [json, ...new Set(manifest.flatMap((g) => g.paths.map((p) => path.join(path.dirname(json), p))))];
}

/** Bytes of every file of a model on disk. */
export async function modelBytes(file: string): Promise<number> {
  const sizes = await Promise.all((await modelFiles(file)).map(async (f) => (await stat(f)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Where a write goes by its name: *.json is a tfjs GraphModel, anything else ONNX (.tflite is `condense export`'s). */
export function outputFormat(file: string): ModelFormat {
  if (/\.json$/i.test(file)) return 'tfjs';
  if (/\.tflite$/i.test(file)) return 'tflite';
  return 'onnx';
}

/** The shard beside out.json: out.bin (a file name tfjs loads and that never collides with another model.json's shard). */
function shardName(file: string): string {
  return `${path.basename(file).replace(/\.json$/i, '').replace(/[^\w.-]/g, '_') || 'model'}.bin`;
}

/** Refuses to write `target` when it is one of the input model's files, other than -o itself (checkOutputPath handled that). */
async function refuseInputClash(target: string, output: string, input: string | undefined): Promise<void> {
  if (!input) return;
  const same = (a: string, b: string) => path.resolve(a) === path.resolve(b);
  if (same(output, input)) return;
  if ((await modelFiles(input)).some((f) => same(f, target))) {
    throw new CondenseError('E_OUTPUT_EXISTS', `Writing ${target} would replace a weight file of the input model ${input}; choose another -o.`, { context: { file: target } });
  }
}

/**
 * Writes a model in the format its name asks for, atomically: ONNX (with
 * external data on request), or a tfjs GraphModel (out.json and out.bin,
 * both renamed into place only once both are written).
 */
export async function writeModelFile(model: Model, file: string, opts: WriteOptions = {}): Promise<WrittenModel> {
  const format = outputFormat(file);
  if (format === 'tflite') throw new CondenseError('E_BAD_OPTION', `${file} names a .tflite file; write TFLite with condense export <model> --to tflite -o ${file}.`);
  if (format === 'onnx') {
    const saved = await saveModel(model, file, { externalData: opts.externalData });
    return { ...saved, files: [saved.model, ...(saved.externalData ? [saved.externalData] : [])] };
  }
  if (opts.externalData) throw new CondenseError('E_BAD_OPTION', `--external-data is for ONNX outputs; ${file} is a tfjs model.json, whose weights always go in a shard beside it.`);
  const [json, shard] = exportTfjs(model, { weightsFile: shardName(file), ...opts.tfjs });
  const shardFile = path.join(path.dirname(file), shard!.name);
  await refuseInputClash(shardFile, file, opts.input);
  // The shard first: model.json appears only once what it names is in place.
  await writeFilesAtomic([{ file: shardFile, chunks: [shard!.bytes] }, { file, chunks: [json!.bytes] }]);
  return { model: file, externalData: shardFile, files: [file, shardFile], bytes: json!.bytes.byteLength + shard!.bytes.byteLength };
}
