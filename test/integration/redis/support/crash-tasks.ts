import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Task } from '../../../../lib/index.js';

let runLog: Redis | undefined;

/**
 * Tasks for the full-stack crash tests. Each run of `render` is recorded in Redis (the list named by
 * RUNS_KEY) with its process id. Then, by TASK_MODE: `hang` never finishes, as if still working when
 * the process is killed; `die` kills its own process (a task that crashes its worker); otherwise it
 * returns.
 */
@Injectable()
export class CrashTasks {
  @Task({ queue: 'reports' })
  async render(reportId: string): Promise<string> {
    runLog ??= new Redis(process.env.REDIS_URL!);
    await runLog.rpush(process.env.RUNS_KEY!, String(process.pid));
    if (process.env.TASK_MODE === 'die') process.kill(process.pid, 'SIGKILL');
    if (process.env.TASK_MODE === 'hang') {
      process.stdout.write(`${JSON.stringify({ event: 'started', reportId, pid: process.pid })}\n`);
      await new Promise<never>(() => undefined);
    }
    return `report ${reportId} rendered by ${process.pid}`;
  }
}
