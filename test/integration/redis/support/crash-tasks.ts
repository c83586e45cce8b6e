import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task } from '../../../../lib/index.js';

let runLog: Redis | undefined;

/**
 * Tasks for the full-stack crash test. Each run of `render` is recorded in Redis (the list named by
 * RUNS_KEY) with its process id; in a worker started with HANG_ON_TASK=1 it then never finishes, as
 * if it were still working when the process is killed.
 */
@Injectable()
export class CrashTasks {
  @Task({ queue: 'reports' })
  async render(reportId: string): Promise<string> {
    runLog ??= new Redis(process.env.REDIS_URL!);
    await runLog.rpush(process.env.RUNS_KEY!, String(process.pid));
    if (process.env.HANG_ON_TASK === '1') {
      process.stdout.write(`${JSON.stringify({ event: 'started', reportId, pid: process.pid })}\n`);
      await new Promise<never>(() => undefined);
    }
    return `report ${reportId} rendered by ${process.pid}`;
  }
}
