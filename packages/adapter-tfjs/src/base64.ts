/** Protobuf's JSON mapping writes bytes (and so GraphDef strings) as base64. */

export function decodeBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export const base64Text = {
  encode: (s: string): string => encodeBase64(utf8.encode(s)),
  decode: (s: string): string => fromUtf8.decode(decodeBase64(s)),
};
