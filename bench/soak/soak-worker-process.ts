import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { WorkerStats } from './worker-stats.js';

type WorkerEvent = { event: string } & Record<string, unknown>;

/** A soak worker process (soak-worker.main.js), started and stopped by its own pid. */
export class SoakWorkerProcess {
  private readonly waiters: { event: string; resolve: (e: WorkerEvent) => void }[] = [];
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts the worker and resolves once it consumes. */
  static async start(entry: string, env: Record<string, string>): Promise<SoakWorkerProcess> {
    const child = spawn(process.execPath, ['--expose-gc', entry], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker = new SoakWorkerProcess(child);
    await worker.next('listening', 120_000);
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Its RSS, heap and active resources (after a garbage collection when `collect`). */
  async stats(collect = false): Promise<WorkerStats> {
    const reply = this.next('stats', 30_000);
    this.child.stdin!.write(collect ? 'stats gc\n' : 'stats\n');
    return (await reply) as unknown as WorkerStats;
  }

  /** SIGTERM (the worker drains and closes), SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private next(event: string, ms: number): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${this.pid}: no "${event}" in ${ms} ms; stderr: ${this.stderr}`)),
        ms,
      );
      void this.exited.then(() =>
        reject(new Error(`worker ${this.pid} exited waiting for "${event}"; stderr: ${this.stderr}`)),
      );
      this.waiters.push({ event, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  private onLine(line: string): void {
    let event: WorkerEvent;
    try {
      event = JSON.parse(line) as WorkerEvent;
    } catch {
      return; // not one of ours
    }
    const index = this.waiters.findIndex((waiter) => waiter.event === event.event);
    if (index >= 0) this.waiters.splice(index, 1)[0].resolve(event);
  }
}
