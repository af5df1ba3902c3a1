import { open, readFile, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CondenseError,
  Tensor,
  byteLengthOf,
  checkNpyLength,
  elementCount,
  idxSamples,
  imageSamples,
  inputBatchSize,
  npyDataOffset,
  npyFeeder,
  parseIdx,
  parseNpy,
  parseNpyHeader,
  type Graph,
  type ModelInput,
  type PreprocessSpec,
  type SampleSource,
} from '@condense/core';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const NPY_FILE = /\.npy$/i;

function unreadable(file: string, e: unknown): CondenseError {
  const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
  return new CondenseError('E_FILE_NOT_FOUND', missing ? `${file} does not exist. Check the path.` : `Cannot read ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
}

/** Reads an IDX file, gzipped or not (MNIST ships .gz). */
export async function readIdxFile(file: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new CondenseError('E_BAD_OPTION', `${file} looks gzipped but does not decompress: ${(e as Error).message}`, { cause: e, context: { file } });
    }
  }
  return parseIdx(bytes, file);
}

/**
 * Calibration samples for the graph's first input, from whatever `file` is: a
 * folder of PNG/JPEG images (preprocessed by `spec`), a folder of .npy files
 * (one batch each), one .npy file (split into batches) or an IDX file. Batches
 * are read lazily, so memory does not grow with the number of samples; what
 * the data is and whether the spec fits the input are checked here, before any
 * pass runs.
 */
export async function calibrationSamples(file: string, graph: Graph, batchSize = 32, spec: PreprocessSpec = {}): Promise<SampleSource> {
  const input = graph.inputs.find((v) => !v.const);
  const info = await stat(file).catch((e: unknown) => Promise.reject(unreadable(file, e)));
  if (!input) throw new CondenseError('E_BAD_OPTION', 'The model has no input to feed calibration data to.');
  if (info.isDirectory()) return folderSamples(file, input, batchSize, spec);
  const prefix = await withFile(file, (h) => readAt(h, file, 0, Math.min(12, info.size)));
  // .npy starts with \x93NUMPY; IDX with 00 00, gzipped IDX with 1f 8b.
  if (prefix[0] === 0x93) return npyFileSamples(file, info.size, prefix, input, batchSize, spec);
  const images = await readIdxFile(file);
  if (Object.keys(spec).length) {
    throw new CondenseError('E_BAD_OPTION', `${file} is IDX data, fed as its pixels scaled to [0, 1]; the preprocessing options (--size, --scale, --mean, ...) apply to image folders and .npy data.`);
  }
  return idxSamples(images, input.name, batchSize, input.type?.shape?.length ?? 4);
}

/** A folder's images (sorted by name) or its .npy files; other files are ignored, subfolders are not searched. */
async function folderSamples(dir: string, input: ModelInput, batchSize: number, spec: PreprocessSpec): Promise<SampleSource> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => e.name).sort();
  const images = names.filter((n) => IMAGE_FILE.test(n)).map((n) => path.join(dir, n));
  const arrays = names.filter((n) => NPY_FILE.test(n)).map((n) => path.join(dir, n));
  if (images.length && arrays.length) throw new CondenseError('E_BAD_OPTION', `${dir} holds both images and .npy files; put calibration data of one kind in a folder.`, { context: { file: dir } });
  if (images.length) {
    return imageSamples(images.map((name) => ({ name, read: () => readFile(name).catch((e: unknown) => Promise.reject(unreadable(name, e))) })), input, spec, batchSize);
  }
  if (!arrays.length) throw new CondenseError('E_BAD_OPTION', `${dir} holds no .png, .jpg or .npy files to calibrate with.`, { context: { file: dir } });
  const feed = npyFeeder(input, spec);
  return {
    async *[Symbol.asyncIterator]() {
      for (const file of arrays) yield { [input.name]: feed(parseNpy(await readFile(file), file), file) };
    },
  };
}

/** One .npy file whose first dimension is samples, read a batch at a time from disk. */
async function npyFileSamples(file: string, size: number, prefix: Uint8Array, input: ModelInput, batchSize: number, spec: PreprocessSpec): Promise<SampleSource> {
  const feed = npyFeeder(input, spec);
  const header = parseNpyHeader(await withFile(file, (h) => readAt(h, file, 0, npyDataOffset(prefix, file))), file);
  checkNpyLength(header, size, file);
  const [samples = 0, ...sample] = header.shape;
  const sampleBytes = byteLengthOf(header.dtype, elementCount(sample));
  const batch = inputBatchSize(input, batchSize);
  return {
    async *[Symbol.asyncIterator]() {
      const handle = await open(file).catch((e: unknown) => Promise.reject(unreadable(file, e)));
      try {
        for (let start = 0; start < samples; start += batch.size) {
          const count = Math.min(batch.size, samples - start);
          if (batch.fixed && count < batch.size) return;
          const bytes = await readAt(handle, file, header.dataOffset + start * sampleBytes, count * sampleBytes);
          yield { [input.name]: feed(Tensor.fromBytes(header.dtype, [count, ...sample], bytes), file) };
        }
      } finally {
        await handle.close();
      }
    },
  };
}

async function withFile<T>(file: string, use: (h: FileHandle) => Promise<T>): Promise<T> {
  const handle = await open(file).catch((e: unknown) => Promise.reject(unreadable(file, e)));
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

/** `length` bytes at `position`; a short read means the file was cut short or changed since it was checked. */
async function readAt(handle: FileHandle, file: string, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, position);
  if (bytesRead < length) throw new CondenseError('E_BAD_OPTION', `${file} is cut short: ${length} bytes expected at offset ${position}, ${bytesRead} found.`, { context: { file } });
  return bytes;
}
