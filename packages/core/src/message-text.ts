/**
 * How a file's names and shapes appear in messages: a hostile file carries
 * names of megabytes and shapes of thousands of dimensions, and a message must
 * stay readable. Every loader quotes through these.
 */

/** Longest name quoted whole in a message. */
const MAX_QUOTED = 80;

/** A name or other text from a file, quoted for a message: control characters escaped, long text cut. */
export function quoted(text: unknown): string {
  const s = String(text);
  return JSON.stringify(s.length > MAX_QUOTED ? `${s.slice(0, MAX_QUOTED - 3)}...` : s);
}

/** Dimensions shown before the rest are summarised. */
const MAX_DIMS_SHOWN = 8;

/** A shape for a message: [1, 3, 224, 224], or its first dimensions and the rank. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length <= MAX_DIMS_SHOWN) return `[${shape.join(', ')}]`;
  return `[${shape.slice(0, MAX_DIMS_SHOWN).join(', ')}, ... (${shape.length} dimensions)]`;
}
