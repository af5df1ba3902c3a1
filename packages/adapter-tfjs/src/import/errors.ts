import { CondenseError } from '@condense/core';
import { quoted } from './check-json.js';

/**
 * Runs the conversion of one node or layer. Core's tensor helpers answer a
 * reshape or fill that cannot be done with E_BAD_OPTION, as a caller's
 * mistake; during an import the sizes come from the file, so it is the
 * model that is invalid, and the message names the node.
 */
export function asModelError<T>(node: string, convert: () => T): T {
  try {
    return convert();
  } catch (e) {
    if (!(e instanceof CondenseError)) throw e;
    if (e.code === 'E_BAD_OPTION') throw new CondenseError('E_MODEL_INVALID', `Node ${quoted(node)} cannot be imported: ${e.message}`, { cause: e, context: { ...e.context, node } });
    if (!e.context.node) throw new CondenseError(e.code, e.message, { cause: e.cause, context: { ...e.context, node } });
    throw e;
  }
}
