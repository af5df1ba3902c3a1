// Runs in Chromium: @condense/adapter-tfjs on tfjs's browser backends (webgl, webgpu), and a
// GraphModel exported by condense loaded over HTTP with tf.loadGraphModel, as a web app would.
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { tfjsRuntime, type TfjsBackend } from '@condense/adapter-tfjs';
import { conformanceResults } from './conformance-results.js';

/** A run's first output, and the backend tfjs actually ran it on. */
interface Output { shape: number[]; data: number[]; backend: string }

/** Why `backend` cannot start in this page, or undefined when it can. */
async function unavailable(backend: TfjsBackend): Promise<string | undefined> {
  try {
    return (await tf.setBackend(backend)) ? undefined : `tf.setBackend('${backend}') returned false`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The runtime conformance suite on one backend: one result per check. */
async function runConformance(backend: TfjsBackend): Promise<Array<{ name: string; error?: string }>> {
  return conformanceResults(() => tfjsRuntime({ backend }));
}

/** Loads model.json (and the shards it names) from `url` with tfjs's own loader and runs it once. */
async function runGraphModel(url: string, backend: TfjsBackend, shape: number[], data: number[]): Promise<Output> {
  await tf.setBackend(backend);
  const model = await loadGraphModel(url);
  const x = tf.tensor(data, shape);
  const y = model.predict(x) as tf.Tensor;
  const out = { shape: [...y.shape], data: Array.from(await y.data()), backend: tf.getBackend() };
  x.dispose();
  y.dispose();
  model.dispose();
  return out;
}

Object.assign(globalThis, { unavailable, runConformance, runGraphModel, pageReady: true });
