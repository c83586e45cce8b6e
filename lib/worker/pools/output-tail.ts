import type { Readable } from 'node:stream';

const KEEP_CHARS = 4_096;

/**
 * The first line of V8's report as a process aborts on a full heap; the rest of it is GC traces and
 * a native stack trace, written just before the process dies.
 */
const V8_HEAP_REPORT = /^(<--- Last few GCs --->|FATAL ERROR: .*heap out of memory)/;

/**
 * Copies a child's stderr to ours, line by line as it comes, and keeps its end: when a child fails
 * before it could report anything (an import error, Nest aborting a bad bootstrap), its last words
 * are the only description of what went wrong.
 *
 * V8's out-of-memory report is kept (in `last()`) but not copied: the task's error and the pool's
 * WARN line say the child ran out of memory, in one line where the report takes dozens — and a
 * supervisor that reads the worker's stderr for that report (jest's worker processes do) would
 * take the worker itself for the process that ran out of memory.
 */
export class OutputTail {
  private text = '';
  /** The end of the output after its last newline, copied once its line is complete. */
  private partial = '';
  private copying = true;
  /** V8 said so before aborting (its native stack trace follows, so look as it comes). */
  outOfMemory = false;

  constructor(
    stream: Readable | null | undefined,
    private readonly sink: { write(text: string): unknown } = process.stderr,
  ) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => this.take(chunk));
    stream?.on('end', () => this.end());
  }

  /** The last non-empty lines, at most `count`. */
  last(count = 12): string {
    return this.text
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .slice(-count)
      .join('\n');
  }

  private take(chunk: string): void {
    this.text = (this.text + chunk).slice(-KEEP_CHARS);
    this.outOfMemory ||= /heap out of memory/i.test(this.text);
    if (!this.copying) return;
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    const report = lines.findIndex((line) => V8_HEAP_REPORT.test(line));
    this.copy((report === -1 ? lines : lines.slice(0, report)).map((line) => `${line}\n`).join(''));
    if (report !== -1) this.stopCopying();
  }

  /** What is left after the last newline when the child's stderr ends. */
  private end(): void {
    if (V8_HEAP_REPORT.test(this.partial)) this.stopCopying();
    this.copy(this.partial);
  }

  private stopCopying(): void {
    this.copying = false;
    this.partial = '';
  }

  private copy(text: string): void {
    if (text && this.copying) this.sink.write(text);
  }
}
