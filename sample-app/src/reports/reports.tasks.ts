import { Injectable } from '@nestjs/common';
import { currentTask, Task, TaskClient } from '../../../lib/index.js';

export interface BuiltReport {
  pages: number;
  notified: string;
}

/** A long task that reports progress page by page, stops when revoked, then sends a follow-up task. */
@Injectable()
export class ReportTasks {
  constructor(private readonly tasks: TaskClient) {}

  @Task({ queue: 'io', timeLimit: 300_000 })
  async build(pages: number, msPerPage: number): Promise<BuiltReport> {
    const task = currentTask();
    for (let page = 1; page <= pages; page++) {
      await pause(msPerPage, task.signal);
      task.signal.throwIfAborted();
      await task.progress({ page, pages });
    }
    const notice = await this.tasks.send(ReportTasks, 'notify', [`report ${task.id} is ready`]);
    return { pages, notified: notice.id };
  }

  @Task({ queue: 'io' })
  notify(message: string): string {
    return `sent: ${message}`;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
