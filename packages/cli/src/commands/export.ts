import type { WeightPrecision } from '@condense/adapter-tfjs';
import { CondenseError, compress as runPipeline, createRegistry, type Dim } from '@condense/core';
import { checkTfliteOptions, tfliteExporter, unsupportedError, type ExportTfliteOptions } from '@condense/export-tflite';
import { writeFileAtomic } from '@condense/onnx/node';
import { PREPROCESS_OPTIONS, parseCommand, parseInputShapes, parsePreprocess, requireOne } from '../args.js';
import { calibrationSamples } from '../data-files.js';
import { formatBytes, type Streams } from '../io.js';
import { checkOutputPath } from '../output-path.js';
import { modelFiles, readModelFile } from '../model-files.js';
import { DIRECTORY_TARGETS, exportToDirectory, type DirectoryTarget } from './export-directory.js';
import { parseAdapter, runtimeFor } from '../runtimes.js';

/** Calibration-image flags, except --layout, which here is the exported model's (images follow the model's input layout). */
const { layout: _imageLayout, ...CALIB_OPTIONS } = PREPROCESS_OPTIONS;

export const EXPORT_HELP = `Usage: condense export <model.onnx> --to tflite -o <model.tflite>
       condense export <model.onnx> --to openvino|tensorrt -o <dir> [--int8 --calib <data>] [--fp16]
                      [--int8 --calib <data>] [--fp16] [--io float32|int8|uint8] [--hybrid]
                      [--layout nhwc|nchw] [--input-shape name=d0,d1,...]... [--adapter cpu|wasm|cuda]
                      [--size HxW] [--resize <mode>] [--scale N] [--mean A,B,C] [--std A,B,C] [--channels rgb|bgr]
       condense export <model> --to tfjs -o <dir> [--weights exact|float32|float16|uint8|uint16] [--layout nhwc|nchw]

Writes the model in another format, to the file or folder -o (--output) names. --to tflite: a TensorFlow Lite flatbuffer
with NHWC tensors inside, float32 weights unless told otherwise:
  --int8            full-integer int8: runs the int8 preset (static
                    quantization, calibrated on --calib data, which it needs)
                    and exports int8 kernels; models already quantized by
                    condense (QDQ) export as int8 without it
  --io <type>       inputs and outputs of an int8 model: float32 (default,
                    QUANTIZE/DEQUANTIZE inside), int8 or uint8
  --fp16            float16 weights (half the size, float32 compute)
  --hybrid          int8 weights of a float model (condense's int8-weights
                    preset) on TFLite's hybrid kernels instead of DEQUANTIZE
  --layout nchw     keep ONNX's NCHW at the inputs and outputs (a TRANSPOSE
                    each); default nhwc, TFLite's own
  --input-shape     pins input sizes; TFLite needs every dimension known
                    (a symbolic batch becomes 1)
--to openvino writes model.xml and model.bin (OpenVINO IR v11; --fp16 f16
weights; --int8 the int8 preset's calibrated ranges as FakeQuantize).
--to tensorrt writes model.onnx (--fp16: float16), build-engine.sh and, with
--int8 --calib, model.qdq.onnx (explicit int8) and calibration.cache.
--to tfjs writes model.json and group1-shard1of1.bin, a GraphModel that
tf.loadGraphModel runs (NHWC inputs unless --layout nchw). --weights exact
(the default) stores each weight in the smallest form tfjs decodes to exactly
what condense computes: int8 weights of a compressed model as uint8, float16
as halves; float16, uint8 and uint16 round float32 weights to that size (as
tfjs-converter's --quantize_* flags do); float32 stores them as they are.
The input may be ONNX, .tflite or a tfjs model.json (any command reads all three).
--calib takes what compress takes (IDX, .npy, a folder of images or .npy
files; --size, --scale, --mean, ... as there). Nothing is written when the
model cannot be exported: every problem is listed first. The input is never
overwritten, and the output appears whole or not at all.

Examples:
  condense export model.onnx --to tflite -o model.tflite --fp16
  condense export model.onnx --to tflite -o model.int8.tflite --int8 --calib images/ --size 224x224 --io uint8
  condense export model.onnx --to tflite -o model.tflite --hybrid --layout nchw --input-shape x=1,3,224,224
  condense export model.onnx --to openvino -o openvino/ --int8 --calib calib.npy --adapter cpu
  condense export model.onnx --to tensorrt -o trt/ --int8 --calib images/ --resize shorter --scale 1/255 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --channels rgb
  condense export model.onnx --to tfjs -o web/ --weights float16`;

const TARGETS: readonly string[] = ['tflite', ...DIRECTORY_TARGETS];

export const EXPORT_OPTIONS = {
  to: { type: 'string' },
  output: { type: 'string', short: 'o' },
  int8: { type: 'boolean' },
  calib: { type: 'string' },
  fp16: { type: 'boolean' },
  io: { type: 'string' },
  hybrid: { type: 'boolean' },
  layout: { type: 'string' },
  weights: { type: 'string' },
  'input-shape': { type: 'string', multiple: true },
  adapter: { type: 'string' },
  ...CALIB_OPTIONS,
} as const;

export async function exportModel(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('export', args, EXPORT_OPTIONS, EXPORT_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const input = requireOne('export', positionals, 'input model');
  if (!values.to) throw new CondenseError('E_BAD_OPTION', `Say which format with --to (${TARGETS.join(', ')}).`);
  if (!TARGETS.includes(values.to)) throw new CondenseError('E_BAD_OPTION', `--to ${values.to} is not a format condense exports; the formats are ${TARGETS.join(', ')}.`);
  if (values.int8 && !values.calib) throw new CondenseError('E_BAD_OPTION', '--int8 calibrates activation ranges on sample data: add --calib <data> (IDX, .npy or a folder of images).');
  if (values.calib && !values.int8) throw new CondenseError('E_BAD_OPTION', '--calib gives calibration data for --int8; add --int8, or drop --calib.');
  if (values.int8 && values.fp16) throw new CondenseError('E_BAD_OPTION', '--int8 and --fp16 ask for different weights; choose one.');
  // --layout is the exported model's, not the calibration images'.
  const preprocess = parsePreprocess({ ...values, layout: undefined });
  const [flag] = Object.keys(preprocess);
  if (flag && !values.calib) throw new CondenseError('E_BAD_OPTION', `--${flag} describes calibration data; give it with --calib.`);
  const inputShapes = parseInputShapes(values['input-shape']);
  if (values.to !== 'tflite') return exportFolder(values.to as DirectoryTarget, input, values, inputShapes, preprocess, io);
  if (values.weights !== undefined) throw new CondenseError('E_BAD_OPTION', '--weights is a tfjs option; --to tflite takes --fp16 or --int8.');
  const options = exportOptions(values, inputShapes);
  if (!values.output) throw new CondenseError('E_BAD_OPTION', 'No output file: add -o <model.tflite>.');
  checkTfliteOptions(options);
  const output = await checkOutputPath(input, values.output, 'never');

  const model = await readModelFile(input, { inputShapes });
  if (values.int8) {
    // A model that cannot be exported in float cannot be in int8 either: say so before calibrating.
    const problems = tfliteExporter.check(model.graph, options);
    if (problems.length) throw unsupportedError(problems);
    const samples = await calibrationSamples(values.calib!, model.graph, 32, preprocess);
    await runPipeline(model, { preset: 'int8' }, { registry: createRegistry(), inputShapes, samples, runtime: await runtimeFor(parseAdapter(values.adapter)) });
  }
  const [artifact] = await tfliteExporter.export(model.graph, options);
  await writeFileAtomic(output, [artifact!.bytes]);
  const quantized = [...model.graph].some((n) => n.op === 'QuantizeLinear');
  io.out.write(`wrote ${output} (${formatBytes(artifact!.bytes.byteLength)}, ${describe(values, quantized)})\n`);
  return 0;
}

/** --to openvino | tensorrt | tfjs: -o names a folder; --io and --hybrid are TFLite's, --layout TFLite's and tfjs's, --weights tfjs's. */
async function exportFolder(target: DirectoryTarget, input: string, values: Values & { output?: string; calib?: string; adapter?: string }, inputShapes: Record<string, Dim[]> | undefined, preprocess: ReturnType<typeof parsePreprocess>, io: Streams): Promise<number> {
  const tfliteOnly = (['io', 'hybrid', ...(target === 'tfjs' ? [] : ['layout'] as const)] as const).find((k) => values[k] !== undefined);
  if (tfliteOnly) throw new CondenseError('E_BAD_OPTION', `--${tfliteOnly} is a TFLite option; --to ${target} does not take it.`);
  if (values.weights !== undefined && target !== 'tfjs') throw new CondenseError('E_BAD_OPTION', `--weights is a tfjs option; --to ${target} takes --fp16 or --int8.`);
  if (values.weights !== undefined && (values.fp16 || values.int8)) throw new CondenseError('E_BAD_OPTION', `--weights ${values.weights} and --${values.fp16 ? 'fp16' : 'int8'} both say how to store weights; choose one.`);
  if (!values.output) throw new CondenseError('E_BAD_OPTION', `No output folder: add -o <dir> (--to ${target} writes several files).`);
  const model = await readModelFile(input, { inputShapes });
  const calibration = values.int8 ? { runtime: await runtimeFor(parseAdapter(values.adapter)), samples: await calibrationSamples(values.calib!, model.graph, 32, preprocess) } : undefined;
  const tfjs = { ...(values.weights !== undefined ? { weights: values.weights as WeightPrecision } : {}), ...(values.layout !== undefined ? { layout: values.layout as 'nhwc' | 'nchw' } : {}) };
  return exportToDirectory(target, values.output, { inputFiles: await modelFiles(input), model, inputShapes, fp16: !!values.fp16, tfjs, ...(calibration ? { calibration } : {}) }, io);
}

type Values = { fp16?: boolean; io?: string; hybrid?: boolean; layout?: string; int8?: boolean; weights?: string };

function exportOptions(values: Values, inputShapes: Record<string, Dim[]> | undefined): ExportTfliteOptions {
  const options: ExportTfliteOptions = { description: 'Exported by condense' };
  if (values.fp16) options.weights = 'float16';
  if (values.io !== undefined) options.io = values.io as ExportTfliteOptions['io'];
  if (values.hybrid) options.dynamicRange = 'hybrid';
  if (values.layout !== undefined) options.layout = values.layout as ExportTfliteOptions['layout'];
  if (inputShapes) options.inputShapes = inputShapes;
  return options;
}

function describe(values: Values, quantized: boolean): string {
  const precision = quantized ? `full-integer int8, ${values.io ?? 'float32'} inputs and outputs` : values.fp16 ? 'float16 weights' : 'float32';
  return `${precision}, ${values.layout ?? 'nhwc'} layout`;
}
