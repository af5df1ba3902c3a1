import type { Fidelity, Model, PassRecord, Runtime, Tensor } from '@condense/core';

/** A model's size in bytes: raw, and as web servers send it when the caller measured that. */
export interface SizeFigures {
  /** Bytes as stored, uncompressed. */
  bytes: number;
  /** Bytes once gzip-compressed, when measured. */
  gzip?: number;
  /** Bytes once brotli-compressed, when measured. */
  brotli?: number;
  /**
   * 'file': the encoded model as the caller measured it. 'weights': the bytes of
   * its stored constants only (the caller gave no file sizes; the container's
   * few kilobytes of graph are left out).
   */
  source?: 'file' | 'weights';
}

/** One weighted layer of the original model, before and after compression. */
export interface LayerRow {
  /** Node name in the original model (a Conv/ConvTranspose/Gemm/MatMul with constant weights). */
  name: string;
  /** Its op type in the original model. */
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

/** One pass of the pipeline, as the report lists it (from core's PassRecord). */
export interface PassRow {
  /** The pass's name. */
  pass: string;
  /** Whether it changed the graph. */
  changed: boolean;
  /** Nodes in the graph before the pass. */
  nodesBefore: number;
  /** Nodes in the graph after the pass. */
  nodesAfter: number;
  /** Wall-clock time it took, in milliseconds. */
  ms: number;
  /** What the pass reported (counts, sizes, per-layer figures), by key. */
  facts: Record<string, unknown>;
  /** The messages of its warnings and errors. */
  warnings: string[];
}

/** What {@link buildReport} measures and every renderer shows; JSON-serializable. */
export interface CompressionReport {
  /** The report format's version, 1. */
  version: 1;
  /** Display names (file names or the names the caller gives). */
  input: string;
  /** Display name of the compressed model. */
  output: string;
  /** e.g. 'preset int8-weights'. */
  recipe: string;
  /** The Runtime's name used for measurements. */
  runtime?: string;
  /** Whole-model figures before and after; the measured ones only when a runtime (and samples or static shapes) allowed. */
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
  /** One row per weighted layer of the original model, in graph order. */
  layers: LayerRow[];
  /** Most harmful first. */
  sensitivity: Array<{ layer: string; score: number; unit: string }>;
  /** One row per pass, in the order they ran. */
  passes: PassRow[];
  /** What could not be measured or matched, and why. */
  warnings: string[];
}

/** Evaluation inputs: batches as feeds by input name, sync or async. */
export type Samples = AsyncIterable<Record<string, Tensor>> | Iterable<Record<string, Tensor>>;

/** What {@link buildReport} compares and how; only before, after and passes are required. */
export interface BuildReportOptions {
  /** The original (keep a clone before compressing) and the result. */
  before: Model;
  /** The compressed model. */
  after: Model;
  /** CompressResult.passes from core's compress(). */
  passes: PassRecord[];
  /** Display name of the original (default 'original model'). */
  input?: string;
  /** Display name of the compressed model (default 'compressed model'). */
  output?: string;
  /** How the recipe is described (default: the pass names, comma-separated). */
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
  /** Called as evaluation samples and latency runs complete ('evaluating', 'timing'). */
  onProgress?: (done: number, total: number, message: string) => void;
}

/** The formats a report renders to: offline HTML, Markdown or JSON. */
export type ReportFormat = 'html' | 'md' | 'json';
