import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { TaskHandle } from '../../../lib/client/task.handle.js';
import { CeleriacModule, CorruptRecordError, TaskClient } from '../../../lib/index.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';

const GARBAGE = ['{"state":"SUCCESS", "result": tru', '<html>502</html>', '42', '["SUCCESS"]'];

describe('a result record that is not valid JSON (Redis)', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = inspector();
    prefix = `celeriac-test-${randomUUID()}`;
  });

  afterEach(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it.each([
    ['celeriac', (id: string) => `${prefix}:task:${id}`],
    ['celery', (id: string) => `celery-task-meta-${id}`],
  ] as const)(
    '%s record format: get() and wait() reject with a CorruptRecordError naming the task',
    async (format, keyOf) => {
      const backend = new RedisBackend({ url: REDIS_URL, prefix, extra: { format } });
      await backend.connect();
      const ids: string[] = [];
      try {
        for (const raw of GARBAGE) {
          const id = randomUUID();
          ids.push(id);
          await redis.set(keyOf(id), raw, 'PX', 60_000);
          const read = await backend.get(id).catch((error: unknown) => error);
          expect(read).toBeInstanceOf(CorruptRecordError);
          expect(read).toMatchObject({ code: 'CORRUPT_RECORD', taskId: id });
          expect((read as Error).message).toContain(`task "${id}" is corrupt`);
          const waited = await new TaskHandle(id, backend).wait({ timeout: 5_000 }).catch((e: unknown) => e);
          expect(waited).toBeInstanceOf(CorruptRecordError);
          expect(waited).toMatchObject({ taskId: id });
        }
      } finally {
        await backend.close();
        if (format === 'celery') await redis.del(...ids.map(keyOf));
      }
    },
  );

  it('GET /tasks/:id answers 502 with a JSON body naming the task; the app keeps serving', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ broker: REDIS_URL, prefix, statusController: true })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const id = randomUUID();
      await redis.set(`${prefix}:task:${id}`, 'not json {', 'PX', 60_000);
      const http = request(app.getHttpServer());
      const res = await http.get(`/tasks/${id}`).expect(502).expect('Content-Type', /json/);
      expect(res.body).toMatchObject({ statusCode: 502, error: 'Bad Gateway', code: 'CORRUPT_RECORD', id });
      expect(res.body.message).toContain(`task "${id}" is corrupt: not valid JSON`);
      await expect(app.get(TaskClient).handle(id).wait({ timeout: 5_000 })).rejects.toBeInstanceOf(
        CorruptRecordError,
      );
      await http.get(`/tasks/${randomUUID()}`).expect(404);
    } finally {
      await app.close();
    }
  });
});
