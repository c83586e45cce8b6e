import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task } from '../../../../lib/index.js';

/** The queue of the kill -9 test; a child worker process is told it in CELERY_QUEUE. */
export const KILL_QUEUE = process.env.CELERY_QUEUE ?? `kill-${randomUUID().slice(0, 8)}`;
/** The list each run of `js.slow` appends its process id to; a child is told it in RUNS_KEY. */
export const RUNS_KEY = process.env.RUNS_KEY ?? `celeriac-kombu-runs-${randomUUID()}`;

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, pid: process.pid })}\n`);
}

/**
 * `js.slow` records each run (its process id, on the list {@link RUNS_KEY}), then, with TASK_MODE=hang,
 * reports `started` and never finishes, as a task whose worker is killed mid-task; else returns.
 */
@Injectable()
export class KillTasks {
  @Task({ name: 'js.slow', queue: KILL_QUEUE })
  async slow(reportId: string): Promise<string> {
    const runLog = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await runLog.rpush(RUNS_KEY, String(process.pid));
    await runLog.quit();
    if (process.env.TASK_MODE === 'hang') {
      report({ event: 'started', reportId });
      await new Promise<never>(() => undefined);
    }
    return `${reportId} by ${process.pid}`;
  }
}
