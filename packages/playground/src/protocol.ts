/** Messages between the page (main thread) and the worker that holds the models. */
import type { Dim } from '@condense/core';
import type { CompressionReport } from '@condense/report';

export type Backend = 'wasm' | 'webgpu';

export interface PresetInfo {
  name: string;
  description: string;
  /** The preset's passes cannot run without sample data (they calibrate on it). */
  needsSamples: boolean;
}

export interface ModelInfo {
  name: string;
  bytes: number;
  nodes: number;
  parameters: number;
  opset: number | undefined;
  inputs: Array<{ name: string; dtype?: string; shape?: Dim[] }>;
  outputs: Array<{ name: string; dtype?: string; shape?: Dim[] }>;
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export interface CompressOutcome {
  report: CompressionReport;
  /** renderHtml(report): shown in a sandboxed frame. */
  html: string;
  /** formatSummary(report): a few plain lines. */
  summary: string;
  /** Where the evaluation samples came from, in words. */
  samples: string;
  output: NamedBytes;
}

/** One model on one backend. */
export interface Timing {
  medianMs: number;
  minMs: number;
}

export interface CompareOutcome {
  backend: Backend;
  samples: number;
  runs: number;
  before: Timing;
  after: Timing;
  /** Compressed against original on this backend. */
  top1Agreement: number;
  sqnrDb: number;
  /** The original model's outputs here against the same model on WASM, when WASM ran first. */
  vsWasmMaxAbs?: number;
}

export type Request =
  | { type: 'init'; ortBase: string }
  | { type: 'load'; file: NamedBytes }
  | { type: 'compress'; preset: string; images: NamedBytes[] }
  | { type: 'compare'; backend: Backend; runs: number };

export interface Responses {
  init: { presets: PresetInfo[] };
  load: ModelInfo;
  compress: CompressOutcome;
  compare: CompareOutcome;
}

/** A failure as data: CondenseError's code where there is one. */
export interface ErrorInfo {
  code?: string;
  message: string;
}

export type WorkerMessage =
  | { id: number; kind: 'progress'; message: string; done?: number; total?: number }
  | { id: number; kind: 'done'; result: unknown }
  | { id: number; kind: 'error'; error: ErrorInfo };
