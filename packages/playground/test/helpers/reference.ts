/** What the page's results are checked against: the same work done in Node. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Graph, compress, createModel, createRegistry, idxImageBatches, parseIdx, summarizeModel } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';

export const FASHION = '/usr/share/datasets/fashion-mnist';

/** A preset applied with @condense/core and @condense/onnx in Node: the encoded size and parameter count. */
export async function compressInNode(bytes: Uint8Array, preset: string): Promise<{ bytes: number; parameters: number }> {
  const model = decodeModel(bytes);
  await compress(model, { preset }, { registry: createRegistry() });
  return { bytes: encodeModelBytes(model).byteLength, parameters: summarizeModel(model, { largest: 0 }).parameters };
}

/** The first `count` Fashion-MNIST test images' top-1 classes from both models, in onnxruntime-node; the share that match. */
export async function top1Agreement(reference: Uint8Array, candidate: Uint8Array, count: number): Promise<{ agreement: number; images: number; accuracy: number }> {
  const images = parseIdx(gunzipSync(readFileSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'))), 'Fashion-MNIST test images');
  const labels = parseIdx(gunzipSync(readFileSync(path.join(FASHION, 't10k-labels-idx1-ubyte.gz'))), 'Fashion-MNIST test labels').toNumbers();
  const [a, b] = await Promise.all([ort.InferenceSession.create(reference), ort.InferenceSession.create(candidate)]);
  let seen = 0;
  let same = 0;
  let right = 0;
  for (const batch of idxImageBatches(images, 250)) {
    if (seen >= count) break;
    const feed = { [a.inputNames[0]!]: new ort.Tensor('float32', batch.data<'float32'>(), batch.shape) };
    const [x, y] = [await a.run(feed), await b.run(feed)];
    const classesA = argmaxRows(x[a.outputNames[0]!]!);
    const classesB = argmaxRows(y[b.outputNames[0]!]!);
    classesA.forEach((c, i) => {
      if (c === classesB[i]) same++;
      if (classesB[i] === labels[seen + i]) right++;
    });
    seen += classesA.length;
  }
  await Promise.all([a.release(), b.release()]);
  return { agreement: same / seen, images: seen, accuracy: right / seen };
}

function argmaxRows(t: ort.Tensor): number[] {
  const data = t.data as Float32Array;
  const width = t.dims[t.dims.length - 1]!;
  return Array.from({ length: data.length / width }, (_, r) => {
    let best = 0;
    for (let i = 1; i < width; i++) if (data[r * width + i]! > data[r * width + best]!) best = i;
    return best;
  });
}

/** A model with an op from a domain onnxruntime does not implement. */
export function unsupportedOpModel(): Uint8Array {
  const g = new Graph({ opset: { '': 17, 'com.example': 1 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
  g.outputs = [g.add('Frobnicate', [x], {}, { domain: 'com.example' }).output];
  return encodeModelBytes(createModel(g));
}
