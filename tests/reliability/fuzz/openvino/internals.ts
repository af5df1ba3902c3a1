/**
 * The OpenVINO package's XML model reader and writer, which its public entry
 * does not export: the fuzz parses a seed's XML into layers and edges with
 * one, edits them, and writes the mutant with the other.
 */
export { parseOvXml } from '../../../../packages/export-openvino/dist/ir/parse.js';
export { serializeOvModel } from '../../../../packages/export-openvino/dist/ir/serialize.js';
export type { OvModel, OvLayer } from '../../../../packages/export-openvino/dist/ir/model.js';
