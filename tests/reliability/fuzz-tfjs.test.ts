/**
 * Fuzzes the tfjs importer (importTfjs) with mutants of models written by
 * tfjs's own tf.io and by condense's exporter: weights manifests against
 * shard bytes, quantization parameters, dangling and cyclic node inputs,
 * huge shapes, attributes of the wrong type, deep JSON, `__proto__` keys,
 * Keras layers topologies. Every case must import as a valid model or fail
 * with one CondenseError of the importer's codes and a clear message.
 *
 * CI runs 5,000 cases. Long runs: node tools/fuzz.mjs --loader tfjs --cases N --seed S.
 */
import { fuzzSuite } from './fuzz/suite.js';
import { tfjsSeeds } from './fuzz/tfjs/seeds.js';
import { tfjsTarget } from './fuzz/tfjs/targets.js';

fuzzSuite('tfjs importer fuzz', [{ id: 'tfjs', share: 1, make: async () => tfjsTarget(await tfjsSeeds()) }], { cases: 5_000 });
