/**
 * A model big enough that loading, calibrating and saving it take a while
 * (for the interrupt and progress tests): a stride-2 stem and residual 3x3
 * convolutions on 8x8 maps. The default, 384 channels and 6 blocks, holds
 * 32 MB of float32 weights; calibration data is deterministic noise.
 */
import { writeFileSync } from 'node:fs';
import { saveModel } from '@condense/onnx/node';
// @ts-expect-error: the fixture builder is plain JavaScript without types.
import { CnnBuilder } from '../../../tools/lib/cnn-builder.mjs';

export async function writeWideModel(file: string, width = 384, blocks = 6): Promise<void> {
  const b = new CnnBuilder({ name: 'wide', seed: 3 });
  let x = b.input('image', ['N', 3, 16, 16]);
  x = b.op('Relu', [b.conv(x, 'stem', 3, width, 3, { stride: 2 })]);
  for (let i = 0; i < blocks; i++) x = b.op('Relu', [b.op('Add', [b.conv(x, `block${i}`, width, width, 3), x])]);
  x = b.op('Flatten', [b.op('GlobalAveragePool', [x])]);
  await saveModel(b.finish([b.gemm(x, 'fc', width, 10)]), file);
}

/** `samples` inputs of [3, 16, 16] in [0, 1) as a float32 .npy file. */
export function writeCalibrationNpy(file: string, samples: number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${samples}, 3, 16, 16), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const data = Float32Array.from({ length: samples * 768 }, (_, i) => ((i * 7919) % 1000) / 1000);
  writeFileSync(file, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from(new Uint16Array([header.length]).buffer), Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}
