import type { SizeFigures } from '@condense/report';

/**
 * A model's size raw and as a web server would send it. Browsers compress
 * with gzip (CompressionStream, at its fixed default level, so a little larger
 * than the CLI's level 9); brotli only where the browser offers it.
 */
export async function sizeOf(bytes: Uint8Array): Promise<SizeFigures> {
  const gzip = await compressedLength(bytes, 'gzip');
  const brotli = await compressedLength(bytes, 'brotli');
  return { bytes: bytes.byteLength, ...(gzip === undefined ? {} : { gzip }), ...(brotli === undefined ? {} : { brotli }) };
}

async function compressedLength(bytes: Uint8Array, format: string): Promise<number | undefined> {
  let stream: CompressionStream;
  try {
    stream = new CompressionStream(format as CompressionFormat);
  } catch {
    return undefined;
  }
  const compressed = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  let length = 0;
  for await (const chunk of compressed as unknown as AsyncIterable<Uint8Array>) length += chunk.byteLength;
  return length;
}
