import { Injectable } from '@nestjs/common';
import { Task } from '../../../../lib/index.js';

function report(event: string, reportId: string): void {
  process.stdout.write(`${JSON.stringify({ event, reportId, pid: process.pid, at: Date.now() })}\n`);
}

/**
 * The task of the full-stack crash test. Every run reports `started` on stdout; in a worker
 * started with HANG_ON_TASK=1 it then never finishes, as if it were still working when the
 * process is killed, and elsewhere it reports `finished` and returns.
 */
@Injectable()
export class CrashTasks {
  @Task({ queue: 'reports' })
  async render(reportId: string): Promise<string> {
    report('started', reportId);
    if (process.env.HANG_ON_TASK === '1') await new Promise<never>(() => undefined);
    report('finished', reportId);
    return `report ${reportId} rendered by ${process.pid}`;
  }
}
