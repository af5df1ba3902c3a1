import type { CompareOutcome } from '../protocol.js';
import { byId, el } from './dom.js';
import { formatDb, formatMs, formatPercent } from './format.js';

/** One row per backend (a rerun replaces its row); raw figures ride along in data-* attributes. */
export function showComparison(c: CompareOutcome): void {
  const body = byId('comparison').querySelector('tbody')!;
  body.querySelector(`tr[data-backend="${c.backend}"]`)?.remove();
  const row = el('tr', '', {
    'data-backend': c.backend,
    'data-before-ms': String(c.before.medianMs),
    'data-after-ms': String(c.after.medianMs),
    'data-top1': String(c.top1Agreement),
    'data-samples': String(c.samples),
    ...(c.vsWasmMaxAbs === undefined ? {} : { 'data-vs-wasm': String(c.vsWasmMaxAbs) }),
  });
  row.append(
    el('td', c.backend === 'wasm' ? 'WASM' : 'WebGPU'),
    el('td', formatMs(c.before.medianMs)),
    el('td', formatMs(c.after.medianMs)),
    el('td', `${(c.before.medianMs / c.after.medianMs).toFixed(2)}x`),
    el('td', `${formatPercent(c.top1Agreement)} of ${c.samples}`),
    el('td', formatDb(c.sqnrDb)),
    el('td', c.vsWasmMaxAbs === undefined ? '-' : `max |Δ| ${c.vsWasmMaxAbs.toExponential(1)}`),
  );
  body.append(row);
}
