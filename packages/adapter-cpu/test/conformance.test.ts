import { runtimeConformance } from '@condense/core/testing';
import { describe, it } from 'vitest';
import { cpuRuntime } from '../src/index.js';

describe('adapter-cpu conformance', () => {
  for (const check of runtimeConformance(() => cpuRuntime())) it(check.name, check.run);
});
