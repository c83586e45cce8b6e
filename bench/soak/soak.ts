/**
 * `npm run soak [-- --tasks N --workers N]`: a long mixed run on a redis-server of its own, every task
 * id in a ledger. Prints a progress line every few seconds and, after the drain, lost / duplicated /
 * unexpected, the final states, and each worker's RSS, heap and active resources at start and end.
 * Exits 1 when a task is lost, runs unsent, or ends in the wrong state.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, type CeleriacModuleOptions, TaskClient, TaskState } from '../../lib/index.js';
import { Ledger } from '../../test/chaos/support/ledger.js';
import { RunLogReader } from '../../test/chaos/support/run-log.js';
import { withOwnRedis } from '../support/own-redis.js';
import { soakMix, type SoakMethod } from './soak-mix.js';
import { SoakTasks } from './soak-tasks.js';
import { SoakWorkerProcess } from './soak-worker-process.js';
import { describeResources, type WorkerStats } from './worker-stats.js';

const WORKER_ENTRY = fileURLToPath(new URL('./soak-worker.main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const { values: flags } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '2' },
    /** Sends confirmed but not yet finished, at most: the producer waits above it. */
    window: { type: 'string', default: '2000' },
    'progress-ms': { type: 'string', default: '5000' },
  },
});
const TASKS = Number(flags.tasks);
const WORKERS = Number(flags.workers);
const WINDOW = Number(flags.window);
const PROGRESS_MS = Number(flags['progress-ms']);
const LANES = 32;
/** After the drain, how long late duplicates (a lease ending after the drain) may still show up. */
const SETTLE_MS = 5_000;

@Module({})
class ProducerModule {
  static with(options: CeleriacModuleOptions): DynamicModule {
    return { module: ProducerModule, imports: [CeleriacModule.forRoot({ ...options, producerOnly: true })] };
  }
}

class Soak {
  readonly ledger = new Ledger();
  readonly methods = new Map<string, SoakMethod>();
  private readonly reader: RunLogReader;
  private finished = 0;
  private next = 0;

  constructor(
    private readonly client: TaskClient,
    runLog: string,
  ) {
    this.reader = new RunLogReader(runLog, (line) => this.ledger.report(line));
  }

  /** Reads the run log; how many confirmed tasks have finished. */
  poll(): number {
    this.reader.poll();
    this.finished = this.ledger.finishedConfirmedCount();
    return this.finished;
  }

  get sent(): number {
    return this.next;
  }

  /** Sends every task, at most WINDOW unfinished at once. */
  async send(): Promise<void> {
    let confirmed = 0;
    const lane = async (): Promise<void> => {
      while (this.next < TASKS) {
        while (confirmed - this.finished >= WINDOW) await sleep(100);
        const index = this.next++;
        const id = `s${index}-${randomUUID().slice(0, 8)}`;
        const { method, args } = soakMix(index);
        this.methods.set(id, method);
        this.ledger.attempt(id);
        try {
          await this.client.send(SoakTasks, method, args as never, { taskId: id });
          this.ledger.settle(id, 'confirmed');
          confirmed++;
        } catch (error) {
          this.ledger.settle(id, 'refused');
          console.error(`[soak] send of ${id} refused: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
  }

  /** Final state of every confirmed task, counted, and the ids whose state is not what their method ends in. */
  async outcomes(): Promise<{ counts: Record<string, number>; wrong: string[] }> {
    const counts: Record<string, number> = {};
    const wrong: string[] = [];
    const ids = this.ledger.confirmedIds();
    for (let at = 0; at < ids.length; at += 1_000) {
      const batch = ids.slice(at, at + 1_000);
      const states = await Promise.all(batch.map((id) => this.client.handle(id).state()));
      batch.forEach((id, i) => {
        counts[states[i]] = (counts[states[i]] ?? 0) + 1;
        const expected = this.methods.get(id) === 'doomed' ? TaskState.FAILURE : TaskState.SUCCESS;
        if (states[i] !== expected) wrong.push(`${id}: ${states[i]}, expected ${expected}`);
      });
    }
    return { counts, wrong };
  }
}

async function allStats(workers: SoakWorkerProcess[], collect: boolean): Promise<WorkerStats[]> {
  return Promise.all(workers.map((worker) => worker.stats(collect)));
}

function describeStats(label: string, workers: SoakWorkerProcess[], stats: WorkerStats[]): string[] {
  return stats.map(
    (s, i) =>
      `  worker ${workers[i].pid} ${label}: rss ${s.rssMb} MB, heap ${s.heapUsedMb} MB, ` +
      `active resources ${describeResources(s.resources)}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-soak-'));
  const runLog = join(dir, 'runs.jsonl');
  try {
    await withOwnRedis(async (url) => {
      const options: CeleriacModuleOptions = {
        broker: url,
        prefix: `soak-${randomUUID()}`,
        queues: {
          io: { pool: 'async', concurrency: 50 },
          cpu: { pool: 'threads', concurrency: 2, entry: WORKER_ENTRY },
        },
        brokerOptions: { checkConfig: false },
        backendOptions: { checkConfig: false },
      };
      console.log(
        `[soak] ${TASKS} tasks, ${WORKERS} worker processes (io: async × 50, cpu: threads × 2 each), ` +
          `redis-server ${url}, loadavg ${loadavg()
            .map((n) => n.toFixed(2))
            .join(' ')}`,
      );
      const env = { SOAK_OPTIONS: JSON.stringify(options), SOAK_RUN_LOG: runLog };
      const workers = await Promise.all(
        Array.from({ length: WORKERS }, () => SoakWorkerProcess.start(WORKER_ENTRY, env)),
      );
      const producer = await NestFactory.createApplicationContext(ProducerModule.with(options), {
        logger: ['error', 'warn'],
      });
      try {
        await run(producer.get(TaskClient), runLog, workers);
      } finally {
        await producer.close();
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(client: TaskClient, runLog: string, workers: SoakWorkerProcess[]): Promise<void> {
  const soak = new Soak(client, runLog);
  const before = await allStats(workers, true);
  const started = Date.now();
  let last = { at: started, finished: 0 };
  const progress = setInterval(() => {
    void (async () => {
      const finished = soak.poll();
      const now = Date.now();
      const rate = ((finished - last.finished) * 1000) / (now - last.at);
      last = { at: now, finished };
      const rss = (await allStats(workers, false)).map((s) => s.rssMb).join(' / ');
      console.log(
        `[soak] ${Math.round((now - started) / 1000)} s: sent ${soak.sent}/${TASKS}, finished ${finished} ` +
          `(${rate.toFixed(0)} tasks/s), worker rss ${rss} MB, loadavg ${loadavg()[0].toFixed(2)}`,
      );
    })();
  }, PROGRESS_MS);
  const poller = setInterval(() => soak.poll(), 500);
  let drainedAt: number;
  try {
    await soak.send();
    const confirmed = soak.ledger.confirmedIds().length;
    const until = Date.now() + 300_000;
    while (soak.poll() < confirmed && Date.now() < until) await sleep(500);
    drainedAt = Date.now();
  } finally {
    clearInterval(poller);
    clearInterval(progress);
  }
  await sleep(SETTLE_MS);
  soak.poll();
  const after = await allStats(workers, true);
  const verdict = soak.ledger.check();
  const { counts, wrong } = await soak.outcomes();
  const seconds = (drainedAt - started) / 1000;
  const lines = [
    `[soak] done: ${verdict.confirmed} confirmed of ${verdict.sent} sent, drained in ${seconds.toFixed(1)} s ` +
      `(${(verdict.confirmed / seconds).toFixed(0)} tasks/s), loadavg ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    `  lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, unexpected ${verdict.unexpected.length}, ` +
      `refused but ran ${verdict.refusedButRan.length}`,
    `  final states: ${Object.entries(counts)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ')}; not as expected ${wrong.length}`,
    ...describeStats('at start', workers, before),
    ...describeStats('at end  ', workers, after),
  ];
  console.log(lines.join('\n'));
  for (const id of [...verdict.lost.slice(0, 10), ...wrong.slice(0, 10)]) console.log(`  ${id}`);
  if (verdict.lost.length > 0 || verdict.unexpected.length > 0 || wrong.length > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
