import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError, inferShapes, type Dim, type Model } from '@condense/core';
import { decodeModel } from '../read/model.js';
import { PROTOBUF_LIMIT, encodeModel, type ExternalDataOptions } from '../write/encode.js';
import { writeFilesAtomic } from './atomic.js';
import { externalDataIn } from './external-data.js';
import { escapeError, resolveInside } from './paths.js';

export interface LoadOptions {
  /** Pins input shapes and runs shape inference after loading. */
  inputShapes?: Record<string, Dim[]>;
}

/** Checks that `file` is a readable regular file, with one clear error if not. */
export async function statModelFile(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CondenseError('E_FILE_NOT_FOUND', `${file} does not exist. Check the path.`, { cause: e, context: { file } });
    throw new CondenseError('E_IO', `Cannot read ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
  }
  if (!info.isFile()) throw new CondenseError('E_NOT_A_FILE', `${file} is not a file${info.isDirectory() ? ' but a folder' : ''}. Give the path of an .onnx model.`, { context: { file } });
  return info.size;
}

/**
 * Loads an .onnx file. Weights are views into the file's bytes (no copy);
 * external data is checked now (location inside the model's folder, range
 * within the file) and read when a tensor is first used.
 */
export async function loadModel(file: string, opts: LoadOptions = {}): Promise<Model> {
  const size = await statModelFile(file);
  if (size > PROTOBUF_LIMIT) {
    throw new CondenseError('E_MODEL_TOO_LARGE', `${file} is ${size} bytes, larger than any valid ONNX protobuf (2 GiB). Large models keep their weights in external data files.`, { context: { file } });
  }
  const bytes = await readFile(file);
  const model = decodeModel(bytes, { fileName: file, externalData: externalDataIn(path.dirname(file), file) });
  if (opts.inputShapes) inferShapes(model.graph, { inputShapes: opts.inputShapes });
  return model;
}

/**
 * Writes stay beside the model: the data file is a plain file name (no folder,
 * either slash), not the model itself, and not a link out of the folder.
 */
function checkDataLocation(file: string, location: string): void {
  const what = 'The external data location';
  resolveInside(path.dirname(file), location, what);
  if (/[\\/]/.test(location)) throw escapeError(what, location, 'which is not a plain file name beside the model');
  if (location === path.basename(file)) {
    throw new CondenseError('E_BAD_OPTION', `${what} ${JSON.stringify(location)} is the model file itself; choose another name (the default is "${path.basename(file)}.data").`);
  }
}

export interface SaveOptions {
  /**
   * Keep weights in a data file beside the model: true for "<model file>.data",
   * or a location and size threshold. Models over 2 GiB always use one.
   */
  externalData?: boolean | ExternalDataOptions;
}

/** What saveModel wrote. */
export interface SavedFiles {
  model: string;
  externalData?: string;
  bytes: number;
}

/**
 * Saves a model atomically (temporary files renamed into place only when all
 * are written). Weights are written straight from their original buffers.
 */
export async function saveModel(model: Model, file: string, opts: SaveOptions = {}): Promise<SavedFiles> {
  const folder = path.dirname(file);
  const defaultLocation = `${path.basename(file)}.data`;
  let external = opts.externalData === true ? { location: defaultLocation } : opts.externalData || undefined;
  if (!external) {
    const weightBytes = model.graph.constants().reduce((n, v) => n + v.const!.byteLength, 0);
    if (weightBytes > PROTOBUF_LIMIT - 64 * 1024 * 1024) external = { location: defaultLocation };
  }
  if (external) checkDataLocation(file, external.location);
  const encoded = encodeModel(model, { externalData: external });
  const dataFile = encoded.external && path.join(folder, encoded.external.location);
  // The data file is renamed into place before the model, so no model ever names missing data.
  await writeFilesAtomic([...(dataFile ? [{ file: dataFile, chunks: encoded.external!.chunks }] : []), { file, chunks: encoded.chunks }]);
  return {
    model: file,
    externalData: encoded.external && path.join(folder, encoded.external.location),
    bytes: encoded.byteLength + (encoded.external?.byteLength ?? 0),
  };
}
