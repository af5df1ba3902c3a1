// Runs in the page: the runtime conformance suite, one result per check, so the
// test in Node can name every failing check rather than stop at the first.
import type { Runtime } from '@condense/core';
import { runtimeConformance } from '@condense/core/testing';

export async function conformanceResults(runtime: () => Runtime): Promise<Array<{ name: string; error?: string }>> {
  const results = [];
  for (const check of runtimeConformance(runtime, { tolerance: 1e-4 })) {
    try {
      await check.run();
      results.push({ name: check.name });
    } catch (e) {
      results.push({ name: check.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return results;
}
