import type { ModelProto } from '@condense/onnx/proto';
import type { Random } from '../../../helpers/random.js';

/** A mutation of the decoded message tree; the harness re-encodes the result. */
export interface ProtoEdit {
  kind: string;
  weight?: number;
  edit(model: ModelProto, rng: Random): void;
}
