/**
 * tfjs model.json mutations made on the parsed JSON: the weights manifest
 * (shapes, dtypes and quantization against the shard's bytes), GraphDef
 * nodes (dangling and cyclic inputs, attributes of the wrong type, huge
 * shapes), Keras layers topologies (inbound nodes, configs), `__proto__`
 * keys, and JSON nested thousands deep.
 */
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const parsed = new WeakMap<Uint8Array, unknown>();

// The model.json as data: every edit reaches into it dynamically, as a hostile file would.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

function onJson(kind: string, weight: number, edit: (json: Json, rng: Random) => Json | void): Mutator {
  return {
    kind,
    weight,
    mutate(input: FuzzInput, rng: Random) {
      const bytes = mainBytes(input);
      let copy: Json;
      try {
        let json = parsed.get(bytes);
        if (json === undefined) parsed.set(bytes, (json = JSON.parse(text.decode(bytes))));
        copy = structuredClone(json);
      } catch {
        return input; // In a stack, an earlier mutation may have broken the JSON (or nested it too deep to copy): nothing to edit.
      }
      let out: Json = copy;
      try {
        out = edit(copy, rng) ?? copy;
      } catch {
        // The edit assumed a shape an earlier mutation changed; the copy is as far as it got.
      }
      return withFile(input, input.main, utf8.encode(typeof out === 'string' ? out : JSON.stringify(out)));
    },
  };
}

const HOSTILE_NUMBERS = [-1, -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 53 + 2, 1e300, 0.5, Number.MAX_VALUE];
const HOSTILE_VALUES: Json[] = [null, true, 'x', '', {}, [], [[]], { length: 2 ** 32 }, '__proto__', 'NaN', '1e309', [1, 'a'], -0];

const weightsOf = (j: Json): Json[] => (Array.isArray(j.weightsManifest) ? j.weightsManifest.flatMap((g: Json) => (Array.isArray(g?.weights) ? g.weights : [])) : []);
const nodesOf = (j: Json): Json[] => (Array.isArray(j.modelTopology?.node) ? j.modelTopology.node : []);
const layersOf = (j: Json): Json[] => {
  const c = j.modelTopology?.config;
  return Array.isArray(c) ? c : Array.isArray(c?.layers) ? c.layers : [];
};
const isGraph = (j: Json) => nodesOf(j).length > 0;

export const jsonEdits: Mutator[] = [
  onJson('manifest-shape', 3, (j, rng) => {
    const w = rng.pick(weightsOf(j));
    const which = rng.int(4);
    if (which === 0 && w.shape.length) w.shape[rng.int(w.shape.length)] = rng.pick([...HOSTILE_NUMBERS, 0, w.shape[0] * 2, null, '3']);
    else if (which === 1) w.shape = rng.pick([[], [2 ** 20, 2 ** 20], Array.from({ length: 100 }, () => 1), [65536, 65536, 65536], w.shape.slice(1), [...w.shape, 2]]);
    else if (which === 2) w.shape = rng.pick(HOSTILE_VALUES);
    else delete w.shape;
  }),
  onJson('manifest-dtype', 2, (j, rng) => {
    const w = rng.pick(weightsOf(j));
    w.dtype = rng.pick(['int32', 'bool', 'float32', 'string', 'complex64', 'int64', 'float16', 'uint8', 42, null, '__proto__', 'toString']);
  }),
  onJson('quantization', 2.5, (j, rng) => {
    const w = rng.pick(weightsOf(j));
    const q = (w.quantization ??= { dtype: 'uint8', scale: 0.01, min: -1 });
    const which = rng.int(4);
    if (which === 0) q.dtype = rng.pick(['uint8', 'uint16', 'float16', 'int8', 'uint4', 'float32', null, 7]);
    else if (which === 1) q.scale = rng.pick([...HOSTILE_NUMBERS, 0, null, 'NaN', '1', {}]);
    else if (which === 2) q.min = rng.pick([...HOSTILE_NUMBERS, null, 'x', undefined]);
    else w.quantization = rng.pick(HOSTILE_VALUES);
  }),
  onJson('manifest-structure', 2, (j, rng) => {
    const which = rng.int(7);
    const weights = weightsOf(j);
    if (which === 0) j.weightsManifest = rng.pick(HOSTILE_VALUES);
    else if (which === 1 && weights.length) weights.splice(rng.int(weights.length), 1); // a weight missing: every later one shifts
    else if (which === 2 && weights.length) weights.splice(rng.int(weights.length), 0, { ...rng.pick(weights) }); // a weight twice
    else if (which === 3 && weights.length) weights.reverse();
    else if (which === 4) j.weightsManifest[0].paths = rng.pick([[], ['missing.bin'], ['../../etc/passwd'], ['group1-shard1of1.bin', 'group1-shard1of1.bin'], null, 'x']);
    else if (which === 5 && weights.length) rng.pick(weights).name = rng.pick(['', '__proto__', 'constructor', null, 5, 'x'.repeat(100_000)]);
    else j.weightsManifest.push({ paths: ['group1-shard1of1.bin'], weights: [{ name: 'extra', shape: [2 ** 30], dtype: 'float32' }] });
  }),
  onJson('node-input', 3, (j, rng) => {
    if (!isGraph(j)) return layerInbound(j, rng);
    const nodes = nodesOf(j);
    const i = rng.int(nodes.length);
    const node = nodes[i];
    node.input ??= [];
    const later = nodes[rng.range(i, nodes.length - 1)].name;
    const ref = rng.pick([later, node.name, `${later}:0`, `${node.name}:1`, 'nowhere', `${nodes[0].name}:99`, `^${later}`, '', ':', '^', ':5', `${later}:-1`, `${later}:1e3`, '__proto__', 'constructor']);
    if (node.input.length && rng.chance(0.7)) node.input[rng.int(node.input.length)] = ref;
    else node.input.push(ref);
  }),
  onJson('huge-shape', 2.5, (j, rng) => {
    if (!isGraph(j)) {
      const layer = rng.pick(layersOf(j));
      const shape = layer.config?.batch_input_shape ?? layer.config?.batchInputShape;
      if (Array.isArray(shape) && shape.length) shape[rng.int(shape.length)] = rng.pick([...HOSTILE_NUMBERS, 0]);
      else layer.config.target_shape = rng.pick([[2 ** 31, 2 ** 31], [-5], [0, 0], Array.from({ length: 50 }, () => 1)]);
      return;
    }
    const node = rng.pick(nodesOf(j).filter((n: Json) => n.attr));
    for (const a of Object.values(node.attr) as Json[]) {
      const dims = a?.shape?.dim ?? a?.tensor?.tensorShape?.dim;
      if (Array.isArray(dims) && dims.length) {
        dims[rng.int(dims.length)].size = rng.pick(['-5', '4294967296', '9007199254740993', '1e400', 'x', -2, 2 ** 40, null]);
        return;
      }
      if (dims) return void (a.shape ?? a.tensor.tensorShape).dim.push({ size: '65536' });
    }
  }),
  onJson('attr-type', 3, (j, rng) => {
    if (!isGraph(j)) {
      const layer = rng.pick(layersOf(j));
      const keys = Object.keys(layer.config ?? {});
      const key = keys.length && rng.chance(0.8) ? rng.pick(keys) : rng.pick(['filters', 'kernel_size', 'strides', 'padding', 'axis', 'units', 'activation', 'pool_size', 'dilation_rate', 'data_format', 'dims']);
      layer.config[key] = rng.pick([...HOSTILE_VALUES, ...HOSTILE_NUMBERS, [0, 0], [2 ** 31, 1], [1, 2, 3], 'same_upper', { class_name: 'Frob', config: {} }]);
      return;
    }
    const node = rng.pick(nodesOf(j));
    node.attr ??= {};
    const keys = Object.keys(node.attr);
    const key = keys.length && rng.chance(0.8) ? rng.pick(keys) : rng.pick(['strides', 'padding', 'ksize', 'dilations', 'data_format', 'explicit_paddings', 'fused_ops', 'T', 'dtype', 'value', 'keep_dims', 'epsilon']);
    node.attr[key] = rng.pick([
      ...HOSTILE_VALUES,
      { list: { i: ['0', '0', '0', '0'] } },
      { list: { i: ['1'] } },
      { list: { i: ['-1', '2147483648', 'x', null] } },
      { list: { s: ['QmlhcyBBZGQ=', '!!!'] } },
      { s: '!!not base64!!' },
      { s: 'RVhQTElDSVQ=' }, // EXPLICIT, without explicit_paddings
      { i: '99999999999999999999' },
      { i: {} },
      { f: 'NaN' },
      { b: 'yes' },
      { type: 'DT_STRING' },
      { type: 'DT_COMPLEX64' },
      { tensor: { dtype: 'DT_INT64', tensorShape: { dim: [{ size: '3' }] }, tensorContent: 'AAAA' } },
      { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1000000000' }] }, floatVal: [1] } },
      { shape: { unknownRank: true } },
    ]);
  }),
  onJson('proto-key', 1.5, (j, rng) => {
    // JSON.parse makes "__proto__" an own key; a loader that copies or indexes by it must not reach Object.prototype.
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
    const value = rng.pick([{ polluted: true }, 'x', null, { list: { i: ['1'] } }]);
    const which = rng.int(4);
    const target = which === 0 ? j : which === 1 ? (isGraph(j) ? rng.pick(nodesOf(j)).attr ??= {} : rng.pick(layersOf(j)).config) : which === 2 ? j.modelTopology : rng.pick(weightsOf(j)) ?? j;
    const raw = JSON.stringify(j);
    // Written as text: JSON.stringify drops a "__proto__" own key set through assignment.
    if (target === j) return raw.replace('{', `{${JSON.stringify(key)}:${JSON.stringify(value)},`);
    target[`${key}-placeholder`] = value;
    return JSON.stringify(j).replace(`"${key}-placeholder"`, JSON.stringify(key));
  }),
  onJson('deep-nesting', 1, (j, rng) => {
    const depth = rng.pick([100, 5000, 200_000]);
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const where = rng.int(3);
    const raw = JSON.stringify(j);
    if (where === 0) return raw.replace('"modelTopology":', `"deep":${deep},"modelTopology":`);
    if (!isGraph(j)) {
      const layer = rng.pick(layersOf(j));
      layer.inbound_nodes = ['DEEP'];
    } else rng.pick(nodesOf(j)).attr = { deep: 'DEEP' };
    return JSON.stringify(j).replace('"DEEP"', rng.chance(0.5) ? deep : `${'{"args":['.repeat(depth)}${']}'.repeat(depth)}`);
  }),
  onJson('layers-topology', 2, (j, rng) => {
    if (isGraph(j)) {
      const nodes = nodesOf(j);
      const which = rng.int(4);
      if (which === 0) rng.pick(nodes).op = rng.pick(['Frobnicate', '', '__proto__', 'constructor', 'Const', 'Placeholder', 'Identity', 'Conv2D']);
      else if (which === 1) rng.pick(nodes).name = rng.pick([nodes[0].name, '', '__proto__', null, 7]);
      else if (which === 2) nodes.splice(rng.int(nodes.length), 1);
      else j.signature = rng.pick([{ inputs: { x: { name: 'nowhere:0' } } }, { outputs: { y: { name: nodes[0].name } } }, { inputs: 'x' }, null]);
      return;
    }
    const layers = layersOf(j);
    const which = rng.int(5);
    const layer = rng.pick(layers);
    if (which === 0) layer.class_name = rng.pick(['Frob', '', '__proto__', 'constructor', 'toString', 'Sequential', 'Model', 'InputLayer', null]);
    else if (which === 1) layer.name = layer.config.name = rng.pick([layers[0].name ?? 'x', '', '__proto__', null]);
    else if (which === 2) layers.splice(rng.int(layers.length), 1);
    else if (which === 3) layers.reverse();
    else {
      const config = j.modelTopology.config;
      if (!Array.isArray(config)) config.output_layers = rng.pick([[], [['nowhere', 0, 0]], [[layers[0].name, 5, 0]], 'x', [[null]], null]);
      else j.modelTopology.class_name = rng.pick(['Model', 'Functional', 'Frob']);
    }
  }),
];

/** A layers model's inbound node made dangling or cyclic. */
function layerInbound(j: Json, rng: Random): void {
  const layers = layersOf(j);
  const i = rng.int(layers.length);
  const layer = layers[i];
  const later = layers[rng.range(i, layers.length - 1)];
  const name = (l: Json) => l.name ?? l.config?.name;
  const ref = rng.pick([[name(later), 0, 0, {}], [name(layer), 0, 0, {}], ['nowhere', 0, 0, {}], [name(layers[0]), 7, 0, {}], [name(layers[0]), 0, 3, {}], [null, 'a', {}], 'x', []]);
  if (!Array.isArray(layer.inbound_nodes) || !layer.inbound_nodes.length) layer.inbound_nodes = [[ref]];
  else if (rng.chance(0.5)) layer.inbound_nodes[0] = [ref];
  else layer.inbound_nodes.push(rng.pick([[ref], { args: [{ config: { keras_history: ref } }] }, null, 5]));
}
