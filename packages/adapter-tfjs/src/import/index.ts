import { CondenseError, createModel, type Model } from '@condense/core';
import { isGraphDef, type TfjsModelJson } from '../model-json.js';
import { checkModelJson } from './check-json.js';
import { decodeWeights, type WeightData } from '../weights/decode.js';
import { importGraphDef } from './graph-model/index.js';
import { importLayersModel } from './layers-model/index.js';
import type { ImportOptions } from './options.js';

/** A tfjs model's files as {@link importTfjs} reads them. */
export interface TfjsModelSource {
  /** model.json, parsed or as text. */
  modelJson: TfjsModelJson | string;
  /** The weight shards (see WeightData); may be omitted for a model without weights. */
  weights?: WeightData;
}

/**
 * A tfjs model (GraphModel or LayersModel) as a condense model with ONNX
 * semantics. Inputs and outputs keep tfjs's shapes and layout (NHWC unless
 * inputLayout says otherwise), so the IR is fed what tfjs was fed.
 */
export function importTfjs(source: TfjsModelSource, options: ImportOptions = {}): Model {
  const json = parseModelJson(source.modelJson);
  checkModelJson(json);
  const weights = decodeWeights(json.weightsManifest ?? [], source.weights ?? []);
  const topology = json.modelTopology;
  const graph = isGraphDef(topology) ? importGraphDef(topology, json.signature, weights, options) : importLayersModel(topology, weights, options);
  graph.sortTopologically();
  const problems = graph.validate().filter((d) => d.severity === 'error');
  // The file's parts are checked as they are read; what is left to disagree (types that do not meet) is the file's fault too.
  if (problems.length) throw new CondenseError('E_MODEL_INVALID', `The tfjs model's nodes do not fit together: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
  const kind = isGraphDef(topology) ? 'graph model' : 'layers model';
  return createModel(graph, { producerName: 'condense', docString: `Imported from a tfjs ${kind}${json.generatedBy ? ` (${json.generatedBy})` : ''}.` });
}

/** model.json as an object, parsed when given as text; E_MODEL_INVALID when it is not JSON or has no modelTopology. */
export function parseModelJson(modelJson: TfjsModelJson | string): TfjsModelJson {
  let json: unknown = modelJson;
  if (typeof modelJson === 'string') {
    try {
      json = JSON.parse(modelJson);
    } catch (e) {
      // JSON.parse's message quotes the text around the error: cut it, as a file may hold anything there.
      throw new CondenseError('E_MODEL_INVALID', `model.json is not JSON: ${(e as Error).message.slice(0, 200)}`, { cause: e });
    }
  }
  const topology = (json as Partial<TfjsModelJson> | null)?.modelTopology;
  if (!topology || typeof topology !== 'object' || Array.isArray(topology)) throw new CondenseError('E_MODEL_INVALID', 'model.json has no modelTopology: it is not a tfjs model (tfjs-converter or model.save() writes one).');
  return json as TfjsModelJson;
}
