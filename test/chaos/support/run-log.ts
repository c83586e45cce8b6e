import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** One line of a run log: a task body began or ended, in which process, when. */
export interface RunLine {
  id: string;
  worker: string;
  phase: 'start' | 'done';
  at: number;
}

/**
 * Where task bodies report their runs during a chaos test: one file per scenario, appended with
 * one JSON line per event. An append is in the kernel once the call returns, so a worker killed
 * with SIGKILL a moment later still leaves every line it wrote — unlike a pipe to its parent.
 */
export function reportRun(file: string, id: string, phase: RunLine['phase']): void {
  const worker = threadId === 0 ? String(process.pid) : `${process.pid}/${threadId}`;
  const line: RunLine = { id, worker, phase, at: Date.now() };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Reads a run log from where the last read stopped and hands each new line on. */
export class RunLogReader {
  private offset = 0;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: RunLine) => void,
  ) {}

  /** Returns how many lines were new. */
  poll(): number {
    if (!existsSync(this.file)) return 0;
    const text = readFileSync(this.file).subarray(this.offset).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return 0;
    const complete = text.slice(0, end + 1);
    this.offset += Buffer.byteLength(complete);
    let count = 0;
    for (const raw of complete.split('\n')) {
      if (!raw) continue;
      this.onLine(JSON.parse(raw) as RunLine);
      count++;
    }
    return count;
  }
}
