import { Body, Controller, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  Accepted,
  CeleriacModule,
  CeleriacWorker,
  InvalidArgumentsError,
  TaskClient,
  type TaskHandle,
} from '../../../lib/index.js';
import { SchemaTasks } from '../../support/schema-tasks.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

describe('argument schemas at send', () => {
  let w: WorkerApp;
  beforeAll(async () => {
    w = await startWorkerApp([SchemaTasks]);
  });
  afterAll(() => w.close());

  it('zod: a valid call runs, and the method receives the parsed values', async () => {
    const handle = await w.client.send(SchemaTasks, 'bill', [
      { customer: { email: 'a@b.io' }, amount: 5 },
      '2',
    ]);
    expect(await handle.wait({ timeout: 5_000 })).toBe('a@b.io 5 EUR ×number 2');
  });

  it('zod: an invalid call is refused with InvalidArgumentsError naming the field path; nothing is sent', async () => {
    const sending = w.client.send(SchemaTasks, 'bill', [{ customer: { email: 'nope' }, amount: -1 }, 'x']);
    await expect(sending).rejects.toBeInstanceOf(InvalidArgumentsError);
    const error = (await sending.catch((e: unknown) => e)) as InvalidArgumentsError;
    expect(error.message).toBe(
      'invalid arguments for task "SchemaTasks.bill": args[0].customer.email: Invalid email address (and 2 more)',
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'args[0].customer.email',
      'args[0].amount',
      'args[1]',
    ]);
    expect(await w.runtime.broker.size('default')).toBe(0);
  });

  it('DTO: a valid call runs with a DTO instance; an invalid one is refused with the nested path', async () => {
    const ok = await w.client.send(SchemaTasks, 'signup', [
      { name: 'Ada', contact: { email: 'ada@x.io' }, seats: 1 },
    ]);
    expect(await ok.wait({ timeout: 5_000 })).toBe('SignupDto Ada ada@x.io');
    const refused = w.client.send(SchemaTasks, 'signup', [
      { name: 'Ada', contact: { email: 'bad' }, seats: 0 },
    ]);
    await expect(refused).rejects.toMatchObject({
      name: 'InvalidArgumentsError',
      issues: [
        { path: 'args[0].contact.email', message: 'email must be an email' },
        { path: 'args[0].seats', message: 'seats must not be less than 1' },
      ],
    });
  });

  it('DTO: an argument that is not an object is refused', async () => {
    await expect(w.client.sendByName('SchemaTasks.signup', ['Ada'])).rejects.toThrow(
      'invalid arguments for task "SchemaTasks.signup": args[0]: must be an object (SignupDto), got string',
    );
  });
});

@Controller('signups')
class SignupController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  signup(@Body() body: unknown): Promise<TaskHandle<string>> {
    return this.tasks.sendByName('SchemaTasks.signup', [body]);
  }
}

describe('argument schemas behind @Accepted()', () => {
  it('answers 400 with the issues when the arguments are refused, 202 when accepted', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix: `test-${randomUUID()}` })],
      providers: [SchemaTasks],
      controllers: [SignupController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: new CeleriacWorker() });
    await app.startAllMicroservices();
    await app.init();
    try {
      const http = request(app.getHttpServer());
      const refused = await http
        .post('/signups')
        .send({ name: 'Ada', contact: { email: 'x' }, seats: 2 })
        .expect(400);
      expect(refused.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'INVALID_ARGUMENTS',
        message:
          'invalid arguments for task "SchemaTasks.signup": args[0].contact.email: email must be an email',
        task: 'SchemaTasks.signup',
        issues: [{ path: 'args[0].contact.email', message: 'email must be an email' }],
      });
      await http
        .post('/signups')
        .send({ name: 'Ada', contact: { email: 'a@x.io' }, seats: 2 })
        .expect(202);
    } finally {
      await app.close();
    }
  });
});
