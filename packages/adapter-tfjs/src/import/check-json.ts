import { CondenseError, quoted } from '@condense/core';
import type { TfjsModelJson } from '../model-json.js';

/** Largest rank read: tfjs tensors have at most 6 axes; a declared rank past this is a corrupt file. */
const MAX_RANK = 32;

const invalid = (why: string) => new CondenseError('E_MODEL_INVALID', `model.json is not a valid tfjs model: ${why}.`);
export { quoted };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/**
 * Checks that model.json has the types the importer reads before anything
 * reads it: a parsed file is any JSON, and a shape that is a string, a node
 * input that is a number or a layer config that is null would otherwise fail
 * deep inside the import as a JavaScript error. Weight shapes must be lists
 * of sizes whose element counts are exact numbers; the shards' bytes are
 * checked against them when the weights are decoded.
 */
export function checkModelJson(json: TfjsModelJson): void {
  const manifest: unknown = json.weightsManifest;
  if (manifest !== undefined) {
    if (!Array.isArray(manifest)) throw invalid('weightsManifest is not a list of weight groups');
    manifest.forEach((group: unknown, g) => {
      if (!isObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) throw invalid(`weight group ${g} lacks its "paths" and "weights" lists`);
      if (!group['paths'].every((p) => typeof p === 'string')) throw invalid(`weight group ${g} has a path that is not a string`);
      group['weights'].forEach((w: unknown) => checkWeightSpec(w, g));
    });
  }
  const topology = json.modelTopology as unknown as Record<string, unknown>;
  if ('node' in topology) checkGraphDef(topology, json.signature);
  else checkKeras(topology);
}

function checkWeightSpec(w: unknown, group: number): void {
  if (!isObject(w) || typeof w['name'] !== 'string') throw invalid(`a weight of group ${group} has no name`);
  const name = quoted(w['name']);
  if (typeof w['dtype'] !== 'string') throw invalid(`weight ${name} has no dtype`);
  checkShape(w['shape'], `weight ${name}`);
  const q = w['quantization'];
  if (q === undefined) return;
  if (!isObject(q) || (q['dtype'] !== 'uint8' && q['dtype'] !== 'uint16' && q['dtype'] !== 'float16')) throw invalid(`weight ${name} has quantization that is not uint8, uint16 or float16`);
  if (q['dtype'] !== 'float16' && !(Number.isFinite(q['scale']) && Number.isFinite(q['min']))) throw invalid(`weight ${name} is quantized without a finite scale and min`);
}

/** A list of sizes with an exact element count. */
export function checkShape(shape: unknown, what: string): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw invalid(`${what} has shape ${quoted(JSON.stringify(shape) ?? '')}, which is not a list of sizes`);
  if (!Number.isSafeInteger(shape.reduce((a: number, b: number) => a * b, 1))) throw invalid(`${what} declares more elements than any model holds`);
}

function checkGraphDef(topology: Record<string, unknown>, signature: unknown): void {
  const nodes = topology['node'];
  if (!Array.isArray(nodes)) throw invalid('the graph\'s "node" is not a list');
  nodes.forEach((n: unknown, i) => {
    if (!isObject(n) || typeof n['name'] !== 'string' || !n['name'] || typeof n['op'] !== 'string') throw invalid(`node ${i} lacks a name or an op`);
    const input = n['input'];
    if (input !== undefined && !(Array.isArray(input) && input.every((r) => typeof r === 'string'))) throw invalid(`node ${quoted(n['name'])} has inputs that are not a list of names`);
    const attr = n['attr'];
    if (attr !== undefined && !(isObject(attr) && Object.values(attr).every(isObject))) throw invalid(`node ${quoted(n['name'])} has attributes that are not objects`);
  });
  if (signature === undefined) return;
  if (!isObject(signature)) throw invalid('the signature is not an object');
  for (const side of ['inputs', 'outputs']) {
    const entries = signature[side];
    if (entries === undefined) continue;
    if (!isObject(entries) || !Object.values(entries).every((e) => isObject(e) && typeof e['name'] === 'string')) throw invalid(`the signature's ${side} do not each name a tensor`);
  }
}

function checkKeras(topology: Record<string, unknown>): void {
  if (typeof topology['class_name'] !== 'string') throw invalid('the layers model has no class_name');
  const config = topology['config'];
  const layers = Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined;
  if (!Array.isArray(layers)) throw invalid('the layers model has no list of layers');
  layers.forEach((l: unknown, i) => {
    if (!isObject(l) || typeof l['class_name'] !== 'string' || !isObject(l['config'])) throw invalid(`layer ${i} lacks a class_name or a config`);
    if (l['name'] !== undefined && typeof l['name'] !== 'string') throw invalid(`layer ${i} has a name that is not a string`);
    if (l['inbound_nodes'] !== undefined && !Array.isArray(l['inbound_nodes'])) throw invalid(`layer ${i} has inbound_nodes that are not a list`);
  });
  if (!isObject(config)) return;
  for (const side of ['input_layers', 'output_layers']) {
    const refs = config[side];
    if (refs === undefined) continue;
    const isRef = (r: unknown) => Array.isArray(r) && typeof r[0] === 'string' && Number.isSafeInteger(r[1]) && Number.isSafeInteger(r[2]);
    if (!Array.isArray(refs) || !refs.every(isRef)) throw invalid(`${side} is not a list of [layer, node, tensor] references`);
  }
}
