import { randomUUID } from 'node:crypto';
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { createSampleApp } from '../../../sample-app/src/bootstrap.js';
import type { SpawnedProcess } from '../../support/spawned-process.js';
import { startWorkers } from '../cli/support/cli-rig.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = `cluster-${randomUUID()}`;

interface Seen {
  id: string;
  state: string;
  worker?: string;
}

/** Reads the dashboard's event stream until `found` accepts one of its `type` events. */
function waitForEvent(url: string, type: 'task' | 'worker', found: (data: Seen) => boolean) {
  return new Promise<Seen>((resolve, reject) => {
    get(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (response: IncomingMessage) => {
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (!new RegExp(`^event: ${type}$`, 'm').test(message) || !data) continue;
          const summary = JSON.parse(data) as Seen;
          if (found(summary)) {
            response.destroy();
            resolve(summary);
          }
        }
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('dashboard of an API process with no worker of its own (Redis, a worker process)', () => {
  const prefix = `dashboard-cluster-${randomUUID().slice(0, 8)}`;
  let app: INestApplication;
  let base: string;
  let workers: SpawnedProcess[] = [];

  beforeAll(async () => {
    process.env.CELERIAC_DASHBOARD_TOKEN = TOKEN;
    workers = await startWorkers({ broker: REDIS_URL, backend: REDIS_URL, prefix }, 1, 'io');
    app = await createSampleApp({
      embeddedWorker: false,
      celeriac: { broker: REDIS_URL, backend: REDIS_URL, prefix },
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    delete process.env.CELERIAC_DASHBOARD_TOKEN;
    await deleteRedisKeys(prefix, REDIS_URL);
  });

  it("follows a task run by another process's worker to SUCCESS, from the event bus", async () => {
    const http = request(app.getHttpServer());
    let id = '';
    const events = `${base}/celeriac/api/events`;
    const succeeded = waitForEvent(
      events,
      'task',
      (summary) => summary.id === id && summary.state === 'SUCCESS',
    );
    // Workers are known from their heartbeats: the first one after the dashboard started listening.
    const heartbeat = waitForEvent(events, 'worker', (info) => info.state === 'online');
    const sent = await http.post('/reports').send({ pages: 2, msPerPage: 50 }).expect(202);
    id = sent.body.id as string;
    const summary = await succeeded;
    expect(summary.worker).toMatch(/:\d+$/);
    expect(summary.worker).not.toContain(`:${process.pid}`);
    const detail = await http
      .get(`/celeriac/api/tasks/${id}`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    const body = detail.body as { timeline: { type: string }[]; args: unknown };
    expect(body.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['task-sent', 'task-received', 'task-started', 'task-succeeded']),
    );
    expect(body.args).toEqual([2, 50]);
    expect((await heartbeat).worker).toBe(summary.worker);
    const listed = await http
      .get('/celeriac/api/workers')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ worker: summary.worker, state: 'online' })]);
  });
});
