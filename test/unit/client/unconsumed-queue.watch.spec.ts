import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleriacModule, Task, TaskClient, TaskDefinitionError } from '../../../lib/index.js';
import { CapturedLogs } from '../../support/captured-logs.js';

@Injectable()
class Tasks {
  @Task()
  echo(value: string): string {
    return value;
  }
}

describe('unconsumed queue warning', () => {
  it('on the embedded broker, says that a worker in another process needs a shared broker', async () => {
    const logs = new CapturedLogs();
    // An API process on the embedded broker, its worker started elsewhere: nobody here consumes.
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ producerOnly: true, unconsumedQueueWarning: 50, logger: logs })],
      providers: [Tasks],
    }).compile();
    await moduleRef.init();
    await moduleRef.get(TaskClient).send(Tasks, 'echo', ['x']);
    const warning = await logs.next('warn', /^queue "default"/);
    expect(warning.message).toContain(
      'queue "default" has 1 task(s) waiting and no worker consuming it (50 ms',
    );
    expect(warning.message).toContain(
      'The embedded broker lives in this process: a worker in another process needs BROKER_URL (Redis or RabbitMQ).',
    );
    await moduleRef.close();
  });

  it.each([0, -1, Number.NaN])('refuses a window of %p ms at bootstrap', async (window) => {
    await expect(
      Test.createTestingModule({
        imports: [CeleriacModule.forRoot({ unconsumedQueueWarning: window })],
      }).compile(),
    ).rejects.toThrow(
      new TaskDefinitionError('unconsumedQueueWarning: must be a number of ms > 0, or false'),
    );
  });
});
