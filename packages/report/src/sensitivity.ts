import type { PassRecord } from '@condense/core';
import type { CompressionReport, LayerRow } from './types.js';

type Ranking = CompressionReport['sensitivity'];

/** A pass's own ranking: facts.sensitivity as [{ layer, score, unit }] or quantize-static's [{ layer, sqnrGainDb }], most harmful first. */
function fromFacts(facts: Record<string, unknown>): Ranking | undefined {
  const list = facts['sensitivity'];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const ranking: Ranking = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const e = entry as Record<string, unknown>;
    if (typeof e['layer'] !== 'string') return undefined;
    if (typeof e['score'] === 'number') ranking.push({ layer: e['layer'], score: e['score'], unit: typeof e['unit'] === 'string' ? e['unit'] : '' });
    else if (typeof e['sqnrGainDb'] === 'number') ranking.push({ layer: e['layer'], score: e['sqnrGainDb'], unit: 'dB output SQNR gained in float' });
    else return undefined;
  }
  return ranking;
}

/**
 * The layers ranked by harm: the last pass that measured its own ranking
 * (quantize-static with sensitivity or maxDrop measures what keeping each
 * layer in float would gain) wins; otherwise the measured output SQNR, lowest
 * first (a layer's figure includes the error of the layers before it).
 */
export function sensitivityRanking(passes: PassRecord[], layers: LayerRow[]): Ranking {
  for (const p of [...passes].reverse()) {
    const ranking = fromFacts(p.facts);
    if (ranking) return ranking;
  }
  return layers
    .filter((l): l is LayerRow & { sqnrDb: number } => l.sqnrDb !== null)
    .sort((a, b) => (a.sqnrDb === b.sqnrDb ? 0 : a.sqnrDb < b.sqnrDb ? -1 : 1))
    .map((l) => ({ layer: l.name, score: l.sqnrDb, unit: 'dB' }));
}
