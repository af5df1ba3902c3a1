import { escapeXml } from '../xml/escape.js';
import { precisionOf } from './element-type.js';
import { joinNames, type OvLayer, type OvModel, type OvPort } from './model.js';

/** The model as OpenVINO IR XML, indented with tabs as OpenVINO writes it. */
export function serializeOvModel(model: OvModel): string {
  const out: string[] = ['<?xml version="1.0"?>', `<net name="${escapeXml(model.name)}" version="${model.version}">`, '\t<layers>'];
  for (const layer of model.layers) writeLayer(out, layer);
  out.push('\t</layers>', '\t<edges>');
  for (const e of model.edges) out.push(`\t\t<edge from-layer="${e.fromLayer}" from-port="${e.fromPort}" to-layer="${e.toLayer}" to-port="${e.toPort}" />`);
  out.push('\t</edges>');
  if (model.rtInfo.length) {
    out.push('\t<rt_info>');
    // Entry names become element names, so only XML names can be written.
    for (const [name, value] of model.rtInfo.filter(([n]) => /^[A-Za-z_][\w.-]*$/.test(n))) out.push(`\t\t<${name} value="${escapeXml(value)}" />`);
    out.push('\t</rt_info>');
  }
  out.push('</net>', '');
  return out.join('\n');
}

function writeLayer(out: string[], layer: OvLayer): void {
  out.push(`\t\t<layer id="${layer.id}" name="${escapeXml(layer.name)}" type="${escapeXml(layer.type)}" version="${escapeXml(layer.version)}">`);
  const data = Object.entries(layer.data);
  if (data.length) out.push(`\t\t\t<data ${data.map(([k, v]) => `${k}="${escapeXml(v)}"`).join(' ')} />`);
  if (layer.rtInfo.length) {
    out.push('\t\t\t<rt_info>');
    for (const a of layer.rtInfo) out.push(`\t\t\t\t<attribute name="${escapeXml(a.name)}" version="${escapeXml(a.version)}" />`);
    out.push('\t\t\t</rt_info>');
  }
  writePorts(out, 'input', layer.inputs);
  writePorts(out, 'output', layer.outputs);
  out.push('\t\t</layer>');
}

function writePorts(out: string[], tag: 'input' | 'output', ports: readonly OvPort[]): void {
  if (!ports.length) return;
  out.push(`\t\t\t<${tag}>`);
  for (const p of ports) {
    const precision = p.precision ? ` precision="${precisionOf(p.precision)}"` : '';
    const names = p.names.length ? ` names="${escapeXml(joinNames(p.names))}"` : '';
    if (!p.dims.length) {
      out.push(`\t\t\t\t<port id="${p.id}"${precision}${names} />`);
      continue;
    }
    out.push(`\t\t\t\t<port id="${p.id}"${precision}${names}>`);
    for (const d of p.dims) out.push(`\t\t\t\t\t<dim>${d}</dim>`);
    out.push('\t\t\t\t</port>');
  }
  out.push(`\t\t\t</${tag}>`);
}
