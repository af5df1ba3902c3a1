/**
 * OpenVINO IR mutations made on the parsed document (layers, ports, edges,
 * `<data>` attributes), then written back as XML: edges to ports that do
 * not exist, cycles, huge shapes, Const ranges past the end of the .bin,
 * element types that disagree, absurd attributes, thousands of layers.
 */
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';
import { parseOvXml, serializeOvModel, type OvLayer, type OvModel } from './internals.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const parsed = new WeakMap<Uint8Array, OvModel>();

function onIr(kind: string, weight: number, edit: (m: OvModel, rng: Random, binLength: number) => void): Mutator {
  return {
    kind,
    weight,
    mutate(input: FuzzInput, rng: Random) {
      const bytes = mainBytes(input);
      let model = parsed.get(bytes);
      if (!model) {
        try {
          model = parseOvXml(text.decode(bytes));
        } catch {
          return input; // In a stack, an earlier mutation may have broken the XML: nothing to edit.
        }
        parsed.set(bytes, model);
      }
      const copy = structuredClone(model);
      edit(copy, rng, input.files.get('model.bin')?.length ?? 0);
      return withFile(input, input.main, utf8.encode(serializeOvModel(copy)));
    },
  };
}

const HUGE = [2 ** 31, 2 ** 32, 2 ** 53 + 1, 2 ** 63, 1e300, 0, 65536 ** 2];
const layersOf = (m: OvModel, type?: string) => (type ? m.layers.filter((l) => l.type === type) : m.layers);
const pickLayer = (m: OvModel, rng: Random, type?: string): OvLayer | undefined => {
  const list = layersOf(m, type);
  return list.length ? rng.pick(list) : undefined;
};

export const irEdits: Mutator[] = [
  onIr('port-edge', 3, (m, rng) => {
    const e = rng.pick(m.edges);
    const which = rng.int(6);
    if (which === 0) e.toPort = rng.pick([e.toPort + 7, 999, 2 ** 31]);
    else if (which === 1) e.fromPort = rng.pick([e.fromPort + 7, 999]);
    else if (which === 2) e.toLayer = rng.pick([9999, e.fromLayer, ...m.layers.map((l) => l.id)]);
    else if (which === 3) m.edges.push({ ...e });
    else if (which === 4) m.edges.splice(m.edges.indexOf(e), 1);
    else {
      const layer = rng.pick(m.layers);
      const ports = rng.chance(0.5) ? layer.inputs : layer.outputs;
      if (rng.chance(0.5) && ports.length) ports.pop();
      else ports.push({ id: rng.pick([0, 1, 50]), precision: 'f32', dims: [1], names: [] });
    }
  }),
  onIr('cycle', 2, (m, rng) => {
    // An edge into an earlier layer from a later one's output (or from the layer itself).
    const i = rng.int(m.edges.length);
    const e = m.edges[i]!;
    const later = m.edges.slice(i).filter((x) => x.toLayer !== e.toLayer);
    const from = rng.chance(0.3) || !later.length ? { layer: e.toLayer, port: layerPort(m, e.toLayer) } : (({ toLayer }) => ({ layer: toLayer, port: layerPort(m, toLayer) }))(rng.pick(later));
    if (from.port === undefined) return;
    e.fromLayer = from.layer;
    e.fromPort = from.port;
  }),
  onIr('huge-shape', 3, (m, rng) => {
    const which = rng.int(3);
    if (which === 0) {
      const layer = pickLayer(m, rng)!;
      const port = rng.pick([...layer.inputs, ...layer.outputs]);
      if (!port) return;
      if (rng.chance(0.2)) port.dims = Array.from({ length: rng.pick([9, 100, 10_000]) }, () => 1);
      else if (port.dims.length) port.dims[rng.int(port.dims.length)] = rng.pick(HUGE);
      else port.dims = [rng.pick(HUGE)];
    } else {
      const layer = pickLayer(m, rng, which === 1 ? 'Const' : 'Parameter');
      if (!layer) return;
      const dims = (layer.data['shape'] ?? '').split(',');
      dims[rng.int(dims.length)] = String(rng.pick([...HUGE, -5, '?', '1..9999999999', '', 'x']));
      layer.data['shape'] = rng.chance(0.1) ? Array.from({ length: 1000 }, () => '2').join(',') : dims.join(',');
    }
  }),
  onIr('bin-range', 3, (m, rng, binLength) => {
    const layer = pickLayer(m, rng, 'Const');
    if (!layer) return;
    const offset = Number(layer.data['offset']);
    const size = Number(layer.data['size']);
    const key = rng.chance(0.5) ? 'offset' : 'size';
    layer.data[key] = String(
      rng.pick([binLength, binLength - 1, binLength + 1, 2 ** 32, 2 ** 53, 2 ** 64, -1, -(2 ** 31), 'NaN', '1e3', '0x10', '', key === 'offset' ? binLength - size + 1 : size + 1, key === 'offset' ? offset + 1 : size - 1, 0]),
    );
  }),
  onIr('element-type', 2, (m, rng) => {
    const types = ['f32', 'f16', 'bf16', 'f64', 'i4', 'u4', 'i8', 'u8', 'i16', 'i32', 'i64', 'u1', 'nf4', 'f8e4m3', 'string', 'dynamic', '', 'boolean'];
    const layer = rng.pick(m.layers);
    if (rng.chance(0.5) && layer.data['element_type'] !== undefined) layer.data['element_type'] = rng.pick(types);
    else if (layer.data['destination_type'] !== undefined) layer.data['destination_type'] = rng.pick(types);
    else {
      const port = rng.pick([...layer.inputs, ...layer.outputs]);
      if (port) port.precision = rng.pick(['f32', 'f16', 'i64', 'u8', 'boolean', 'i4', undefined]);
    }
  }),
  onIr('absurd-attribute', 3, (m, rng) => {
    const withData = m.layers.filter((l) => Object.keys(l.data).length);
    // A stack's earlier edit may have left no layer with attributes.
    if (!withData.length) return;
    const layer = rng.pick(withData);
    const keys = Object.keys(layer.data);
    const key = rng.chance(0.8) ? rng.pick(keys) : rng.pick(['group', 'axis', 'auto_pad', 'special_zero', 'levels', 'batch_dims']);
    layer.data[key] = String(rng.pick(['0', '-1', '2147483648', '1e308', 'NaN', 'Infinity', '', '0,0', '-1,-1', '1,2,3,4,5,6,7,8', 'abc', '99999999999999999999', 'same_upper', 'true', '?', '4294967297, 1']));
  }),
  onIr('huge-count', 0.6, (m, rng) => {
    const which = rng.int(3);
    if (which === 0) {
      // Thousands of copies of a layer, each with its own id: a graph wide enough to test every loop.
      const layer = pickLayer(m, rng)!;
      let id = Math.max(...m.layers.map((l) => l.id)) + 1;
      for (let i = rng.pick([1000, 5000]); i > 0; i--) m.layers.push({ ...layer, id: id++ });
    } else if (which === 1) {
      const e = rng.pick(m.edges);
      for (let i = rng.pick([1000, 20_000]); i > 0; i--) m.edges.push({ ...e });
    } else {
      // A chain of thousands of layers: recursion over the graph must not follow it.
      const relu = pickLayer(m, rng, 'ReLU') ?? pickLayer(m, rng)!;
      const out = relu.outputs[0];
      if (!out) return;
      let from = relu.id;
      let id = Math.max(...m.layers.map((l) => l.id)) + 1;
      const readers = m.edges.filter((e) => e.fromLayer === relu.id);
      for (let i = 0; i < 2000; i++, id++) {
        m.layers.push({ id, name: `chain${i}`, type: 'ReLU', version: 'opset1', data: {}, inputs: [{ ...out, id: 0, names: [] }], outputs: [{ ...out, id: 1, names: [] }], rtInfo: [] });
        m.edges.push({ fromLayer: from, fromPort: from === relu.id ? out.id : 1, toLayer: id, toPort: 0 });
        from = id;
      }
      for (const e of readers) Object.assign(e, { fromLayer: from, fromPort: 1 });
    }
  }),
  onIr('duplicate-id', 1.5, (m, rng) => {
    const a = rng.pick(m.layers);
    const b = rng.pick(m.layers);
    if (rng.chance(0.5)) b.id = a.id;
    else if (a.outputs[0] && a.inputs[0]) a.outputs[0].id = a.inputs[0].id;
    else a.name = b.name;
  }),
  onIr('missing', 1.5, (m, rng) => {
    const type = rng.pick(['Result', 'Parameter', 'Const', undefined]);
    const layer = pickLayer(m, rng, type);
    if (layer) m.layers.splice(m.layers.indexOf(layer), 1);
  }),
  onIr('version', 1, (m, rng) => {
    if (rng.chance(0.4)) m.version = rng.pick([0, 1, 9, 12, -1, 2 ** 53]);
    else rng.pick(m.layers).version = rng.pick(['opset0', 'opset999', '', 'extension', 'opset1e3', '__proto__']);
  }),
  onIr('names', 1.5, (m, rng) => {
    const layer = rng.pick(m.layers);
    const hostile = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'x'.repeat(100_000), '../../etc/passwd', 'a,b', '\u0001']);
    const which = rng.int(3);
    if (which === 0) layer.type = hostile;
    else if (which === 1) layer.name = hostile;
    else {
      const port = layer.outputs[0];
      if (port) port.names = [hostile, ...(rng.chance(0.5) ? [hostile] : [])];
    }
  }),
];

function layerPort(m: OvModel, id: number): number | undefined {
  return m.layers.find((l) => l.id === id)?.outputs[0]?.id;
}
