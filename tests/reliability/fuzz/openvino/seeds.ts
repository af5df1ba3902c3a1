/**
 * OpenVINO IR seeds: the fixture CNNs as condense's exporter writes them
 * (f32, f16 weights, int8 weights decompressed through Convert, Subtract and
 * Multiply, and static int8 with FakeQuantize), model.xml with its model.bin.
 */
import { compress, createRegistry } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { exportOpenvino, type ExportOpenvinoOptions } from '@condense/export-openvino';
import type { FuzzSeed } from '../target.js';
import { fixture, noiseImages } from '../tflite/seeds.js';

export const XML_FILE = 'model.xml';
export const BIN_FILE = 'model.bin';

const utf8 = new TextEncoder();

export async function openvinoSeeds(): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = [];
  for (const name of ['tiny-cnn', 'fashion-cnn']) {
    const w = name === 'tiny-cnn' ? 2 : 0.5;
    const variants: Array<[string, number, string | undefined, ExportOpenvinoOptions]> = [
      ['f32', w, undefined, {}],
      ['f16', w / 2, undefined, { precision: 'f16' }],
      ['int8 weights', w / 2, 'int8-weights', {}],
      ['int4 weights', w / 2, 'int4-weights', {}],
      ['int8', w, 'int8', {}],
    ];
    for (const [variant, weight, preset, options] of variants) {
      const model = fixture(name);
      if (preset) await compress(model, { preset, options: preset === 'int8' ? { 'quantize-static': { maxSamples: 8, layerReport: 0, biasCorrectionSamples: 4 } } : {} }, { registry: createRegistry(), runtime: cpuRuntime({ threads: 1 }), samples: noiseImages(4) });
      const ir = exportOpenvino(model, { ...options, inputShapes: { image: [1, 1, 28, 28] } });
      seeds.push({ name: `${name} ${variant}`, weight, input: { main: XML_FILE, files: new Map([[XML_FILE, utf8.encode(ir.xml)], [BIN_FILE, ir.bin]]) } });
    }
  }
  return seeds;
}
