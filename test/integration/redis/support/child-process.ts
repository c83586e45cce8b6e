import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { typeScriptChildArgs } from './ts-child-loader.js';

/** One JSON line a child process wrote on stdout. */
export type ChildEvent = Record<string, unknown> & { event: string };

/**
 * A TypeScript entry point run in its own `node` process, whose stdout JSON lines a test can await.
 * Only this process is ever signalled, by its own pid.
 */
export class ChildWorker {
  readonly events: ChildEvent[] = [];
  private readonly waiters: { match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }[] = [];
  private readonly exited: Promise<void>;
  /** Resolves once the process exited and its output was read to the end: no event can follow. */
  private readonly closed: Promise<void>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static start(entry: URL, env: Record<string, string>): ChildWorker {
    return ChildWorker.spawn([...typeScriptChildArgs(), fileURLToPath(entry)], env);
  }

  /**
   * Runs compiled JavaScript (see `compiledEntry`) instead: no TypeScript hooks, so a process boots
   * in a few seconds even on a busy machine, where a test starts many of them.
   */
  static startCompiled(file: string, env: Record<string, string>): ChildWorker {
    return ChildWorker.spawn([file], env);
  }

  private static spawn(args: string[], env: Record<string, string>): ChildWorker {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ChildWorker(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves with the first event (already seen or coming) that matches; rejects after `ms`, or as
   * soon as the process has ended without writing one.
   */
  next(match: (e: ChildEvent) => boolean, ms = 15_000): Promise<ChildEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (e: ChildEvent) => (clearTimeout(timer), resolve(e)) };
      const fail = (why: string): void => {
        clearTimeout(timer);
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return; // already matched
        this.waiters.splice(at, 1);
        reject(new Error(`child ${this.pid}: ${why}; stderr: ${this.stderr}`));
      };
      const timer = setTimeout(() => fail(`no matching event in ${ms} ms`), ms);
      this.waiters.push(waiter);
      void this.closed.then(() =>
        fail(`exited (${this.child.signalCode ?? this.child.exitCode}) without a matching event`),
      );
    });
  }

  /** Resolves when the process has exited, however it ended. */
  exit(): Promise<void> {
    return this.exited;
  }

  /** SIGKILL, as a crashed machine would: no cleanup code runs. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private onLine(line: string): void {
    let event: ChildEvent;
    try {
      event = JSON.parse(line) as ChildEvent;
    } catch {
      // Log lines of a worker started with CHAOS_WORKER_LOGS set: shown, to see a scenario's outages.
      if (process.env.CHAOS_WORKER_LOGS) process.stderr.write(`[child ${this.pid}] ${line}\n`);
      return;
    }
    this.events.push(event);
    for (const waiter of this.waiters.filter((w) => w.match(event))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }
}
