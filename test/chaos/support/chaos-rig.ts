import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CeleriacModuleOptions } from '../../../lib/index.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { ChildWorker } from '../../integration/redis/support/child-process.js';
import { Ledger } from './ledger.js';
import { RunLogReader } from './run-log.js';

/**
 * The worker runs compiled, as a deployed worker does: it boots in a few seconds on a busy machine,
 * and the Redis broker's lease thread can load its entry beside the broker's module (a thread does
 * not inherit the module hooks that run TypeScript).
 */
const CHAOS_WORKER = 'test/chaos/support/chaos-worker.main.ts';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One scenario's world: a fresh prefix, a run log, a ledger, and the worker processes it started
 * (each a real `node` process running the compiled chaos worker, killed by its own pid).
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

  /**
   * Starts a worker process (consuming `consume`, default every queue) and waits until it consumes.
   * With `mayDieAtOnce` (a worker started again beside a poison message, as a supervisor would) it
   * also returns when the process dies first: its consumer can receive the poison and die from it
   * before its "listening" line is written.
   */
  async startWorker(
    extra: Partial<CeleriacModuleOptions> = {},
    consume?: string[],
    { mayDieAtOnce = false } = {},
  ): Promise<ChildWorker> {
    const entry = await compiledEntry(CHAOS_WORKER);
    const child = ChildWorker.startCompiled(entry, {
      CHAOS_OPTIONS: JSON.stringify(this.moduleOptions(extra)),
      // A `processes` pool's children re-enter this entry (the worker inherits jest's environment,
      // so the pool cannot take argv[1] for granted).
      CELERIAC_POOL_ENTRY: entry,
      CHAOS_RUN_LOG: this.runLog,
      ...(consume && { CHAOS_CONSUME: consume.join(',') }),
    });
    this.workers.push(child);
    const listening = child.next((event) => event.event === 'listening', 60_000);
    if (!mayDieAtOnce) {
      await listening;
      return child;
    }
    // A worker that died first never writes the line: its wait's timeout is of no interest.
    listening.catch(() => undefined);
    await Promise.race([listening, child.exit()]);
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
