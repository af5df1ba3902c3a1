import { CondenseError, quoted } from '@condense/core';
import { parseXml, type XmlElement } from '../xml/parse.js';
import { elementTypeOfPrecision } from './element-type.js';
import { describeLayer, splitNames, type OvEdge, type OvLayer, type OvModel, type OvPort } from './model.js';

/**
 * Reads the XML half of an OpenVINO IR into its layers and edges. Checks only
 * what is needed to hold the document (integer ids, known port precisions);
 * validateOpenvino checks the graph. Throws E_MODEL_INVALID.
 */
export function parseOvXml(xml: string): OvModel {
  const net = parseXml(xml);
  if (net.name !== 'net') fail(`the root element is <${net.name}>, expected <net>`, net);
  const version = Number(net.attrs['version']);
  if (!Number.isInteger(version)) fail('<net> has no integer "version" attribute', net);
  const layers = (child(net, 'layers')?.children ?? []).filter((e) => e.name === 'layer').map(readLayer);
  const edges = (child(net, 'edges')?.children ?? []).filter((e) => e.name === 'edge').map(readEdge);
  const rtInfo = (child(net, 'rt_info')?.children ?? []).map((e): [string, string] => [e.name, e.attrs['value'] ?? '']);
  return { name: net.attrs['name'] ?? '', version, layers, edges, rtInfo };
}

function readLayer(e: XmlElement): OvLayer {
  const id = integer(e, 'id');
  const type = e.attrs['type'];
  if (!type) fail(`layer ${id} has no "type" attribute`, e);
  const name = e.attrs['name'] ?? String(id);
  const where = describeLayer({ id, name, type });
  for (const body of ['body', 'then_body', 'else_body']) {
    if (child(e, body)) throw new CondenseError('E_UNSUPPORTED_OP', `${where} holds a sub-network <${body}>; loops and conditionals are not supported.`, { context: { node: name } });
  }
  return {
    id,
    name,
    type,
    version: e.attrs['version'] ?? '',
    data: { ...child(e, 'data')?.attrs },
    inputs: (child(e, 'input')?.children ?? []).filter((p) => p.name === 'port').map((p) => readPort(p, where)),
    outputs: (child(e, 'output')?.children ?? []).filter((p) => p.name === 'port').map((p) => readPort(p, where)),
    rtInfo: (child(e, 'rt_info')?.children ?? []).filter((a) => a.name === 'attribute').map((a) => ({ name: a.attrs['name'] ?? '', version: a.attrs['version'] ?? '' })),
  };
}

function readPort(e: XmlElement, where: string): OvPort {
  const id = integer(e, 'id', where);
  const text = e.attrs['precision'];
  const precision = text === undefined || text === 'UNSPECIFIED' ? undefined : elementTypeOfPrecision(text);
  if (text !== undefined && text !== 'UNSPECIFIED' && !precision) fail(`${where}: port ${id} has unknown precision ${quoted(text)}`, e);
  const dims = e.children.filter((d) => d.name === 'dim').map((d) => {
    const v = Number(d.text.trim());
    if (!Number.isInteger(v) || v < -1) fail(`${where}: port ${id} has dimension ${quoted(d.text.trim())}, expected a size or -1`, d);
    return v;
  });
  return { id, precision, dims, names: splitNames(e.attrs['names'] ?? '') };
}

function readEdge(e: XmlElement): OvEdge {
  return { fromLayer: integer(e, 'from-layer'), fromPort: integer(e, 'from-port'), toLayer: integer(e, 'to-layer'), toPort: integer(e, 'to-port') };
}

function child(e: XmlElement, name: string): XmlElement | undefined {
  return e.children.find((c) => c.name === name);
}

function integer(e: XmlElement, attr: string, where?: string): number {
  const text = e.attrs[attr];
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(v) || v < 0) fail(`${where ? `${where}: ` : ''}<${e.name}> has ${text === undefined ? `no "${attr}" attribute` : `${attr}=${quoted(text)}`}, expected a non-negative integer`, e);
  return v;
}

function fail(why: string, e: XmlElement): never {
  throw new CondenseError('E_MODEL_INVALID', `OpenVINO IR: ${why} (line ${e.line}).`);
}
