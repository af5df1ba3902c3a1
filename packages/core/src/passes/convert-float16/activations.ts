import { attr, getInt } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Use, Value } from '../../ir/value.js';
import { dtypeCode, type DType } from '../../tensor/dtype.js';
import { isShapeInput, readsAnyType } from './ops.js';
import { Casts, addFloat16Copy, float32Constants, replaceConstant, type Float16Stats } from './rewrite.js';

const FLOAT32 = dtypeCode('float32');

/**
 * Float16 compute: nodes in `half` take float16 wherever they took float32 data
 * and produce float16 where they produced float32; everything else keeps its
 * types. Constants all of whose readers want float16 are stored in float16;
 * wherever else a value's new type differs from what a reader wants, one Cast
 * per value bridges. Needs every value's type (run shape inference first).
 */
export function convertActivations(graph: Graph, half: ReadonlySet<Node>, keepIo: boolean, stats: Float16Stats): void {
  // What each input must be, decided on the original types before anything changes (undefined: any type will do).
  const wanted = new Map<Node, Array<DType | undefined>>();
  for (const node of graph) {
    wanted.set(
      node,
      node.inputs.map((v, i) => {
        if (!v?.type || readsAnyType(node, i)) return undefined;
        return half.has(node) && v.type.dtype === 'float32' && !isShapeInput(node, i) ? 'float16' : v.type.dtype;
      }),
    );
  }
  const outputTypes = graph.outputs.map((v) => v.type?.dtype);
  const wantsHalf = (u: Use) => u.index >= 0 && wanted.get(u.node)?.[u.index] === 'float16';
  for (const c of float32Constants(graph)) {
    const uses = c.uses();
    if (uses.length && !c.isGraphOutput() && uses.every(wantsHalf)) replaceConstant(graph, c, addFloat16Copy(graph, c, stats));
  }
  for (const node of half) {
    if (node.op === 'Cast' && getInt(node.attrs, 'to', 0) === FLOAT32) node.setAttr('to', attr.int(dtypeCode('float16')));
    for (const v of node.outputs) if (v?.type?.dtype === 'float32') v.type = { dtype: 'float16', shape: v.type.shape };
  }
  if (!keepIo) {
    // An input read inside a subgraph keeps its type: the body was written for it.
    for (const v of graph.inputs) {
      if (v.type?.dtype === 'float32' && !v.const && v.uses().every((u) => u.index >= 0)) v.type = { dtype: 'float16', shape: v.type.shape };
    }
  }
  const casts = new Casts(graph, stats);
  for (const [node, dtypes] of wanted) {
    dtypes.forEach((dtype, i) => {
      const v = node.inputs[i];
      if (v && dtype && v.type?.dtype !== dtype) node.replaceInput(i, casts.to(v, dtype as 'float16' | 'float32'));
    });
  }
  const bridged = new Map<Value, Value>();
  graph.outputs.forEach((v, i) => {
    const before = outputTypes[i];
    const want = keepIo || before !== 'float32' ? before : 'float16';
    if (!want || v.type?.dtype === want) return;
    let cast = bridged.get(v);
    if (!cast) {
      // The output keeps its name, which now belongs to the Cast's result.
      const name = v.name;
      cast = casts.to(v, want as 'float16' | 'float32');
      graph.rename(v, graph.uniqueName(`${name}_${v.type!.dtype}`));
      graph.rename(cast, name);
      bridged.set(v, cast);
    }
    graph.outputs[i] = cast;
  });
}
