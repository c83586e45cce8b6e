import { Controller, Injectable, Module, Param, Post } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Accepted,
  CeleriacModule,
  Task,
  TaskClient,
  TaskFailedError,
  TaskState,
} from '../../../lib/index.js';
import {
  CeleriacTesting,
  createCeleriacTestingModule,
  TaskExpectationError,
} from '../../../lib/testing/index.js';

// An application as its authors wrote it: Redis in production, a threads pool, a controller that
// sends, a task that sends a follow-up. The testing module runs all of it in this process.
@Injectable()
class ReportTasks {
  constructor(private readonly tasks: TaskClient) {}

  @Task({ queue: 'cpu' })
  async render(reportId: string): Promise<string> {
    await this.tasks.send(ReportTasks, 'notify', [reportId]);
    return `report ${reportId}`;
  }

  @Task()
  notify(reportId: string): string {
    return `notified ${reportId}`;
  }

  @Task({ retries: 0 })
  broken(): never {
    throw new Error('the renderer is out of ink');
  }

  @Task()
  hang(): Promise<never> {
    return new Promise(() => undefined);
  }
}

@Controller('reports')
class ReportsController {
  constructor(private readonly tasks: TaskClient) {}

  @Post(':id/render')
  @Accepted()
  render(@Param('id') id: string) {
    return this.tasks.send(ReportTasks, 'render', [id]);
  }
}

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: 'redis://127.0.0.1:1',
      queues: { default: { pool: 'async' }, cpu: { pool: 'threads', concurrency: 2 } },
    }),
  ],
  providers: [ReportTasks],
  controllers: [ReportsController],
})
class AppModule {}

describe('celeriac/testing: an application tested with the in-process worker', () => {
  let moduleRef: TestingModule;
  let celeriac: CeleriacTesting;

  beforeEach(async () => {
    moduleRef = await createCeleriacTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    celeriac = moduleRef.get(CeleriacTesting);
  });

  afterEach(() => moduleRef.close());

  it('records what the controller sent, runs it, and its follow-up, on the embedded broker', async () => {
    const handle = await moduleRef.get(ReportsController).render('42');
    expect(celeriac.expectTaskSent(ReportTasks, 'render', ['42'])).toEqual([
      expect.objectContaining({ id: handle.id, task: 'ReportTasks.render', queue: 'cpu', args: ['42'] }),
    ]);
    await expect(handle.wait({ timeout: 5_000 })).resolves.toBe('report 42');
    await celeriac.drain();
    expect(
      celeriac.expectTaskSent(ReportTasks, 'notify', ['42'], { queue: 'default', times: 1 })[0],
    ).toMatchObject({
      parentId: handle.id,
    });
    expect(celeriac.worker).toBeDefined();
  });

  it('fails an expectation with what was sent instead', async () => {
    await moduleRef.get(ReportsController).render('42');
    const wrongArgs = () => celeriac.expectTaskSent(ReportTasks, 'render', ['43']);
    expect(wrongArgs).toThrow(TaskExpectationError);
    expect(wrongArgs).toThrow(
      'expected ReportTasks.render to be sent with ("43"), but it was not.\nSent (1):\n  ReportTasks.render("42") → cpu',
    );
    expect(() => celeriac.expectTaskSent(ReportTasks, 'render', ['42'], { queue: 'default' })).toThrow(
      'expected ReportTasks.render to be sent with ("42") to queue "default", but it was not.',
    );
    expect(() => celeriac.expectTaskSent(ReportTasks, 'render', undefined, { times: 2 })).toThrow(
      'expected ReportTasks.render to be sent 2 time(s), but it was sent 1 time(s).',
    );
    expect(() => celeriac.expectNoTaskSent(ReportTasks, 'render')).toThrow(
      'expected ReportTasks.render not to be sent.\nSent (1):',
    );
    celeriac.clear();
    expect(() => celeriac.expectTaskSent(ReportTasks, 'render')).toThrow(
      'expected ReportTasks.render to be sent, but it was not.\nNothing was sent.',
    );
    celeriac.expectNoTaskSent();
  });

  it('drain() names the tasks that did not finish', async () => {
    await celeriac.client.send(ReportTasks, 'hang', []);
    await expect(celeriac.drain(50)).rejects.toThrow(
      'drain(): not finished within 50 ms:\n  ReportTasks.hang() → default',
    );
  });
});

describe('celeriac/testing: eager mode', () => {
  let moduleRef: TestingModule;

  beforeEach(async () => {
    moduleRef = await createCeleriacTestingModule({ imports: [AppModule] }, { eager: true }).compile();
    await moduleRef.init();
  });

  afterEach(() => moduleRef.close());

  it('returns a settled handle from send', async () => {
    const handle = await moduleRef.get(ReportsController).render('7');
    expect(await handle.state()).toBe(TaskState.SUCCESS);
    expect(await handle.wait()).toBe('report 7');
    moduleRef.get(CeleriacTesting).expectTaskSent(ReportTasks, 'notify', ['7']);
  });

  it('settles a failing task as FAILURE instead of throwing from send', async () => {
    const handle = await moduleRef.get(TaskClient).send(ReportTasks, 'broken', []);
    expect(await handle.state()).toBe(TaskState.FAILURE);
    await expect(handle.wait()).rejects.toThrow(TaskFailedError);
    await expect(handle.wait()).rejects.toThrow('the renderer is out of ink');
  });
});
