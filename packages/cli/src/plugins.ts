import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CondenseError, type PassRegistry } from '@condense/core';

/** A plugin's passes: an exported `passes` array, a default export (a pass or an array), or every exported pass. */
function passesOf(mod: Record<string, unknown>): unknown[] {
  if (Array.isArray(mod['passes'])) return mod['passes'];
  const def = mod['default'];
  if (Array.isArray(def)) return def;
  if (def && typeof def === 'object' && Array.isArray((def as Record<string, unknown>)['passes'])) return (def as { passes: unknown[] }).passes;
  if (def && typeof def === 'object' && 'run' in def) return [def];
  return Object.values(mod).filter((v) => v && typeof v === 'object' && 'run' in v && 'name' in v);
}

/**
 * Loads a plugin (a local .js/.mjs file or an installed npm package, resolved
 * from the working folder) and registers its passes.
 */
export async function loadPlugin(spec: string, registry: PassRegistry, cwd = process.cwd()): Promise<string[]> {
  const looksLikePath = spec.startsWith('.') || path.isAbsolute(spec) || /\.[cm]?js$/.test(spec);
  let url: string;
  if (looksLikePath) {
    const file = path.resolve(cwd, spec);
    if (!existsSync(file)) throw new CondenseError('E_PLUGIN', `Plugin ${spec} does not exist (looked for ${file}).`);
    url = pathToFileURL(file).href;
  } else {
    try {
      url = pathToFileURL(createRequire(path.join(cwd, 'package.json')).resolve(spec)).href;
    } catch {
      throw new CondenseError('E_PLUGIN', `Plugin package "${spec}" is not installed here; run "npm install ${spec}" or give a path to a .mjs file.`);
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new CondenseError('E_PLUGIN', `Plugin ${spec} failed to load: ${(e as Error).message}`, { cause: e });
  }
  const passes = passesOf(mod);
  if (passes.length === 0) {
    throw new CondenseError('E_PLUGIN', `Plugin ${spec} exports no passes; export them as "passes" (an array), as the default export, or as named exports made with definePass.`);
  }
  const names: string[] = [];
  for (const pass of passes) {
    try {
      registry.register(pass, `plugin ${spec}`);
    } catch (e) {
      throw new CondenseError('E_PLUGIN', (e as Error).message, { cause: e });
    }
    names.push((pass as { name: string }).name);
  }
  return names;
}
