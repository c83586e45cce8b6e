import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleriacModule, Task, TaskClient } from '../../../lib/index.js';
import { CapturedLogs } from '../../support/captured-logs.js';

@Injectable()
class KnownTasks {
  @Task({ queue: 'io' })
  fetch(): string {
    return 'fetched';
  }
}

describe('sendByName of a task this process does not know', () => {
  it('warns once per name that it goes to the default queue, unless a queue is given or the task is known', async () => {
    const logs = new CapturedLogs();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          prefix: `by-name-${randomUUID()}`,
          producerOnly: true,
          queues: { default: {}, io: {}, reports: {} },
          logger: logs,
        }),
      ],
      providers: [KnownTasks],
    }).compile();
    await moduleRef.init();
    try {
      const client = moduleRef.get(TaskClient);
      await client.sendByName('ReportTasks.render', ['r1']);
      await client.sendByName('ReportTasks.render', ['r2']);
      await client.sendByName('ReportTasks.archive', [], { queue: 'reports' });
      await client.sendByName('KnownTasks.fetch', []);
      expect(logs.lines).toEqual([
        {
          level: 'warn',
          context: 'Celeriac',
          message:
            'sendByName("ReportTasks.render"): no @Task of that name is registered in this process, so its queue is ' +
            'unknown here and it goes to "default". If its workers consume another queue, pass { queue } ' +
            '(said once per task name).',
        },
      ]);
    } finally {
      await moduleRef.close();
    }
  });
});
