// Writes a ResNet-50-sized ONNX model (about 100 MB of float32 weights).
// Usage: node tools/make-resnet50.mjs <out.onnx>
import { saveModel } from '@condense/onnx/node';
import { resnet50 } from './lib/models.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node tools/make-resnet50.mjs <out.onnx>');
  process.exit(2);
}
const saved = await saveModel(resnet50(), out);
console.log(`wrote ${saved.model} (${(saved.bytes / 2 ** 20).toFixed(1)} MiB)`);
