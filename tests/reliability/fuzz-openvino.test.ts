/**
 * Fuzzes the OpenVINO IR reader (readOpenvino) with mutants of IR the
 * exporter writes from the fixture CNNs: XML syntax, entities (a billion
 * laughs), deep nesting, port and edge mismatches, cycles, huge shapes and
 * element counts, Const ranges past the .bin's end, wrong element types.
 * Every case must read as a valid model or fail with one CondenseError of
 * the reader's codes and a clear message.
 *
 * CI runs 5,000 cases. Long runs: node tools/fuzz.mjs --loader openvino --cases N --seed S.
 */
import { fuzzSuite } from './fuzz/suite.js';
import { openvinoSeeds } from './fuzz/openvino/seeds.js';
import { openvinoTarget } from './fuzz/openvino/targets.js';

fuzzSuite('OpenVINO IR reader fuzz', [{ id: 'openvino', share: 1, make: async () => openvinoTarget(await openvinoSeeds()) }], { cases: 5_000 });
