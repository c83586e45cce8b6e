import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A `node` process whose output a test reads line by line (stdout and stderr together, in
 * arrival order per stream). Only this process is ever signalled, by its own pid.
 */
export class SpawnedProcess {
  readonly lines: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  static start(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
    // The process is an application of its own, not part of the test run (JEST_WORKER_ID).
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_OPTIONS: '',
      JEST_WORKER_ID: undefined,
    };
    for (const [name, value] of Object.entries(options.env ?? {})) env[name] = value;
    for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new SpawnedProcess(child);
  }

  /** The first line (already printed or to come) matching `pattern`. */
  waitFor(pattern: RegExp, ms = 60_000): Promise<RegExpExecArray> {
    for (const line of this.lines) {
      const match = pattern.exec(line);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no line matching ${String(pattern)} within ${ms} ms; output:\n${this.output()}`));
      }, ms);
      this.waiters.push({ pattern, resolve: (match) => (clearTimeout(timer), resolve(match)) });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(`exited (${code}) before a line matched ${String(pattern)}; output:\n${this.output()}`),
        );
      });
    });
  }

  /** Resolves with the exit code once the process has ended and its output is read. */
  exit(): Promise<number | null> {
    return this.exited;
  }

  /** Asks the process to stop (SIGTERM) and waits for it. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  output(): string {
    return this.lines.join('\n');
  }

  private onLine(line: string): void {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      const match = waiter.pattern.exec(line);
      if (!match) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(match);
    }
  }
}
