/**
 * The API reference (docs/api) is generated from the packages' TSDoc by
 * `pnpm docs:api` (typedoc.json). This test keeps it honest: every exported
 * symbol is documented, {@link} targets resolve, and the committed Markdown is
 * exactly what the sources generate now.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel, Logger, TSConfigReader, TypeDocReader } from 'typedoc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const committed = path.join(root, 'docs/api');
const config = JSON.parse(readFileSync(path.join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
const packageNames = config.entryPoints.map((dir) => (JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { name: string }).name);

/** TypeDoc's words for an undocumented reflection: `<name> (<kind>), defined in <package>/<path>, does not have any documentation`. */
const UNDOCUMENTED = /^(.+ \([A-Za-z]+\)), defined in @condense\/(\S+), does not have any documentation$/;

class CollectingLogger extends Logger {
  readonly warnings: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.warnings.push(message);
  }
}

let out: string;
let warnings: string[];

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'condense-api-'));
  const app = await Application.bootstrapWithPlugins(
    {
      options: path.join(root, 'typedoc.json'),
      tsconfig: path.join(root, 'tsconfig.json'),
      out,
      logLevel: 'Warn',
      validation: { notDocumented: true, notExported: false, invalidLink: true },
      packagesRequiringDocumentation: packageNames,
    },
    [new TypeDocReader(), new TSConfigReader()],
  );
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  if (!project) throw new Error(`typedoc could not convert the packages:\n${logger.warnings.join('\n')}`);
  app.validate(project);
  await app.generateOutputs(project);
  warnings = logger.warnings;
}, 180_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('API reference', () => {
  it('documents every exported symbol (members of anonymous object types excepted)', () => {
    const found = new Set<string>();
    for (const w of warnings) {
      const m = UNDOCUMENTED.exec(w);
      // An inline object type (`{ scale, zeroPoint }`, a pass's inferred options) is described by the comment of what owns it.
      if (m && !m[1]!.includes('.__type.')) found.add(`${m[2]}: ${m[1]}`);
    }
    expect([...found].sort(), 'exported without a TSDoc comment: add one').toEqual([]);
  });

  it('resolves every {@link} in the TSDoc', () => {
    expect(warnings.filter((w) => /Failed to resolve link/.test(w))).toEqual([]);
  });

  it('exports every type the API refers to (no "referenced but not included" warnings)', () => {
    expect(warnings.filter((w) => /referenced by .* but not included in the documentation/.test(w))).toEqual([]);
  });

  it('docs/api is what `pnpm docs:api` generates from the sources now', () => {
    const generated = files(out);
    expect(generated.length, 'typedoc wrote nothing').toBeGreaterThan(10);
    expect(files(committed), 'files in docs/api differ: run `pnpm docs:api`').toEqual(generated);
    const stale = generated.filter((f) => readFileSync(path.join(out, f), 'utf8') !== readFileSync(path.join(committed, f), 'utf8'));
    expect(stale, 'out of date: run `pnpm docs:api`').toEqual([]);
  });
});
