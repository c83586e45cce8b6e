import type { Readable } from 'node:stream';

const KEEP_CHARS = 4_096;

/**
 * Copies a child's stderr to ours as it comes and keeps its end: when a child fails before it
 * could report anything (an import error, Nest aborting a bad bootstrap), its last words are
 * the only description of what went wrong.
 */
export class OutputTail {
  private text = '';
  /** V8 said so before aborting (its native stack trace follows, so look as it comes). */
  outOfMemory = false;

  constructor(stream: Readable | null | undefined) {
    stream?.on('data', (chunk: Buffer | string) => {
      process.stderr.write(chunk);
      this.text = (this.text + chunk.toString()).slice(-KEEP_CHARS);
      this.outOfMemory ||= /heap out of memory/i.test(this.text);
    });
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
}
