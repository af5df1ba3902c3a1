import type { Diagnostic } from '../../errors.js';
import type { Model } from '../../ir/model.js';
import type { Runtime, SampleSource } from '../../runtime.js';

/** Events a pipeline emits while it runs (for progress bars and logs). */
export type PipelineEvent =
  | { type: 'pass-start'; pass: string; index: number; total: number }
  | { type: 'pass-end'; pass: string; index: number; total: number; changed: boolean; ms: number }
  | { type: 'progress'; pass: string; done: number; total: number; message?: string }
  | { type: 'diagnostic'; pass: string; diagnostic: Diagnostic };

/** What a pass receives besides the graph. */
export interface PassContext<O> {
  /** The pass's options, checked against its schema, defaults filled in. */
  readonly options: O;
  /** The whole model (opset imports, metadata); the pass edits model.graph. */
  readonly model: Model;
  /** A runtime to run the model with, when the caller gave one. */
  readonly runtime: Runtime | undefined;
  /** Calibration or evaluation samples, streamed, when the caller gave them. */
  readonly samples: SampleSource | undefined;
  /** Records a warning or note for the report. */
  warn(message: string, where?: { node?: string; value?: string }): void;
  /** Records a note for the report (not a warning). */
  info(message: string, where?: { node?: string; value?: string }): void;
  /** Reports progress through long work. */
  progress(done: number, total: number, message?: string): void;
  /**
   * Between two steps of long synchronous work (a layer's k-means): lets the
   * event loop run, so a Ctrl-C handler or a page stays responsive, then stops
   * the pass if the caller has aborted.
   */
  checkpoint(): Promise<void>;
  /** Adds a fact to this pass's entry in the report (counts, sizes, per-layer figures). */
  report(key: string, value: unknown): void;
  /** Set when the caller wants the pipeline stopped. */
  readonly signal: AbortSignal | undefined;
}
