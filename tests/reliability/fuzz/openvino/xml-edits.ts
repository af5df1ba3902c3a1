/**
 * OpenVINO IR mutations of the XML text itself: unclosed and mismatched
 * tags, entity tricks (an internal DTD subset defining a billion laughs,
 * undefined entities, character references out of Unicode's range), and
 * elements nested tens of thousands deep.
 */
import type { Random } from '../../../helpers/random.js';
import { mainBytes, withFile, type FuzzInput, type Mutator } from '../target.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

function onText(kind: string, weight: number, edit: (xml: string, rng: Random) => string): Mutator {
  return { kind, weight, mutate: (input: FuzzInput, rng: Random) => withFile(input, input.main, utf8.encode(edit(text.decode(mainBytes(input)), rng))) };
}

/** A position just after one of `token`'s occurrences, or a random one. */
function near(xml: string, token: string, rng: Random): number {
  const hits: number[] = [];
  for (let at = xml.indexOf(token); at >= 0 && hits.length < 4096; at = xml.indexOf(token, at + 1)) hits.push(at);
  return hits.length ? rng.pick(hits) : rng.int(xml.length);
}

const splice = (xml: string, at: number, remove: number, insert: string) => xml.slice(0, at) + insert + xml.slice(at + remove);

const LAUGHS = ['<!DOCTYPE net [', '<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`), ']>'].join('');

export const xmlEdits: Mutator[] = [
  onText('xml-syntax', 3, (xml, rng) => {
    const which = rng.int(7);
    if (which === 0) return splice(xml, near(xml, '</layer>', rng), 8, ''); // an element never closed
    if (which === 1) return splice(xml, near(xml, '</port>', rng), 7, '</layer>'); // closed by the wrong tag
    if (which === 2) return splice(xml, near(xml, '/>', rng), 2, ''); // a start tag never ended
    if (which === 3) return splice(xml, near(xml, '="', rng), 2, '='); // an unquoted attribute value
    if (which === 4) return splice(xml, near(xml, ' id="', rng), 0, ' id="7"'); // an attribute twice
    if (which === 5) return splice(xml, near(xml, '<', rng), 0, rng.pick(['<', '<<', '<!--', '<![CDATA[', '<?', '&', ']]>', '\u0000']));
    return splice(xml, near(xml, '<dim>', rng) + 5, 0, rng.pick(['<', '&', '-', ' ', '9'.repeat(400)]));
  }),
  onText('entity', 2, (xml, rng) => {
    const which = rng.int(5);
    const afterDecl = xml.indexOf('?>') + 2;
    if (which === 0) return splice(xml, afterDecl, 0, LAUGHS).replace('name="', 'name="&lol9;');
    if (which === 1) return splice(xml, afterDecl, 0, '<!DOCTYPE net SYSTEM "file:///etc/passwd">').replace('name="', 'name="&xxe;');
    if (which === 2) return splice(xml, afterDecl, 0, '<!DOCTYPE net [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace('<dim>1</dim>', '<dim>&xxe;</dim>');
    const ref = rng.pick(['&lol;', '&#x110000;', '&#xFFFFFFFFFFFF;', '&#0;', '&#-1;', '&#xD800;', '&amp', '&;', '&#x;', `&${'a'.repeat(10_000)};`]);
    return which === 3 ? xml.replace('name="', `name="${ref}`) : splice(xml, near(xml, '<dim>', rng) + 5, 0, ref);
  }),
  onText('deep-nesting', 1.5, (xml, rng) => {
    const depth = rng.pick([50, 1000, 20_000, 100_000]);
    const tag = rng.pick(['data', 'a', 'layer']);
    return splice(xml, near(xml, '<layers>', rng) + 8, 0, `<${tag}>`.repeat(depth) + `</${tag}>`.repeat(depth));
  }),
];
