/**
 * The ONNX loaders as fuzz targets: decodeModel on bytes, and loadModel on a
 * folder whose surroundings are hostile (a secret file beside it, symbolic
 * links out, a FIFO, a folder where a file should be).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeModel } from '@condense/onnx';
import { loadModel } from '@condense/onnx/node';
import { mainBytes, type FuzzSeed, type FuzzTarget } from '../target.js';
import { exercise } from './exercise.js';
import { onnxMutators } from './mutators.js';

/** What an ONNX loader may answer to a bad file. Anything else (E_INTERNAL, E_GRAPH_MUTATION...) is a bug. */
export const ONNX_REJECT_CODES = ['E_ONNX_PARSE', 'E_MODEL_INVALID', 'E_UNSUPPORTED_DTYPE', 'E_EXTERNAL_DATA', 'E_PATH_ESCAPE', 'E_SHAPE_INFERENCE', 'E_MODEL_TOO_LARGE'] as const;

export function onnxBytesTarget(seeds: FuzzSeed[]): FuzzTarget {
  return {
    name: 'onnx decodeModel (bytes)',
    seeds,
    mutators: onnxMutators(),
    rejectCodes: ONNX_REJECT_CODES,
    load: (input) => exercise(decodeModel(mainBytes(input), { fileName: input.main })),
  };
}

/** `scratch` holds the target's folder; a watchdog that kills a hung run removes it (close() never runs then). */
export function onnxFileTarget(seeds: FuzzSeed[], scratch = tmpdir()): FuzzTarget {
  const root = mkdtempSync(path.join(scratch, 'condense-fuzz-'));
  const folder = hostileFolder(root);
  /** Files the previous case wrote, so unchanged ones are not written again and stale ones are removed. */
  const written = new Map<string, Uint8Array>();
  return {
    name: 'onnx loadModel (files, external data)',
    seeds,
    mutators: onnxMutators(),
    rejectCodes: ONNX_REJECT_CODES,
    async load(input) {
      for (const name of [...written.keys()]) {
        if (!input.files.has(name)) {
          unlinkSync(path.join(folder, name));
          written.delete(name);
        }
      }
      for (const [name, bytes] of input.files) {
        if (written.get(name) === bytes) continue;
        writeFileSync(path.join(folder, name), bytes);
        written.set(name, bytes);
      }
      exercise(await loadModel(path.join(folder, input.main)));
    },
    close: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** root/outside.bin and root/outside/ hold what must never be read; the model lives in root/model/. */
function hostileFolder(root: string): string {
  const folder = path.join(root, 'model');
  mkdirSync(folder);
  mkdirSync(path.join(root, 'outside'));
  const secret = new Uint8Array(1 << 16).fill(0x5a);
  writeFileSync(path.join(root, 'outside.bin'), secret);
  writeFileSync(path.join(root, 'outside', 'outside.bin'), secret);
  symlinkSync(path.join(root, 'outside.bin'), path.join(folder, 'link-out.bin'));
  symlinkSync(path.join(root, 'outside'), path.join(folder, 'linked-folder'));
  mkdirSync(path.join(folder, 'folder'));
  // A FIFO blocks a plain open() until a writer comes: a hang if the loader opens it naively.
  try {
    execFileSync('mkfifo', [path.join(folder, 'fifo')]);
  } catch {
    // No mkfifo (Windows): the location "fifo" then names a missing file.
  }
  return folder;
}
