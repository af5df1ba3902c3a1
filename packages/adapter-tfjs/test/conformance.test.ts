import { runtimeConformance } from '@condense/core/testing';
import { describe, it } from 'vitest';
import { tfjsRuntime } from '../src/index.js';

describe('adapter-tfjs conformance, cpu backend', () => {
  for (const check of runtimeConformance(() => tfjsRuntime({ backend: 'cpu' }))) it(check.name, check.run, 30_000);
});

describe('adapter-tfjs conformance, wasm backend', () => {
  for (const check of runtimeConformance(() => tfjsRuntime({ backend: 'wasm' }))) it(check.name, check.run, 30_000);
});
