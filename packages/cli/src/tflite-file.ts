import { readFile } from 'node:fs/promises';
import { CondenseError, isCondenseError, type Model } from '@condense/core';
import { readTflite } from '@condense/export-tflite';
import { statModelFile } from '@condense/onnx/node';

export const isTfliteFile = (file: string): boolean => /\.tflite$/i.test(file);

/**
 * Reads a .tflite file into condense's IR (ONNX ops, NCHW maps, int8 tensors
 * as QDQ). layout 'nchw' reads a file exported with NCHW inputs and outputs.
 */
export async function loadTflite(file: string, layout: 'nhwc' | 'nchw' = 'nhwc'): Promise<Model> {
  await statModelFile(file);
  const bytes = await readFile(file);
  try {
    return readTflite(bytes, { layout });
  } catch (e) {
    if (!isCondenseError(e)) throw e;
    throw new CondenseError(e.code, `${file}: ${e.message}`, { cause: e, context: { ...e.context, file } });
  }
}
