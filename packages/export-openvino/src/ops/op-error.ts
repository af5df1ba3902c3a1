/** A layer that breaks its op's rules; the caller adds which layer it is. */
export class OpError extends Error {
  override readonly name = 'OpError';
}

export function opFail(why: string): never {
  throw new OpError(why);
}
