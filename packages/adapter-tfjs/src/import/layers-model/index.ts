import { quoted } from '../check-json.js';
import { CondenseError, type DType, type Dim, type Graph, type Tensor } from '@condense/core';
import type { KerasLayerJson, KerasModelConfig, KerasModelTopology, KerasTensorRef } from '../../model-json.js';
import { TfBuilder, unsupported, type TfTensor } from '../builder.js';
import { asModelError } from '../errors.js';
import { graphInput } from '../inputs.js';
import type { ImportOptions } from '../options.js';
import { LAYERS } from './layers.js';

const SEQUENTIAL = new Set(['Sequential']);
const FUNCTIONAL = new Set(['Model', 'Functional']);

/**
 * A tfjs LayersModel (Keras topology JSON) as an IR graph with tfjs's
 * meaning: inputs and outputs keep their Keras shapes (channels last).
 */
export function importLayersModel(topology: KerasModelTopology, weights: Map<string, Tensor>, options: ImportOptions): Graph {
  const b = new TfBuilder();
  const lookup = weightLookup(weights);
  if (SEQUENTIAL.has(topology.class_name)) importSequential(b, layersOf(topology), lookup, options);
  else if (FUNCTIONAL.has(topology.class_name)) importFunctional(b, topology.config as KerasModelConfig, lookup, options);
  else throw unsupported(`a layers model of class ${topology.class_name}`);
  return b.graph;
}

function layersOf(topology: KerasModelTopology): KerasLayerJson[] {
  return Array.isArray(topology.config) ? topology.config : topology.config.layers;
}

type WeightLookup = (layer: string, weight: string) => Tensor | undefined;

/**
 * Weights are named "<layer>/<weight>" by tfjs-layers; Python Keras may add
 * scopes before the layer name and ":0" after it.
 */
function weightLookup(weights: Map<string, Tensor>): WeightLookup {
  const byName = new Map<string, Tensor>();
  for (const [name, t] of weights) byName.set(name.replace(/:0$/, ''), t);
  return (layer, weight) => {
    const exact = byName.get(`${layer}/${weight}`);
    if (exact) return exact;
    for (const [name, t] of byName) if (name.endsWith(`/${layer}/${weight}`)) return t;
    return undefined;
  };
}

function layerName(layer: KerasLayerJson): string {
  return layer.name ?? String(layer.config['name']);
}

function batchShape(layer: KerasLayerJson): Dim[] | undefined {
  const c = layer.config;
  const shape = (c['batch_input_shape'] ?? c['batch_shape'] ?? c['batchInputShape']) as Array<number | null> | undefined;
  if (shape !== undefined && !(Array.isArray(shape) && shape.every((d) => d === null || (Number.isSafeInteger(d) && d >= 0)))) {
    throw new CondenseError('E_MODEL_INVALID', `Input layer ${quoted(layerName(layer))} has batch shape ${quoted(JSON.stringify(shape) ?? '')}, which is not a list of sizes (or null).`, { context: { node: layerName(layer) } });
  }
  return shape?.map((d, i) => (d === null || d === undefined ? (i === 0 ? 'batch' : `${layerName(layer)}_${i}`) : d));
}

function addInput(b: TfBuilder, name: string, layer: KerasLayerJson, options: ImportOptions): TfTensor {
  const given = layer.config['dtype'] ?? 'float32';
  if (typeof given !== 'string') {
    throw new CondenseError('E_MODEL_INVALID', `Input layer ${quoted(name)} has dtype ${quoted(JSON.stringify(given) ?? '')}, which is not a type name.`, { context: { node: name } });
  }
  const dtype = given;
  if (dtype !== 'float32' && dtype !== 'int32') throw unsupported(`an input of dtype ${quoted(dtype)}`);
  return graphInput(b, name, dtype as DType, batchShape(layer), options);
}

function applyLayer(b: TfBuilder, layer: KerasLayerJson, inputs: TfTensor[], lookup: WeightLookup): TfTensor {
  const name = layerName(layer);
  const convert = Object.hasOwn(LAYERS, layer.class_name) ? LAYERS[layer.class_name] : undefined;
  if (!convert) throw new CondenseError('E_UNSUPPORTED_OP', `The tfjs layers model uses a ${quoted(layer.class_name)} layer (${quoted(name)}), which condense cannot import yet.`, { context: { node: name } });
  const find = (w: string) => lookup(name, w);
  return asModelError(name, () => convert({
    b,
    name,
    className: layer.class_name,
    config: layer.config,
    inputs,
    hasWeight: (w) => find(w) !== undefined,
    weight: (w) => {
      const t = find(w);
      if (!t) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(name)} needs the weight ${quoted(`${name}/${w}`)}, which the weights manifest does not list.`, { context: { node: name } });
      return b.constant(`${name}/${w}`, t);
    },
  }));
}

function importSequential(b: TfBuilder, layers: KerasLayerJson[], lookup: WeightLookup, options: ImportOptions): void {
  const [first, ...rest] = layers;
  if (!first) throw new CondenseError('E_MODEL_INVALID', 'The Sequential model has no layers.');
  let x: TfTensor;
  if (first.class_name === 'InputLayer') x = addInput(b, layerName(first), first, options);
  else {
    // tfjs-layers names the implicit input after the first layer.
    x = addInput(b, `${layerName(first)}_input`, first, options);
    x = applyLayer(b, first, [x], lookup);
  }
  for (const layer of rest) x = applyLayer(b, layer, [x], lookup);
  b.output(x, layerName(layers[layers.length - 1]!));
}

/** The tensors each inbound node of a layer reads, in Keras 2's nested-list form or Keras 3's args form. */
function inboundRefs(layer: KerasLayerJson): KerasTensorRef[][] {
  return (layer.inbound_nodes ?? []).map((node) => {
    if (Array.isArray(node)) {
      return node.map((r: unknown) => {
        if (!Array.isArray(r) || typeof r[0] !== 'string') throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(layerName(layer))} has an inbound node that is not a [layer, node, tensor] reference.`, { context: { node: layerName(layer) } });
        return [r[0], Number(r[1]), Number(r[2])] as KerasTensorRef;
      });
    }
    const refs: KerasTensorRef[] = [];
    // An explicit stack, not recursion: a hostile file nests lists thousands deep.
    const stack: unknown[] = [(node as { args?: unknown } | null)?.args];
    while (stack.length) {
      const v = stack.pop();
      if (Array.isArray(v)) stack.push(...[...v].reverse());
      else if (v && typeof v === 'object') {
        const history = (v as { config?: { keras_history?: unknown } }).config?.keras_history;
        if (Array.isArray(history) && typeof history[0] === 'string') refs.push([history[0], Number(history[1]), Number(history[2])]);
      }
    }
    return refs;
  });
}

function importFunctional(b: TfBuilder, config: KerasModelConfig, lookup: WeightLookup, options: ImportOptions): void {
  const produced = new Map<string, TfTensor>();
  const key = (r: KerasTensorRef) => `${r[0]}:${r[1]}:${r[2]}`;
  for (const layer of config.layers) {
    const name = layerName(layer);
    if (layer.class_name === 'InputLayer') {
      produced.set(key([name, 0, 0]), addInput(b, name, layer, options));
      continue;
    }
    if (SEQUENTIAL.has(layer.class_name) || FUNCTIONAL.has(layer.class_name)) throw unsupported(`a nested model (${quoted(name)}); save the outer model flattened`);
    inboundRefs(layer).forEach((refs, nodeIndex) => {
      const inputs = refs.map((r) => {
        const t = produced.get(key(r));
        if (!t) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(name)} reads ${quoted(r[0])} before it is computed; the layers must be listed in order.`, { context: { node: name } });
        return t;
      });
      produced.set(key([name, nodeIndex, 0]), applyLayer(b, layer, inputs, lookup));
    });
  }
  for (const ref of config.output_layers ?? []) {
    const t = produced.get(key(ref));
    if (!t) throw new CondenseError('E_MODEL_INVALID', `The model's output ${quoted(ref[0])} is not computed by any layer.`);
    b.output(t, ref[0]);
  }
}
