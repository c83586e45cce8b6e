import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CeleriacModuleOptions } from '../../../lib/index.js';
import { ChildWorker } from '../../integration/redis/support/child-process.js';
import { Ledger } from './ledger.js';
import { RunLogReader } from './run-log.js';

const CHAOS_WORKER = new URL('./chaos-worker.main.ts', import.meta.url);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One scenario's world: a fresh prefix, a run log, a ledger, and the worker processes it started
 * (each a real `node` process running the chaos worker, killed by its own pid).
 */
export class ChaosRig {
  readonly prefix = `chaos-${randomUUID()}`;
  readonly runLog: string;
  private current = new Ledger();
  /** Ids of earlier scenarios on this rig: their late runs are not this scenario's business. */
  private readonly earlier = new Set<string>();
  readonly workers: ChildWorker[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'celeriac-chaos-'));
  private readonly reader: RunLogReader;

  constructor(private readonly options: CeleriacModuleOptions) {
    this.runLog = join(this.dir, 'runs.jsonl');
    this.reader = new RunLogReader(this.runLog, (line) => {
      if (!this.earlier.has(line.id)) this.current.report(line);
    });
    // Tasks run in this process too (in-process workers) report to the same log.
    process.env.CHAOS_RUN_LOG = this.runLog;
  }

  get ledger(): Ledger {
    return this.current;
  }

  /** Starts a new scenario on the same workers: a fresh ledger. */
  newLedger(): Ledger {
    this.poll();
    for (const id of this.current.attemptedIds()) this.earlier.add(id);
    this.current = new Ledger();
    return this.current;
  }

  /** The module options of this scenario's processes, under its prefix. */
  moduleOptions(extra: Partial<CeleriacModuleOptions> = {}): CeleriacModuleOptions {
    return { ...this.options, ...extra, prefix: this.prefix };
  }

  /** Starts a worker process and waits until it consumes. */
  async startWorker(extra: Partial<CeleriacModuleOptions> = {}): Promise<ChildWorker> {
    const child = ChildWorker.start(CHAOS_WORKER, {
      CHAOS_OPTIONS: JSON.stringify(this.moduleOptions(extra)),
      CHAOS_RUN_LOG: this.runLog,
    });
    this.workers.push(child);
    await child.next((event) => event.event === 'listening', 60_000);
    return child;
  }

  /** Reads what the workers reported so far into the ledger. */
  poll(): void {
    this.reader.poll();
  }

  /**
   * Waits until every confirmed task has finished at least once, then `settleMs` more for late
   * duplicates (a lease that ends after the drain), and reads the log a last time.
   */
  async drain(timeoutMs = 60_000, settleMs = 1_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      const confirmed = this.ledger.confirmedIds();
      if (confirmed.every((id) => this.ledger.finished(id).length > 0)) break;
      if (Date.now() > until) break; // the verdict then names what was lost
      await sleep(200);
    }
    await sleep(settleMs);
    this.poll();
  }

  /** Waits until at least `count` confirmed tasks have finished (to inject a fault mid-load). */
  async whenFinished(count: number, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      this.poll();
      if (this.ledger.finishedConfirmedCount() >= count) return;
      await sleep(50);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} finished tasks`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
