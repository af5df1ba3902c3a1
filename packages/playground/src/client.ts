import type { ErrorInfo, Request, Responses, WorkerMessage } from './protocol.js';

export type OnProgress = (message: string, done?: number, total?: number) => void;

/** A failure reported by the worker: a CondenseError's code and message, or a plain message. */
export class WorkerError extends Error {
  readonly code: string | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
  }
}

/** Requests to the worker as promises, with progress along the way. */
export class WorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; progress: OnProgress }>();
  #next = 0;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      const call = this.#pending.get(m.id);
      if (!call) return;
      if (m.kind === 'progress') return call.progress(m.message, m.done, m.total);
      this.#pending.delete(m.id);
      if (m.kind === 'done') call.resolve(m.result);
      else call.reject(new WorkerError(m.error));
    };
    // A worker that fails to start (or dies) fails every request in flight instead of hanging them.
    worker.onerror = (e) => {
      e.preventDefault();
      for (const call of this.#pending.values()) call.reject(new WorkerError({ message: `The worker stopped: ${e.message || 'it could not load'}.` }));
      this.#pending.clear();
    };
  }

  request<T extends Request['type']>(request: Extract<Request, { type: T }>, progress: OnProgress = () => {}): Promise<Responses[T]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.#worker.postMessage({ id, request });
    });
  }
}
