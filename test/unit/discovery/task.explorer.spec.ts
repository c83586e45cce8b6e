import { randomUUID } from 'node:crypto';
import { Injectable, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  Task,
  TaskDefinitionError,
  TaskRegistry,
} from '../../../lib/index.js';

async function boot(providers: Type<unknown>[], options: CeleriacModuleOptions = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CeleriacModule.forRoot({
        prefix: `test-${randomUUID()}`,
        queues: { default: {}, cpu: {} },
        ...options,
      }),
    ],
    providers,
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

@Injectable()
class Reports {
  @Task({ queue: 'cpu', retries: 2, rateLimit: '5/m' })
  render(id: string, pages: number = 1): string {
    return `${id}:${pages}`;
  }

  @Task({ name: 'reports.mail' })
  mail(): void {}

  notATask(): void {}
}

@Injectable()
class Other {
  @Task({ name: 'reports.mail' })
  mail(): void {}
}

@Injectable()
class WrongQueue {
  @Task({ queue: 'gpu' })
  train(): void {}
}

@Injectable()
class BadRate {
  @Task({ rateLimit: '10 per second' })
  call(): void {}
}

@Injectable()
class BadRetries {
  @Task({ retries: -1 })
  call(): void {}
}

describe('task discovery', () => {
  it('registers every @Task method under ClassName.method or its given name', async () => {
    const moduleRef = await boot([Reports]);
    const registry = moduleRef.get(TaskRegistry);
    expect(
      registry
        .all()
        .map((task) => task.name)
        .sort(),
    ).toEqual(['Reports.render', 'reports.mail']);
    expect(registry.get('Reports.render')).toMatchObject({
      queue: 'cpu',
      retries: 2,
      rateLimit: { tokens: 5, periodMs: 60_000 },
      className: 'Reports',
      methodName: 'render',
      paramTypes: [String, Number],
      requiredArgs: 1,
    });
    expect(registry.get('reports.mail').queue).toBe('default');
    await moduleRef.close();
  });

  it('fails the bootstrap on a duplicate task name, naming both methods', async () => {
    await expect(boot([Reports, Other])).rejects.toThrow(
      /duplicate task name "reports.mail": (Other.mail\(\) and Reports.mail\(\)|Reports.mail\(\) and Other.mail\(\)) both register it/,
    );
  });

  it('fails the bootstrap on an unknown queue, naming the class, method and known queues', async () => {
    await expect(boot([WrongQueue])).rejects.toThrow(
      '@Task on WrongQueue.train(): unknown queue "gpu" (configured queues: default, cpu)',
    );
  });

  it('fails the bootstrap on a bad rate-limit string', async () => {
    await expect(boot([BadRate])).rejects.toThrow(TaskDefinitionError);
    await expect(boot([BadRate])).rejects.toThrow(
      '@Task on BadRate.call(): rateLimit: "10 per second" is not a rate limit',
    );
  });

  it('fails the bootstrap on invalid retries', async () => {
    await expect(boot([BadRetries])).rejects.toThrow(
      '@Task on BadRetries.call(): retries must be an integer ≥ 0',
    );
  });

  it('rejects a bad queue table', async () => {
    await expect(boot([], { queues: { x: { pool: 'gevent' as never } } })).rejects.toThrow(
      'queues.x.pool: "gevent" is not one of solo, async, threads, processes',
    );
    await expect(boot([], { queues: { x: { pool: 'solo', concurrency: 4 } } })).rejects.toThrow(
      /solo pool runs one task at a time/,
    );
    await expect(boot([], { broker: 'kafka://x' })).rejects.toThrow('unsupported broker URL scheme "kafka:"');
  });
});
