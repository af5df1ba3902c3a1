/**
 * Fuzzes the ONNX loaders with mutants of real models (byte-level and
 * protobuf-level): every case must load as a valid model or fail with a
 * CondenseError that has a loader's code and a clear message; never another
 * exception, a hang or an allocation sized from a declared length.
 *
 * CI runs a fixed 20,000 cases. Long runs: node tools/fuzz.mjs --loader onnx --cases N --seed S
 * (see fuzz/suite.ts for the environment it sets).
 */
import { fuzzSuite } from './fuzz/suite.js';
import { onnxExternalDataSeeds, onnxSeeds } from './fuzz/onnx/seeds.js';
import { onnxBytesTarget, onnxFileTarget } from './fuzz/onnx/targets.js';

/** Writing files costs more per case, so the file loader gets a smaller share. */
const FILE_SHARE = 0.15;

fuzzSuite(
  'ONNX loader fuzz',
  [
    { id: 'bytes', share: 1 - FILE_SHARE, make: async () => onnxBytesTarget(onnxSeeds()) },
    { id: 'files', share: FILE_SHARE, make: async () => onnxFileTarget(await onnxExternalDataSeeds(), process.env.FUZZ_SCRATCH_DIR) },
  ],
  { cases: 20_000 },
);
