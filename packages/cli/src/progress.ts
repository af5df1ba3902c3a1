import type { PipelineEvent, SampleSource } from '@condense/core';
import type { Streams } from './io.js';

/**
 * Progress of long work (calibration, evaluation, clustering, benchmark runs)
 * on stderr, so stdout stays the result. On a terminal: one bar redrawn in
 * place, at most ten times a second, erased when the task ends. Piped: a plain
 * line at each quarter, for logs. Work shorter than a moment shows nothing,
 * so quick runs stay quiet.
 */
export interface Progress {
  /** `done` of `total` units of the task `label`; a new label starts a new task. */
  update(label: string, done: number, total: number): void;
  /** Ends the current task (erases its bar). */
  end(): void;
}

type ErrStream = Streams['err'];

/** How long a task runs before it shows: a bar sooner than log lines. */
const BAR_DELAY_MS = 300;
const LINES_DELAY_MS = 1000;
const REDRAW_MS = 100;

/** Streams with a bar drawn on them now, so an interrupt or an error can erase it first. */
const drawn = new WeakSet<ErrStream>();

/** Erases a progress bar from `stream` if one is drawn (before an error line, or on Ctrl-C). */
export function clearProgressLine(stream: ErrStream): void {
  if (!drawn.has(stream)) return;
  stream.write('\r\x1b[2K');
  drawn.delete(stream);
}

const SILENT: Progress = { update() {}, end() {} };

/** The progress reporter for a command: silent with --json or --quiet, a bar on a terminal, lines otherwise. */
export function progressFor(io: Streams, silent: boolean | undefined): Progress {
  if (silent) return SILENT;
  return io.err.isTTY ? new Bar(io.err) : new Lines(io.err);
}

/** Seconds as "42 s" or "3:07". */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Time left at the pace so far; undefined before the first unit is done. */
function eta(elapsedMs: number, done: number, total: number): string | undefined {
  return done > 0 && done < total ? duration((elapsedMs / done) * (total - done)) : undefined;
}

abstract class Task implements Progress {
  protected label = '';
  protected started = performance.now();
  /** When the last task ended: work reports its first units only once they are done, so a task's clock starts here. */
  private boundary = performance.now();

  update(label: string, done: number, total: number): void {
    if (label !== this.label) {
      this.end();
      this.label = label;
      this.started = this.boundary;
      this.begin();
    }
    this.show(Math.min(done, total), total, performance.now() - this.started);
  }

  end(): void {
    this.finish();
    this.label = '';
    this.boundary = performance.now();
  }

  protected abstract begin(): void;
  protected abstract show(done: number, total: number, elapsedMs: number): void;
  protected abstract finish(): void;
}

class Bar extends Task {
  private lastDraw = 0;

  constructor(private readonly stream: ErrStream) {
    super();
  }

  protected begin(): void {
    this.lastDraw = 0;
  }

  protected show(done: number, total: number, elapsedMs: number): void {
    const now = performance.now();
    if (elapsedMs < BAR_DELAY_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const fraction = total > 0 ? done / total : 0;
    const left = eta(elapsedMs, done, total);
    const text = ` ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}${left ? ` ETA ${left}` : ''}`;
    const columns = this.stream.columns ?? 80;
    const width = Math.max(10, Math.min(30, columns - this.label.length - text.length - 4));
    const filled = Math.round(fraction * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${text}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    drawn.add(this.stream);
  }

  protected finish(): void {
    clearProgressLine(this.stream);
  }
}

class Lines extends Task {
  /** Quarters reported so far for this task (1 = 25%). */
  private quarters = 0;

  constructor(private readonly stream: ErrStream) {
    super();
  }

  protected begin(): void {
    this.quarters = 0;
  }

  protected show(done: number, total: number, elapsedMs: number): void {
    const quarter = total > 0 ? Math.floor((4 * done) / total) : 0;
    if (quarter <= this.quarters) return;
    // A quarter passed during the delay is skipped, not saved up: a few lines per task, never one per batch.
    if (elapsedMs < LINES_DELAY_MS) {
      this.quarters = quarter;
      return;
    }
    this.quarters = quarter;
    const left = eta(elapsedMs, done, total);
    this.stream.write(`${this.label}: ${quarter * 25}% (${done}/${total})${left ? `, ETA ${left}` : `, ${duration(elapsedMs)}`}\n`);
  }

  protected finish(): void {}
}

/** A pipeline's onEvent that reports its passes' progress (pass name, and what it is doing). */
export function pipelineProgress(progress: Progress): (e: PipelineEvent) => void {
  return (e) => {
    if (e.type === 'progress') progress.update(e.message ? `${e.pass}, ${e.message}` : e.pass, e.done, e.total);
    else if (e.type === 'pass-start' || e.type === 'pass-end') progress.end();
  };
}

/** Batches as given, reporting the rows handed out before each (the consumer has finished those). */
export function* countRows<T>(batches: Iterable<T>, rows: (batch: T) => number, report: (done: number) => void): Generator<T> {
  let done = 0;
  for (const batch of batches) {
    report(done);
    yield batch;
    done += rows(batch);
  }
  report(done);
}

/** countRows for a stream of feeds (calibration data); rows are the first input's first dimension. */
export async function* countSamples(source: SampleSource, report: (done: number) => void): SampleSource {
  let done = 0;
  for await (const feeds of source) {
    report(done);
    yield feeds;
    done += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
  }
  report(done);
}
