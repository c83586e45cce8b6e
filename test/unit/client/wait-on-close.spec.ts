import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleriacModule, ClientClosedError, Task, TaskClient } from '../../../lib/index.js';

@Injectable()
class SlowTasks {
  @Task()
  never(): string {
    return 'no worker runs this here';
  }
}

describe('wait() when the application closes', () => {
  it('rejects with a clear error instead of waiting forever, and a wait begun afterwards fails at once', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix: `close-${randomUUID()}`, producerOnly: true })],
      providers: [SlowTasks],
    }).compile();
    const app = moduleRef;
    await app.init();
    const client = app.get(TaskClient);
    const handle = await client.send(SlowTasks, 'never', []);
    const waiting = handle.wait();
    await app.close();
    await expect(waiting).rejects.toThrow(ClientClosedError);
    await expect(waiting).rejects.toThrow(
      `stopped waiting for task ${handle.id}: the application is closing. The task goes on; ` +
        'ask for its result later with client.handle(id) or GET /tasks/:id',
    );
    // Afterwards the backend client itself refuses, saying it was closed.
    await expect(client.handle(handle.id).wait({ timeout: 60_000 })).rejects.toThrow(/closed/);
  });

  it('ends many concurrent waits on close, every one with ClientClosedError', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix: `close-${randomUUID()}`, producerOnly: true })],
      providers: [SlowTasks],
    }).compile();
    await moduleRef.init();
    const client = moduleRef.get(TaskClient);
    const handles = await Promise.all(Array.from({ length: 50 }, () => client.send(SlowTasks, 'never', [])));
    const waits = handles.map((handle) => handle.wait());
    await moduleRef.close();
    const outcomes = await Promise.allSettled(waits);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof ClientClosedError)).toBe(
      true,
    );
  });
});
