/** Mutations of graph structure: cycles, names defined twice or never, and subgraphs nested deep. */
import { AttrKind, AttributeProtoSchema, GraphProtoSchema, NodeProtoSchema, ValueInfoProtoSchema, create, type GraphProto, type ModelProto } from '@condense/onnx/proto';
import type { Random } from '../../../helpers/random.js';
import type { ProtoEdit } from './proto-edit.js';
import { graphsOf, nodesOf, valueNamesOf } from './proto-tree.js';

/** Nesting depths: shallow, around the decoder's recursion limit (3 messages per level), and far past it. */
const DEPTHS = [1, 2, 8, 30, 32, 33, 34, 40, 120];

function graphWithNodes(m: ModelProto, rng: Random, min = 1): GraphProto | undefined {
  const graphs = graphsOf(m).filter((g) => g.node.length >= min);
  return graphs.length ? rng.pick(graphs) : undefined;
}

export const graphEdits: ProtoEdit[] = [
  {
    kind: 'cycle',
    weight: 2,
    edit(m, rng) {
      const g = graphWithNodes(m, rng, 2);
      if (!g) return;
      // A node reading the output of itself or of a node after it: in a file in
      // topological order, that later node usually depends on it.
      const i = rng.int(g.node.length);
      const j = rng.chance(0.2) ? i : rng.range(i, g.node.length - 1);
      const reader = g.node[i]!;
      const later = g.node[j]!.output.filter(Boolean);
      if (!later.length) return;
      const slot = reader.input.length && rng.chance(0.8) ? rng.int(reader.input.length) : reader.input.length;
      reader.input[slot] = rng.pick(later);
    },
  },
  {
    kind: 'duplicate-name',
    weight: 2,
    edit(m, rng) {
      const g = graphWithNodes(m, rng);
      if (!g) return;
      const names = valueNamesOf(g);
      const node = rng.pick(g.node);
      switch (rng.int(6)) {
        case 0: // an output named like another value
          if (node.output.length) node.output[rng.int(node.output.length)] = rng.pick(names);
          break;
        case 1: // an initializer twice
          if (g.initializer.length) g.initializer.push(rng.pick(g.initializer));
          break;
        case 2: // a node twice: every output produced twice
          g.node.splice(rng.int(g.node.length + 1), 0, node);
          break;
        case 3: // a graph input twice, or an input named like a node output
          if (g.input.length) g.input.push(rng.chance(0.5) ? rng.pick(g.input) : create(ValueInfoProtoSchema, { ...rng.pick(g.input), name: rng.pick(names) }));
          break;
        case 4: // two nodes with one name
          node.name = rng.pick(g.node).name;
          break;
        default: // an attribute twice
          if (node.attribute.length) node.attribute.push(rng.pick(node.attribute));
      }
    },
  },
  {
    kind: 'missing-name',
    weight: 2,
    edit(m, rng) {
      const g = graphWithNodes(m, rng);
      if (!g) return;
      const node = rng.pick(g.node);
      switch (rng.int(6)) {
        case 0:
          if (node.input.length) node.input[rng.int(node.input.length)] = '';
          break;
        case 1:
          if (node.output.length) node.output[rng.int(node.output.length)] = '';
          break;
        case 2: // a producer removed: its outputs dangle
          g.node.splice(g.node.indexOf(node), 1);
          break;
        case 3:
          if (g.initializer.length) g.initializer.splice(rng.int(g.initializer.length), 1);
          break;
        case 4:
          if (g.output.length) g.output[rng.int(g.output.length)]!.name = '';
          break;
        default: // no outputs at all, or no inputs
          if (rng.chance(0.5)) g.output = [];
          else g.input = [];
      }
    },
  },
  {
    kind: 'dangling-input',
    weight: 2,
    edit(m, rng) {
      const g = graphWithNodes(m, rng);
      if (!g) return;
      const ghost = `ghost_${rng.int(1000)}`;
      if (rng.chance(0.7)) {
        const node = rng.pick(g.node);
        const slot = node.input.length && rng.chance(0.8) ? rng.int(node.input.length) : node.input.length;
        node.input[slot] = ghost;
      } else if (g.output.length) {
        g.output[rng.int(g.output.length)]!.name = ghost;
      }
    },
  },
  {
    kind: 'deep-nesting',
    weight: 2,
    edit(m, rng) {
      const nodes = nodesOf(m);
      if (!nodes.length || !m.graph) return;
      const depth = rng.pick(DEPTHS);
      // The innermost body reads a value of the main graph (a capture across every level).
      const outer = rng.pick(valueNamesOf(m.graph));
      let body = create(GraphProtoSchema, {
        name: 'body0',
        node: [create(NodeProtoSchema, { opType: 'Identity', input: [outer], output: ['inner_out'] })],
        output: [create(ValueInfoProtoSchema, { name: 'inner_out' })],
      });
      for (let level = 1; level < depth; level++) {
        const attr = rng.chance(0.8)
          ? create(AttributeProtoSchema, { name: 'body', type: AttrKind.GRAPH, g: body })
          : create(AttributeProtoSchema, { name: 'bodies', type: AttrKind.GRAPHS, graphs: [body, create(GraphProtoSchema, { name: `empty${level}` })] });
        const wrapper = create(NodeProtoSchema, { opType: rng.pick(['Loop', 'If', 'Scan', 'Custom']), input: [], output: [`level${level}_out`], attribute: [attr] });
        body = create(GraphProtoSchema, { name: `body${level}`, node: [wrapper], output: [create(ValueInfoProtoSchema, { name: `level${level}_out` })] });
      }
      const host = rng.pick(nodes).node;
      host.attribute.push(create(AttributeProtoSchema, { name: rng.chance(0.5) ? 'then_branch' : 'body', type: AttrKind.GRAPH, g: body }));
    },
  },
];
