/**
 * Fuzzes the TFLite reader (readTflite) with mutants of .tflite files the
 * exporter writes from the fixture CNNs: flatbuffer offsets, vtables, vector
 * lengths, buffers, shapes, types, opcode and tensor indices, cycles.
 * Every case must read as a valid model or fail with one CondenseError of
 * the reader's codes and a clear message.
 *
 * CI runs 5,000 cases. Long runs: node tools/fuzz.mjs --loader tflite --cases N --seed S.
 */
import { fuzzSuite } from './fuzz/suite.js';
import { tfliteSeeds } from './fuzz/tflite/seeds.js';
import { tfliteTarget } from './fuzz/tflite/targets.js';

fuzzSuite('TFLite reader fuzz', [{ id: 'tflite', share: 1, make: async () => tfliteTarget(await tfliteSeeds()) }], { cases: 5_000 });
