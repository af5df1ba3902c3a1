/**
 * Stable error codes. A caller (the CLI, a CI script) branches on the code;
 * the message is for people and may be reworded.
 */
export type ErrorCode =
  | 'E_FILE_NOT_FOUND'
  | 'E_NOT_A_FILE'
  | 'E_IO'
  | 'E_ONNX_PARSE'
  | 'E_MODEL_INVALID'
  | 'E_MODEL_TOO_LARGE'
  | 'E_UNSUPPORTED_DTYPE'
  | 'E_UNSUPPORTED_OP'
  | 'E_PATH_ESCAPE'
  | 'E_EXTERNAL_DATA'
  | 'E_SHAPE_INFERENCE'
  | 'E_GRAPH_MUTATION'
  | 'E_BAD_OPTION'
  | 'E_OUTPUT_EXISTS'
  | 'E_BAD_PASS'
  | 'E_BAD_RECIPE'
  | 'E_UNKNOWN_PASS'
  | 'E_PASS_FAILED'
  | 'E_INVALID_GRAPH'
  | 'E_PLUGIN'
  | 'E_RUNTIME'
  | 'E_RUNTIME_UNAVAILABLE'
  | 'E_INTERNAL';

export interface ErrorContext {
  file?: string;
  node?: string;
  value?: string;
  pass?: string;
  adapter?: string;
}

export class CondenseError extends Error {
  override readonly name = 'CondenseError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isCondenseError(e: unknown): e is CondenseError {
  return e instanceof CondenseError;
}

/** One finding about a graph: what validate(), supports() and check() return. */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  node?: string;
  value?: string;
}
