/**
 * Help that keeps up with the code: every option a command parses appears in
 * its --help and in docs/cli.md, every help has examples, and every example
 * parses with the command's own option spec. The exit codes `condense --help`
 * documents are the ones the CLI returns.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/main.js';
import { condense, repoRoot, tinyCnn } from './helpers.js';

const docs = readFileSync(path.join(repoRoot, 'docs', 'cli.md'), 'utf8');
const escape = (s: string) => s.replace(/[-.]/g, '\\$&');

/** The example command lines of a help text: the lines under "Examples:" that start with "condense". */
function examples(help: string): string[][] {
  const [, section = ''] = help.split(/^Examples:$/m);
  return section.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('condense ')).map((l) => l.split(/\s+/));
}

describe.each(Object.entries(COMMANDS))('condense %s --help', (name, command) => {
  it('lists every option the command parses', () => {
    const missing = Object.entries(command.options).filter(([option, spec]) => {
      const long = new RegExp(`--${escape(option)}(?![\\w-])`).test(command.help);
      const short = spec.short === undefined || new RegExp(`(^|[\\s(\\[])-${spec.short}(?![\\w-])`).test(command.help);
      return !long || !short;
    });
    expect(missing.map(([o]) => o)).toEqual([]);
  });

  it('has an Examples section whose command lines parse, with known options only', () => {
    const lines = examples(command.help);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const [condenseWord, commandWord, ...args] of lines) {
      expect([condenseWord, commandWord]).toEqual(['condense', name]);
      // strict: an unknown option, or a value missing or given to a flag, throws here.
      const { values, positionals } = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
      expect(positionals.length, args.join(' ')).toBe(values['list'] ? 0 : 1);
    }
  });

  it('is documented in docs/cli.md with each option', () => {
    const section = docs.split(/^## /m).find((s) => s.startsWith(`condense ${name}`));
    expect(section, `docs/cli.md has no "## condense ${name}" section`).toBeDefined();
    const missing = Object.keys(command.options).filter((option) => !new RegExp(`--${escape(option)}(?![\\w-])`).test(section!));
    expect(missing).toEqual([]);
  });
});

describe('condense --help', () => {
  it('names every command and documents the exit codes', async () => {
    const r = await condense(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toMatch(/^Examples:$/m);
    for (const code of ['0', '1', '2', '130']) expect(r.stdout).toMatch(new RegExp(`^  ${code}\\s+\\S`, 'm'));
    expect(r.stdout).toMatch(/CONDENSE_DEBUG/);
  });
});

describe('exit codes are the documented ones', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'condense-help-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const notAModel = path.join(work, 'notes.onnx');
  writeFileSync(notAModel, 'hello, this is not a model\n');
  const cases: Array<[string, string[], number]> = [
    ['success', ['inspect', tinyCnn, '--json'], 0],
    ['each command\'s --help', ['compress', '--help'], 0],
    ['a missing model (error)', ['inspect', path.join(work, 'missing.onnx')], 1],
    ['a file that is not a model (error)', ['inspect', notAModel], 1],
    ['no command (usage)', [], 2],
    ['an unknown command (usage)', ['squash', tinyCnn], 2],
    ['an unknown option (usage)', ['inspect', tinyCnn, '--bogus'], 2],
    ['a bad option value (usage)', ['bench', tinyCnn, '--runs', 'many'], 2],
    ['the input as output without --force (usage)', ['convert', tinyCnn, '-o', tinyCnn], 2],
  ];
  for (const [what, args, code] of cases) {
    it(`${what}: ${code}`, async () => {
      const r = await condense(args);
      expect(r.code).toBe(code);
      if (code !== 0) expect(r.stderr.length + r.stdout.length).toBeGreaterThan(0);
    });
  }
});
