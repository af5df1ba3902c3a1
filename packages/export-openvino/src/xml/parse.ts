import { CondenseError, quoted } from '@condense/core';

/** One element of a parsed document: attributes, child elements and its own text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

/** Deepest element nesting read; IR documents nest about 6 deep. */
const MAX_DEPTH = 256;

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A small non-validating XML parser for OpenVINO IR: elements, attributes,
 * text, comments, CDATA, processing instructions and a DOCTYPE without an
 * internal subset. No external entities are ever resolved. Throws
 * E_MODEL_INVALID with the line of the first error.
 */
export function parseXml(source: string): XmlElement {
  return new Parser(source).document();
}

class Parser {
  #s: string;
  #i = 0;
  #depth = 0;
  /** Offsets of every newline, so a line number costs a binary search, not a scan. */
  #newlines: number[] = [];

  constructor(source: string) {
    // A byte order mark is not part of the document.
    this.#s = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    for (let k = this.#s.indexOf('\n'); k >= 0; k = this.#s.indexOf('\n', k + 1)) this.#newlines.push(k);
  }

  document(): XmlElement {
    this.#misc();
    if (this.#s[this.#i] !== '<') this.#fail('expected the root element');
    const root = this.#element();
    this.#misc();
    if (this.#i < this.#s.length) this.#fail('content after the root element');
    return root;
  }

  /** Skips whitespace, comments, processing instructions and a DOCTYPE between top-level items. */
  #misc(): void {
    for (;;) {
      this.#skipSpace();
      if (this.#startsWith('<?')) this.#skipPast('?>', 'processing instruction');
      else if (this.#startsWith('<!--')) this.#skipPast('-->', 'comment');
      else if (this.#startsWith('<!DOCTYPE')) {
        const end = this.#s.indexOf('>', this.#i);
        if (end < 0 || this.#s.slice(this.#i, end).includes('[')) this.#fail('DOCTYPE with an internal subset is not supported');
        this.#i = end + 1;
      } else return;
    }
  }

  #element(): XmlElement {
    const line = this.#line();
    // Elements are read recursively: a bound on nesting keeps a hostile document from exhausting the stack.
    if (++this.#depth > MAX_DEPTH) this.#fail(`elements nest more than ${MAX_DEPTH} deep (OpenVINO IR nests about 6)`);
    try {
      return this.#elementBody(line);
    } finally {
      this.#depth--;
    }
  }

  #elementBody(line: number): XmlElement {
    this.#i++; // '<'
    const name = this.#name();
    // No prototype: an attribute named "__proto__" is data like any other.
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (;;) {
      const spaced = this.#skipSpace();
      const c = this.#s[this.#i];
      if (c === '/' && this.#s[this.#i + 1] === '>') {
        this.#i += 2;
        return { name, attrs, children: [], text: '', line };
      }
      if (c === '>') {
        this.#i++;
        break;
      }
      if (c === undefined) this.#fail(`unterminated start tag <${name}>`);
      if (!spaced) this.#fail(`expected whitespace before an attribute in <${name}>`);
      const key = this.#name();
      this.#skipSpace();
      if (this.#s[this.#i] !== '=') this.#fail(`expected = after attribute "${key}" of <${name}>`);
      this.#i++;
      this.#skipSpace();
      if (Object.hasOwn(attrs, key)) this.#fail(`attribute "${key}" repeated in <${name}>`);
      attrs[key] = this.#quoted();
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (this.#i >= this.#s.length) this.#fail(`<${name}> (line ${line}) is never closed`);
      if (this.#startsWith('</')) {
        this.#i += 2;
        const closing = this.#name();
        if (closing !== name) this.#fail(`</${closing}> closes <${name}> (line ${line})`);
        this.#skipSpace();
        if (this.#s[this.#i] !== '>') this.#fail(`expected > to end </${closing}>`);
        this.#i++;
        return { name, attrs, children, text, line };
      }
      if (this.#startsWith('<!--')) this.#skipPast('-->', 'comment');
      else if (this.#startsWith('<![CDATA[')) {
        const end = this.#s.indexOf(']]>', this.#i);
        if (end < 0) this.#fail('unterminated CDATA section');
        text += this.#s.slice(this.#i + 9, end);
        this.#i = end + 3;
      } else if (this.#startsWith('<?')) this.#skipPast('?>', 'processing instruction');
      else if (this.#s[this.#i] === '<') children.push(this.#element());
      else {
        const end = this.#s.indexOf('<', this.#i);
        const raw = this.#s.slice(this.#i, end < 0 ? this.#s.length : end);
        text += this.#decode(raw);
        this.#i += raw.length;
      }
    }
  }

  #quoted(): string {
    const quote = this.#s[this.#i];
    if (quote !== '"' && quote !== "'") this.#fail('expected a quoted attribute value');
    const end = this.#s.indexOf(quote, this.#i + 1);
    if (end < 0) this.#fail('unterminated attribute value');
    const raw = this.#s.slice(this.#i + 1, end);
    if (raw.includes('<')) this.#fail('"<" inside an attribute value');
    this.#i = end + 1;
    // Attribute-value normalization: literal whitespace characters become spaces.
    return this.#decode(raw.replace(/[\t\n\r]/g, ' '));
  }

  #decode(raw: string): string {
    return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
      if (!match.endsWith(';')) this.#fail(`unterminated entity ${quoted(match)}`);
      if (body.startsWith('#')) {
        const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
        if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) this.#fail(`bad character reference ${quoted(match)}`);
        return String.fromCodePoint(code);
      }
      const named = NAMED_ENTITIES[body];
      if (named === undefined) this.#fail(`unknown entity ${quoted(match)} (only the five predefined entities and character references are read; entities are never defined or expanded)`);
      return named;
    });
  }

  #name(): string {
    const m = /^[A-Za-z_:][\w.:-]*/.exec(this.#s.slice(this.#i, this.#i + 256));
    if (!m) this.#fail('expected a name');
    this.#i += m[0].length;
    return m[0];
  }

  #skipSpace(): boolean {
    const start = this.#i;
    while (this.#i < this.#s.length && ' \t\r\n'.includes(this.#s[this.#i]!)) this.#i++;
    return this.#i > start;
  }

  #skipPast(end: string, what: string): void {
    const at = this.#s.indexOf(end, this.#i);
    if (at < 0) this.#fail(`unterminated ${what}`);
    this.#i = at + end.length;
  }

  #startsWith(prefix: string): boolean {
    return this.#s.startsWith(prefix, this.#i);
  }

  #line(): number {
    let lo = 0;
    let hi = this.#newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#newlines[mid]! < this.#i) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  #fail(why: string): never {
    throw new CondenseError('E_MODEL_INVALID', `OpenVINO XML is not well-formed at line ${this.#line()}: ${why}.`);
  }
}
