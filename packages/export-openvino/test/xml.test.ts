import { isCondenseError } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { escapeXml } from '../src/xml/escape.js';
import { parseXml } from '../src/xml/parse.js';
import { joinNames, splitNames } from '../src/ir/model.js';

describe('XML', () => {
  it('parses elements, attributes in either quotes, entities, CDATA, comments and a byte order mark', () => {
    const root = parseXml('\ufeff<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y=\'&#x41;&#66;\'><b/><!-- d --><c>t<![CDATA[<raw>]]>&lt;</c></a>');
    expect(root.name).toBe('a');
    expect(root.attrs).toEqual({ x: '1 & 2', y: 'AB' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(root.children[1]!.text).toBe('t<raw><');
  });

  it('reports the line of the first error', () => {
    const fail = (text: string) => {
      try {
        parseXml(text);
      } catch (e) {
        expect(isCondenseError(e) && e.code).toBe('E_MODEL_INVALID');
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(fail('<a>\n<b>\n</a>')).toBe('OpenVINO XML is not well-formed at line 3: </a> closes <b> (line 2).');
    expect(fail('<a x="1" x="2"/>')).toMatch(/attribute "x" repeated in <a>/);
    expect(fail('<a>&nbsp;</a>')).toMatch(/unknown entity "&nbsp;"/);
    expect(fail('<a/><b/>')).toMatch(/content after the root element/);
    expect(fail('<!DOCTYPE a [<!ENTITY e "x">]><a/>')).toMatch(/internal subset is not supported/);
  });

  it('escapes what attribute values cannot hold', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(parseXml(`<a v="${escapeXml('x "y" <z> & \'w\'')}"/>`).attrs['v']).toBe('x "y" <z> & \'w\'');
  });

  it('joins and splits port tensor names, commas escaped', () => {
    expect(joinNames(['a,b', 'c'])).toBe('a\\,b,c');
    expect(splitNames('a\\,b,c')).toEqual(['a,b', 'c']);
    expect(splitNames('')).toEqual([]);
  });
});
