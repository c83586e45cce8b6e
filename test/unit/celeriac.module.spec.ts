import { randomUUID } from 'node:crypto';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  Accepted,
  CeleriacModule,
  CeleriacWorker,
  Task,
  TaskClient,
  type TaskHandle,
} from '../../lib/index.js';

@Injectable()
class ConfigService {
  readonly prefix = `test-${randomUUID()}`;
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class GreetTasks {
  @Task({ queue: 'mail' })
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Controller('greetings')
class GreetController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  greet(): Promise<TaskHandle<string>> {
    return this.tasks.send(GreetTasks, 'greet', ['ada']);
  }
}

describe('CeleriacModule.forRootAsync', () => {
  it('takes its options from a factory with injected providers, and serves the status routes on a custom path', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            prefix: config.prefix,
            queues: { mail: { pool: 'async', concurrency: 5 } },
          }),
          statusController: { path: 'jobs' },
        }),
      ],
      providers: [GreetTasks],
      controllers: [GreetController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: new CeleriacWorker() });
    await app.startAllMicroservices();
    await app.init();
    try {
      const http = request(app.getHttpServer());
      const res = await http.post('/greetings').expect(202);
      expect(res.headers.location).toBe(`/jobs/${res.body.id as string}`);
      expect(
        await app
          .get(TaskClient)
          .handle(res.body.id as string)
          .wait({ timeout: 5_000 }),
      ).toBe('hello ada');
      expect((await http.get(res.headers.location).expect(200)).body).toMatchObject({
        state: 'SUCCESS',
        result: 'hello ada',
      });
    } finally {
      await app.close();
    }
  });
});
