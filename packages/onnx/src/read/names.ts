/**
 * How a file's names and shapes appear in messages: a hostile file carries
 * names of megabytes and shapes of thousands of dimensions, and a message must
 * stay readable.
 */

/** Longest name quoted whole in a message. */
const MAX_QUOTED = 80;

/** A name from a file, quoted for a message: control characters escaped, long names cut. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > MAX_QUOTED ? `${name.slice(0, MAX_QUOTED - 3)}...` : name);
}

/** Dimensions shown before the rest are summarised. */
const MAX_DIMS_SHOWN = 8;

/** A shape for a message: [1, 3, 224, 224], or its first dimensions and the rank. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length <= MAX_DIMS_SHOWN) return `[${shape.join(', ')}]`;
  return `[${shape.slice(0, MAX_DIMS_SHOWN).join(', ')}, ... (${shape.length} dimensions)]`;
}
