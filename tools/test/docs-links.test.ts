/**
 * Every relative link in the guides and READMEs points at a file that exists,
 * and every #anchor at a heading that exists, so a renamed guide or section
 * shows up here instead of as a dead link for a reader.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.join(e.parentPath, e.name));
}

const packageReadmes = readdirSync(path.join(root, 'packages'))
  .map((d) => path.join(root, 'packages', d, 'README.md'))
  .filter((f) => existsSync(f));
const documents = [path.join(root, 'README.md'), ...markdownUnder(path.join(root, 'docs')), ...packageReadmes].sort();

/** Markdown without fenced code blocks, where `#` and link syntax are only text. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** ... and without inline code either. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** Link targets: inline [text](target "title"), images, and reference definitions [id]: target. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const defined = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!);
  return [...inline, ...defined];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[*`]/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  // Explicit anchors (<a id="x"> or name="x") count too.
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

function brokenLinks(file: string): string[] {
  const markdown = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto: ...
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    const where = `${path.relative(root, file)} -> ${target}`;
    if (!existsSync(resolved)) {
      broken.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      broken.push(`${where}: #${anchor} points into something that is not a Markdown file`);
    } else if (!headingAnchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
      broken.push(`${where}: no heading with that anchor`);
    }
  }
  return broken;
}

describe('documentation links', () => {
  it('reads the guides it is meant to check', () => {
    const names = documents.map((f) => path.relative(root, f));
    expect(names).toContain('README.md');
    expect(names).toContain('docs/README.md');
    expect(names).toContain('packages/core/README.md');
  });

  it('finds the links and anchors it checks (the parser itself)', () => {
    const sample = '# A `code` Title!\n## Float16\n## Float16\n[x](a.md#b) ![i](img.png "t") `[no](skip.md)`\n```\n[no](skip2.md)\n```\n[ref]: ./c.md\n';
    expect(linkTargets(sample)).toEqual(['a.md#b', 'img.png', './c.md']);
    expect([...headingAnchors(sample)]).toEqual(['a-code-title', 'float16', 'float16-1']);
  });

  it('reports a missing file and a missing heading, and accepts a good anchor', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'condense-links-'));
    try {
      writeFileSync(path.join(dir, 'b.md'), '# Real heading\n');
      writeFileSync(path.join(dir, 'a.md'), '# A\n[x](missing.md) [y](#nope) [z](b.md#real-heading) [w](#a) [v](https://example.com/x.md)\n');
      const broken = brokenLinks(path.join(dir, 'a.md'));
      expect(broken).toHaveLength(2);
      expect(broken[0]).toMatch(/missing\.md: no such file$/);
      expect(broken[1]).toMatch(/#nope: no heading with that anchor$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const generated = path.join(root, 'docs/api');
  for (const file of documents.filter((f) => !f.startsWith(generated + path.sep))) {
    it(`${path.relative(root, file)}: every relative link and #anchor resolves`, () => {
      expect(brokenLinks(file)).toEqual([]);
    });
  }

  it('docs/api (generated): every relative link and #anchor resolves', () => {
    const api = documents.filter((f) => f.startsWith(generated + path.sep));
    expect(api.length).toBeGreaterThan(10);
    expect(api.flatMap(brokenLinks)).toEqual([]);
  });
});
