import type { Fidelity, Model, PassRecord, Runtime, Tensor } from '@condense/core';

/** A model's size in bytes: raw, and as web servers send it when the caller measured that. */
export interface SizeFigures {
  bytes: number;
  gzip?: number;
  brotli?: number;
  /**
   * 'file': the encoded model as the caller measured it. 'weights': the bytes of
   * its stored constants only (the caller gave no file sizes; the container's
   * few kilobytes of graph are left out).
   */
  source?: 'file' | 'weights';
}

export interface LayerRow {
  /** Node name in the original model (a Conv/ConvTranspose/Gemm/MatMul with constant weights). */
  name: string;
  op: string;
  /** Elements of the weights the layer computes with (decoded: quantization keeps the count, pruning and factorization lower it). */
  parameters: { before: number; after: number };
  /** Stored bytes of the constants this layer reads (decode chains included, shared tables split). */
  bytes: { before: number; after: number };
  /** Output-activation SQNR vs the original, in dB, from a real runtime; null where not comparable. */
  sqnrDb: number | null;
  /** The compressed model's nodes that compute this layer (empty when none could be matched by name). */
  compressedNodes: string[];
  /** Why sqnrDb is null, when it is. */
  sqnrNote?: string;
}

export interface PassRow {
  pass: string;
  changed: boolean;
  nodesBefore: number;
  nodesAfter: number;
  ms: number;
  facts: Record<string, unknown>;
  warnings: string[];
}

export interface CompressionReport {
  version: 1;
  /** Display names (file names or the names the caller gives). */
  input: string;
  output: string;
  /** e.g. 'preset int8-weights'. */
  recipe: string;
  /** The Runtime's name used for measurements. */
  runtime?: string;
  summary: {
    size: { before: SizeFigures; after: SizeFigures };
    parameters: { before: number; after: number };
    /** Per sample; load-time weight decoders count 0. */
    macs?: { before: number; after: number };
    /** Top-1, when labelled data was given. */
    accuracy?: { before: number; after: number; samples: number };
    /** After vs before on the evaluation samples. */
    fidelity?: Fidelity;
    /** Median ms per batch, alternating runs in one process. */
    latency?: { beforeMs: number; afterMs: number; ratio: number; runs: number };
  };
  layers: LayerRow[];
  /** Most harmful first. */
  sensitivity: Array<{ layer: string; score: number; unit: string }>;
  passes: PassRow[];
  warnings: string[];
}

export type Samples = AsyncIterable<Record<string, Tensor>> | Iterable<Record<string, Tensor>>;

export interface BuildReportOptions {
  /** The original (keep a clone before compressing) and the result. */
  before: Model;
  after: Model;
  /** CompressResult.passes from core's compress(). */
  passes: PassRecord[];
  input?: string;
  output?: string;
  recipe?: string;
  /** File sizes when the caller knows them (the CLI does); otherwise the stored weight bytes stand in. */
  size?: { before: SizeFigures; after: SizeFigures };
  /** Without one, no fidelity/accuracy/latency/SQNR (the report says so). */
  runtime?: Runtime;
  /** Evaluation inputs; when absent and input shapes are static (but for the batch), a few deterministic random batches. */
  samples?: Samples;
  /** Top-1 labels aligned with samples: gives accuracy. */
  labels?: ArrayLike<number>;
  /** Default 256. */
  maxSamples?: number;
  /** Default 10 per model, alternating; 0 skips latency. */
  latencyRuns?: number;
  onProgress?: (done: number, total: number, message: string) => void;
}

export type ReportFormat = 'html' | 'md' | 'json';
