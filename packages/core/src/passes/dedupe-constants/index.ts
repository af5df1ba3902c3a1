import type { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';

/** FNV-1a over (a sample of) the bytes: equal tensors hash equal; byte comparison settles collisions. */
function fingerprint(t: Tensor): string {
  const bytes = t.dtype === 'string' ? new TextEncoder().encode(JSON.stringify(t.data())) : t.bytes();
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 4096));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return `${t.dtype}|${t.shape.join(',')}|${bytes.length}|${h >>> 0}`;
}

function equalBytes(a: Tensor, b: Tensor): boolean {
  if (a.dtype === 'string' || b.dtype === 'string') return JSON.stringify(a.data()) === JSON.stringify(b.data());
  const x = a.bytes();
  const y = b.bytes();
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The dedupe-constants pass: constants of identical type, shape and bytes become one. */
export const dedupeConstants = definePass({
  name: 'dedupe-constants',
  description: 'Makes identical constants (same type, shape and bytes) one, so the file holds each weight once.',
  run(graph, ctx) {
    const seen = new Map<string, Tensor[]>();
    const owner = new Map<Tensor, ReturnType<typeof graph.constants>[number]>();
    let merged = 0;
    let bytesSaved = 0;
    for (const v of graph.constants()) {
      // Unused constants are dead code's to remove; merging them would only inflate the saving reported.
      if (v.useCount === 0 || graph.inputs.includes(v) || v.isGraphOutput()) continue;
      const t = v.const!;
      const key = fingerprint(t);
      const twin = seen.get(key)?.find((other) => equalBytes(other, t));
      if (!twin) {
        seen.set(key, [...(seen.get(key) ?? []), t]);
        owner.set(t, v);
        continue;
      }
      v.replaceAllUsesWith(owner.get(twin)!);
      graph.deleteValue(v);
      merged++;
      bytesSaved += t.byteLength;
    }
    ctx.report('merged', merged);
    ctx.report('bytesSaved', bytesSaved);
    return merged > 0;
  },
});
