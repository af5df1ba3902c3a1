// The worker entry: models are decoded, compressed and run here, so the page stays responsive.
import { errorInfo } from '../errors.js';
import type { Request, WorkerMessage } from '../protocol.js';
import { Workbench } from './workbench.js';

/** The worker's side of the channel (typed here: the DOM and WebWorker libs cannot share one program). */
const scope = self as unknown as { postMessage(message: WorkerMessage): void; onmessage: ((e: MessageEvent<{ id: number; request: Request }>) => void) | null };
const bench = new Workbench();

async function handle(id: number, request: Request): Promise<unknown> {
  const progress = (message: string, done?: number, total?: number) => post({ id, kind: 'progress', message, ...(done === undefined ? {} : { done }), ...(total === undefined ? {} : { total }) });
  switch (request.type) {
    case 'init':
      return bench.init(request.ortBase);
    case 'load':
      return bench.load(request.file);
    case 'compress':
      return bench.compress(request.preset, request.images, progress);
    case 'compare':
      return bench.compare(request.backend, request.runs, progress);
  }
}

function post(message: WorkerMessage): void {
  scope.postMessage(message);
}

scope.onmessage = async (e) => {
  const { id, request } = e.data;
  try {
    post({ id, kind: 'done', result: await handle(id, request) });
  } catch (error) {
    post({ id, kind: 'error', error: errorInfo(error) });
  }
};
