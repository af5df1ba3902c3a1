import { isCondenseError } from '@condense/core';
import type { ErrorInfo } from './protocol.js';

/** A thrown value as data that survives postMessage: a CondenseError keeps its code and message. */
export function errorInfo(e: unknown): ErrorInfo {
  if (isCondenseError(e)) return { code: e.code, message: e.message };
  return { message: e instanceof Error ? e.message : String(e) };
}
