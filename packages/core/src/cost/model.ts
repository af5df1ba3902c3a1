import { constantOf } from '../ir/constant.js';
import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { peakActivation } from './activations.js';
import { flopsCounted, nodeFlops } from './flops.js';
import { loadTimeNodes } from './load-time.js';
import { nodeMacs } from './macs.js';
import { bytesPerSample } from './shapes.js';

/** What one node costs. Per sample: a symbolic leading dimension is the batch and counts as 1. */
export interface LayerCost {
  /** The node's name. */
  node: string;
  /** Its operator type. */
  op: string;
  /** Elements of the constant tensors it reads (weights, biases, shape vectors); a tensor read by several nodes counts in each. */
  parameters: number;
  /** Their bytes as stored (sub-byte types packed). */
  parameterBytes: number;
  /** Multiply-accumulates (countMacs's count); undefined where a shape it needs is unknown. */
  macs: number | undefined;
  /** 2 per MAC plus simple element-wise and pooling arithmetic; undefined where a shape it needs is unknown. */
  flops: number | undefined;
  /** Bytes of its outputs; undefined where an output's shape or type is unknown. */
  activationBytes: number | undefined;
  /**
   * Every input is constant (a weight decoder such as DequantizeLinear or a
   * codebook Gather): runtimes compute it once at load, so its MACs, FLOPs and
   * activation bytes count 0 per inference. Its parameters still count.
   */
  loadTime: boolean;
}

/** The whole graph's cost per sample. */
export interface CostTotals {
  /** Elements of the distinct constant tensors the nodes read. */
  parameters: number;
  /** Their bytes as stored (sub-byte types packed). */
  parameterBytes: number;
  /** Sums over the layers whose figure is known (see unknown). */
  macs: number;
  /** FLOPs per sample, summed the same way. */
  flops: number;
  /** Sum of every layer's output bytes (what an execution that never frees would hold). */
  activationBytes: number;
}

/** What {@link costModel} returns: per-node costs, totals and peak activation memory, per sample. */
export interface CostModel {
  /** One entry per node of the top-level graph, in node order. */
  layers: LayerCost[];
  /** The totals over the layers. */
  total: CostTotals;
  /**
   * The most activation bytes alive at once in an execution in node order,
   * where each value is freed after its last reader (graph inputs and outputs
   * included); values of unknown size are left out, so with `unknown` not
   * empty it is a lower bound.
   */
  peakActivationBytes: number;
  /** The node running at the peak (undefined when the graph inputs alone are the peak). */
  peakAt: string | undefined;
  /** Nodes (and graph inputs) whose shapes are not known, left out of the sums: pin input shapes when inferring shapes. */
  unknown: string[];
  /** Op types whose arithmetic the model does not know (Softmax, Resize, ...): their FLOPs count 0. */
  uncountedOps: string[];
}

function constantInputs(node: Node): Value[] {
  return [...new Set(node.inputs.filter((v): v is Value => !!v && constantOf(v) !== undefined))];
}

/**
 * Parameters, MACs, FLOPs and activation memory of each node of the top-level
 * graph (subgraphs not included) and in total, per sample. Run inferShapes
 * first (with pinned input shapes where they are symbolic); sizes that stay
 * unknown are listed in `unknown`, never guessed.
 */
export function costModel(graph: Graph): CostModel {
  const loadTime = loadTimeNodes(graph);
  const unknown = graph.inputs.filter((v) => !v.const && bytesPerSample(v) === undefined).map((v) => v.name);
  const uncounted = new Set<string>();
  const distinct = new Set<Value>();
  const layers = [...graph].map((node): LayerCost => {
    const constants = constantInputs(node);
    constants.forEach((v) => distinct.add(v));
    const parameters = constants.reduce((n, v) => n + constantOf(v)!.size, 0);
    const parameterBytes = constants.reduce((n, v) => n + constantOf(v)!.byteLength, 0);
    const layer = { node: node.name, op: node.op, parameters, parameterBytes, loadTime: loadTime.has(node) };
    if (layer.loadTime) return { ...layer, macs: 0, flops: 0, activationBytes: 0 };
    if (!flopsCounted(node.op)) uncounted.add(node.op);
    const macs = nodeMacs(node);
    const flops = nodeFlops(node, macs);
    const outputs = node.outputs.filter((v): v is Value => !!v).map(bytesPerSample);
    const activationBytes = outputs.includes(undefined) ? undefined : (outputs as number[]).reduce((a, b) => a + b, 0);
    if (macs === undefined || flops === undefined || activationBytes === undefined) unknown.push(node.name);
    return { ...layer, macs, flops, activationBytes };
  });
  const sum = (figure: (l: LayerCost) => number | undefined) => layers.reduce((n, l) => n + (figure(l) ?? 0), 0);
  const fixed = [...distinct].map((v) => constantOf(v)!);
  const peak = peakActivation(graph, bytesPerSample, loadTime);
  return {
    layers,
    total: {
      parameters: fixed.reduce((n, t) => n + t.size, 0),
      parameterBytes: fixed.reduce((n, t) => n + t.byteLength, 0),
      macs: sum((l) => l.macs),
      flops: sum((l) => l.flops),
      activationBytes: sum((l) => l.activationBytes),
    },
    peakActivationBytes: peak.bytes,
    peakAt: peak.at,
    unknown,
    uncountedOps: [...uncounted].sort(),
  };
}
