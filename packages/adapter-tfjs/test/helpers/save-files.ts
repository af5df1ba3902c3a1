/**
 * Saves a tfjs-layers model to disk with tf.io itself: model.save(tf.io.http(url))
 * posts model.json and model.weights.bin, exactly as tfjs writes them, to a
 * local server that stores them in a folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { tf, type tfl } from './tfjs.js';

/** Saves `model` into `dir` (model.json + model.weights.bin); returns the model.json path. */
export async function saveToFolder(model: tfl.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      for (const [name, value] of form) {
        if (typeof value === 'string') continue;
        writeFileSync(path.join(dir, path.basename(name)), new Uint8Array(await value.arrayBuffer()));
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    await model.save(tf.io.http(`http://127.0.0.1:${port}/upload`));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return path.join(dir, 'model.json');
}
