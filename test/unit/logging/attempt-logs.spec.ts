import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, UseFilters } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacWorker,
  currentTask,
  NonRetryableError,
  Task,
  TaskClient,
  TaskState,
} from '../../../lib/index.js';
import { CapturedLogs } from '../../support/captured-logs.js';

class QuotaError extends Error {
  override name = 'QuotaError';
}

/** Turns a QuotaError into a failure that no retry can fix. */
@Catch(QuotaError)
class QuotaFilter implements ExceptionFilter {
  catch(error: QuotaError, _host: ArgumentsHost): never {
    throw new NonRetryableError(`quota: ${error.message}`);
  }
}

let attempts = 0;

@Injectable()
class FlakyTasks {
  @Task({ retries: 2, backoff: { type: 'fixed', delay: 1 } })
  flaky(): string {
    attempts += 1;
    if (attempts < 3) throw new Error(`flake ${attempts}`);
    return 'ok';
  }

  @Task({ retries: 1, backoff: 1 })
  hopeless(): never {
    throw new Error('no luck');
  }

  @Task({ retries: 1 })
  asksAgain(): string {
    if (currentTask().retries === 0) currentTask().retry({ countdown: 1 });
    return 'second time';
  }

  @Task({ retries: 1 })
  chatty(pages: number): number {
    const task = currentTask();
    task.log.log(`page 1 of ${pages}`);
    if (task.retries === 0) {
      task.log.warn('the site was slow; once more');
      task.retry({ countdown: 1 });
    }
    return pages;
  }

  @Task({ retries: 3, backoff: 1 })
  @UseFilters(QuotaFilter)
  overQuota(): never {
    throw new QuotaError('1000 calls a day');
  }
}

/** A worker whose Nest logger is `nestLogs`; `options.logger` is Celeriac's own. */
async function startWorker(nestLogs: CapturedLogs, options: CeleriacModuleOptions = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ prefix: `logs-${randomUUID()}`, ...options })],
    providers: [FlakyTasks, QuotaFilter],
  }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: new CeleriacWorker(), logger: nestLogs });
  await app.listen();
  return { app, client: app.get(TaskClient) };
}

describe('log lines of failed attempts', () => {
  beforeEach(() => (attempts = 0));

  it('one WARN per retried attempt with task, id, attempt and message; no ExceptionsHandler stack', async () => {
    const logs = new CapturedLogs();
    const { app, client } = await startWorker(logs);
    try {
      const handle = await client.send(FlakyTasks, 'flaky', []);
      expect(await handle.wait({ timeout: 5_000 })).toBe('ok');
      const lines = logs.lines.filter((line) => line.message.includes(handle.id));
      expect(lines).toEqual([
        {
          level: 'warn',
          context: 'Celeriac',
          message: `FlakyTasks.flaky[${handle.id}] attempt 1/3 failed: Error: flake 1; retrying in 1 ms`,
        },
        {
          level: 'warn',
          context: 'Celeriac',
          message: `FlakyTasks.flaky[${handle.id}] attempt 2/3 failed: Error: flake 2; retrying in 1 ms`,
        },
      ]);
      expect(logs.lines.filter((line) => line.context === 'ExceptionsHandler')).toEqual([]);
      expect(logs.at('error')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('ERROR (with the stack) only when the task finally fails; a retry() it asked for is a WARN', async () => {
    const logs = new CapturedLogs();
    const { app, client } = await startWorker(logs);
    try {
      const hopeless = await client.send(FlakyTasks, 'hopeless', []);
      expect((await hopeless.waitForRecord({ timeout: 5_000 })).state).toBe(TaskState.FAILURE);
      const asks = await client.send(FlakyTasks, 'asksAgain', []);
      expect(await asks.wait({ timeout: 5_000 })).toBe('second time');

      const about = (id: string) => logs.lines.filter((line) => line.message.includes(id));
      expect(about(hopeless.id).map(({ level, message }) => ({ level, message }))).toEqual([
        {
          level: 'warn',
          message: `FlakyTasks.hopeless[${hopeless.id}] attempt 1/2 failed: Error: no luck; retrying in 1 ms`,
        },
        { level: 'error', message: `FlakyTasks.hopeless[${hopeless.id}] attempt 2/2 failed: Error: no luck` },
      ]);
      expect(about(hopeless.id)[1].stack).toMatch(/^Error: no luck\n\s+at /);
      expect(about(asks.id).map(({ level, message }) => ({ level, message }))).toEqual([
        {
          level: 'warn',
          message: `FlakyTasks.asksAgain[${asks.id}] attempt 1/2 failed: RetryRequest: retry requested; retrying in 1 ms`,
        },
      ]);
      expect(logs.lines.filter((line) => line.context === 'ExceptionsHandler')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the task's exception filters still apply", async () => {
    const { app, client } = await startWorker(new CapturedLogs());
    try {
      const record = await (await client.send(FlakyTasks, 'overQuota', [])).waitForRecord({ timeout: 5_000 });
      expect(record).toMatchObject({
        state: TaskState.FAILURE,
        retries: 0,
        error: { name: 'NonRetryableError', message: 'quota: 1000 calls a day' },
      });
    } finally {
      await app.close();
    }
  });

  it("currentTask().log lines carry the task's name, id and attempt, through the Nest logger", async () => {
    const logs = new CapturedLogs();
    const { app, client } = await startWorker(logs);
    try {
      const handle = await client.send(FlakyTasks, 'chatty', [10]);
      expect(await handle.wait({ timeout: 5_000 })).toBe(10);
      expect(logs.lines.filter((line) => line.context === 'CeleriacTask')).toEqual([
        {
          level: 'log',
          context: 'CeleriacTask',
          message: `FlakyTasks.chatty[${handle.id}] attempt 1: page 1 of 10`,
        },
        {
          level: 'warn',
          context: 'CeleriacTask',
          message: `FlakyTasks.chatty[${handle.id}] attempt 1: the site was slow; once more`,
        },
        {
          level: 'log',
          context: 'CeleriacTask',
          message: `FlakyTasks.chatty[${handle.id}] attempt 2: page 1 of 10`,
        },
      ]);
    } finally {
      await app.close();
    }
  });

  it('the logger option receives Celeriac lines instead of the Nest logger', async () => {
    const nest = new CapturedLogs();
    const own = new CapturedLogs();
    const { app, client } = await startWorker(nest, { logger: own });
    try {
      const handle = await client.send(FlakyTasks, 'hopeless', []);
      await handle.waitForRecord({ timeout: 5_000 });
      const mine = own.lines.filter((line) => line.message.includes(handle.id));
      expect(mine.map((line) => [line.level, line.context])).toEqual([
        ['warn', 'Celeriac'],
        ['error', 'Celeriac'],
      ]);
      expect(nest.lines.filter((line) => line.message.includes(handle.id))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
