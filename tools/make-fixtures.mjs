// Regenerates the small models committed under tools/fixtures/.
// Usage: node tools/make-fixtures.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveModel } from '@condense/onnx/node';
import { tinyCnn } from './lib/models.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, 'fixtures', 'tiny-cnn.onnx');
const saved = await saveModel(tinyCnn(), file);
console.log(`wrote ${saved.model} (${saved.bytes} bytes)`);
