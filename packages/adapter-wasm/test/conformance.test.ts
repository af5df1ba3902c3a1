import { runtimeConformance } from '@condense/core/testing';
import { describe, it } from 'vitest';
import { wasmRuntime } from '../src/index.js';

describe('adapter-wasm conformance (onnxruntime-web in Node)', () => {
  for (const check of runtimeConformance(() => wasmRuntime())) it(check.name, check.run, 30_000);
});
