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

/** Where an error happened, as data: a caller can point at the file, node or pass without parsing the message. */
export interface ErrorContext {
  /** The file being read or written. */
  file?: string;
  /** The name of the graph node involved. */
  node?: string;
  /** The name of the value (tensor) involved. */
  value?: string;
  /** The pass that was running. */
  pass?: string;
  /** The runtime adapter that failed (`cpu`, `wasm`, `cuda`, `webgpu`, `tfjs`, ...). */
  adapter?: string;
}

/**
 * The one error type condense throws for anything a user can cause: a stable
 * {@link ErrorCode}, a message that says what to do, the underlying `cause`
 * and an {@link ErrorContext}. Bad input never surfaces as another error type.
 */
export class CondenseError extends Error {
  /** Always `'CondenseError'`, so the type survives serialization and a second copy of the package. */
  override readonly name = 'CondenseError';
  /** What went wrong, stable across releases: branch on this, not on the message. */
  readonly code: ErrorCode;
  /** Where it went wrong (file, node, value, pass, adapter); empty when nothing more is known. */
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** Whether `e` is a {@link CondenseError} (a type guard for `catch` blocks). */
export function isCondenseError(e: unknown): e is CondenseError {
  return e instanceof CondenseError;
}

/** One finding about a graph: what validate(), supports() and check() return. */
export interface Diagnostic {
  /** `error` blocks the operation (a runtime cannot run it, an exporter cannot write it); `warning` and `info` are notes. */
  severity: 'error' | 'warning' | 'info';
  /** A stable code such as `E_UNSUPPORTED_OP`, for programs to branch on. */
  code: string;
  /** One sentence for people: what was found and what to do. */
  message: string;
  /** The name of the node it concerns, when there is one. */
  node?: string;
  /** The name of the value it concerns, when there is one. */
  value?: string;
}
