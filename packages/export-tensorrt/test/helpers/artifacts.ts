/** The exported files, read back. */
import type { Model } from '@condense/core';
import { decodeModel } from '@condense/onnx';
import type { TensorrtArtifact } from '../../src/index.js';

export class Artifacts {
  readonly byName: Map<string, Uint8Array>;

  constructor(list: TensorrtArtifact[]) {
    this.byName = new Map(list.map((a) => [a.name, a.bytes]));
  }

  get names(): string[] {
    return [...this.byName.keys()].sort();
  }

  bytes(name: string): Uint8Array {
    const bytes = this.byName.get(name);
    if (!bytes) throw new Error(`no artifact "${name}" (have ${this.names.join(', ')})`);
    return bytes;
  }

  model(name: string): Model {
    return decodeModel(this.bytes(name));
  }

  text(name: string): string {
    return new TextDecoder().decode(this.bytes(name));
  }
}

/** The bits of `x` as a float32, to compare scales exactly. */
export const float32Bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;

/** Each quantized activation's Q/DQ scale in a QDQ model, by the float tensor's name. */
export function activationScales(model: Model): Map<string, number> {
  const scales = new Map<string, number>();
  for (const node of model.graph) {
    const v = node.inputs[0];
    if (node.op === 'QuantizeLinear' && v && !v.const) scales.set(v.name, node.inputs[1]!.const!.toNumbers()[0]!);
  }
  return scales;
}
