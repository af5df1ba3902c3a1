import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { CondenseError, idxSamples, parseIdx, type Graph, type SampleSource, type Tensor } from '@condense/core';

/** Reads an IDX file, gzipped or not (MNIST ships .gz). */
export async function readIdxFile(file: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CondenseError('E_FILE_NOT_FOUND', missing ? `${file} does not exist. Check the path.` : `Cannot read ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
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
 * Calibration samples from a data file, as batches for the graph's first input.
 * IDX images for now; batches are produced lazily, so memory does not grow with
 * the number of samples.
 */
export async function calibrationSamples(file: string, graph: Graph, batchSize = 32): Promise<SampleSource> {
  const images = await readIdxFile(file);
  const input = graph.inputs.find((v) => !v.const);
  if (!input) throw new CondenseError('E_BAD_OPTION', 'The model has no input to feed calibration data to.');
  return idxSamples(images, input.name, batchSize, input.type?.shape?.length ?? 4);
}
