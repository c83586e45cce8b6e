import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { group, sig, TaskClient, TaskState } from '../../lib/index.js';
import { PrimesTasks } from '../../sample-app/src/primes/primes.tasks.js';
import { createSampleApp } from '../../sample-app/src/bootstrap.js';
import { compiledEntry } from '../fixtures/pools/compiled-fixtures.js';

type Http = ReturnType<typeof request>;

/** Follows a 202's Location until the task is ready, as an HTTP client would (bounded number of reads). */
async function follow(http: Http, location: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const res = await http.get(location).expect(200);
    const body = res.body as { state: string };
    if ([TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED].includes(body.state as never))
      return res.body as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${location} never became ready`);
}

describe('sample app over HTTP (embedded broker, API + worker in one process)', () => {
  let app: INestApplication;
  let http: Http;
  let pages: Server;
  let pagesUrl: string;

  beforeAll(async () => {
    // The cpu queue runs on threads, which re-enter the app's entry; under jest argv[1] is jest,
    // so point them at the compiled sample entry, as `npm start` would run it (the first spec to ask
    // compiles lib/ and the sample app, hence the long hook timeout).
    process.env.CELERIAC_POOL_ENTRY = await compiledEntry('sample-app/src/main.ts');
    app = await createSampleApp({ celeriac: { prefix: `e2e-${randomUUID()}` } });
    await app.init();
    http = request(app.getHttpServer());
    pages = createServer((req, res) => {
      if (req.url === '/missing') res.writeHead(404).end('no');
      else if (req.url?.startsWith('/article/')) {
        const n = Number(req.url.split('/')[2]);
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<html><body><p>Celery and celeriac.</p>${'<b>root</b> '.repeat(n)}</body></html>`);
      } else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello celeriac');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  }, 180_000);

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => pages.close(resolve));
    delete process.env.CELERIAC_POOL_ENTRY;
  });

  it('POST /primes → 202 with Location; following it reaches SUCCESS with 9592', async () => {
    const res = await http.post('/primes').send({ limit: 100_000 }).expect(202);
    const location = res.headers.location;
    expect(location).toBe(`/tasks/${res.body.id as string}`);
    expect(res.body).toEqual({ id: expect.any(String), state: 'PENDING', links: { status: location } });
    const done = await follow(http, location);
    expect(done).toMatchObject({
      id: res.body.id,
      state: 'SUCCESS',
      result: 9592,
      task: 'PrimesTasks.count',
      queue: 'cpu',
    });
  });

  it('the status stream sends state changes until the task is ready', async () => {
    const res = await http.post('/primes').send({ limit: 50_000 }).expect(202);
    const stream = await http
      .get(`${res.headers.location}/events`)
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => done(null, text));
      });
    const events = (stream.body as string)
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { state: string; result?: number });
    expect(events.at(-1)).toMatchObject({ state: 'SUCCESS', result: 5133 });
  });

  it('N concurrent increments on the serial queue reach exactly N', async () => {
    const n = 25;
    const accepted = await Promise.all(
      Array.from({ length: n }, () => http.post('/counter/increment').expect(202)),
    );
    const results = await Promise.all(accepted.map((res) => follow(http, res.headers.location)));
    const values = results.map((body) => body.result as number).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('POST /shares fetches a page in the io queue', async () => {
    const res = await http
      .post('/shares')
      .send({ url: `${pagesUrl}/page` })
      .expect(202);
    const done = await follow(http, res.headers.location);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      result: { url: `${pagesUrl}/page`, status: 200, bytes: 14 },
    });
  });

  it('a 4xx page fails the shares task without retrying', async () => {
    const res = await http
      .post('/shares')
      .send({ url: `${pagesUrl}/missing` })
      .expect(202);
    const done = await follow(http, res.headers.location);
    expect(done).toMatchObject({
      state: 'FAILURE',
      retries: 0,
      error: { name: 'NonRetryableError', message: `GET ${pagesUrl}/missing answered 404` },
    });
  });

  it('POST /word-counts scrapes every URL and counts the words in one chord callback', async () => {
    const urls = [1, 2, 3, 4].map((n) => `${pagesUrl}/article/${n}`);
    const res = await http
      .post('/word-counts')
      .send({ urls, words: ['root', 'celeriac', 'turnip'] })
      .expect(202);
    const done = await follow(http, res.headers.location);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      task: 'WordCountTasks.count',
      result: { pages: 4, counts: { root: 10, celeriac: 4, turnip: 0 } },
    });
  });

  it("GET /tasks/:id of a group reports its members' progress and ordered results", async () => {
    const handle = await app
      .get(TaskClient)
      .apply(group([30, 20, 10].map((limit) => sig(PrimesTasks, 'count', limit))));
    const done = await follow(http, `/tasks/${handle.id}`);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      task: 'celeriac.group',
      progress: { completed: 3, total: 3 },
      result: [10, 8, 4],
    });
  });

  it('POST /word-counts with a bad body → 400', async () => {
    const res = await http
      .post('/word-counts')
      .send({ urls: ['nope'], words: [] })
      .expect(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        'each value in urls must be a URL address',
        'words must contain at least 1 elements',
      ]),
    );
  });

  it('unknown task id → 404', async () => {
    const res = await http.get(`/tasks/${randomUUID()}`).expect(404);
    expect(res.body.message).toMatch(/no task with id/);
    await http.delete(`/tasks/${randomUUID()}`).expect(404);
  });

  it('malformed bodies → 400 with a message', async () => {
    const primes = await http.post('/primes').send({ limit: 'lots' }).expect(400);
    expect(primes.body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/limit must be an integer/)]),
    );
    const shares = await http.post('/shares').send({ url: 'not a url' }).expect(400);
    expect(shares.body.message).toEqual(expect.arrayContaining(['url must be a URL address']));
    await http.post('/primes').set('content-type', 'application/json').send('{"limit":').expect(400);
  });

  it('an unknown task sent by name fails with a message naming it, while other tasks keep running', async () => {
    const handle = await app.get(TaskClient).sendByName('Reports.missing', [], { queue: 'io' });
    const done = await follow(http, `/tasks/${handle.id}`);
    expect(done).toMatchObject({
      state: 'FAILURE',
      error: {
        name: 'UnknownTaskError',
        message: 'unknown task "Reports.missing": no @Task method is registered under that name',
      },
    });
    const res = await http.post('/primes').send({ limit: 10 }).expect(202);
    expect(await follow(http, res.headers.location)).toMatchObject({ state: 'SUCCESS', result: 4 });
  });

  it('DELETE /tasks/:id revokes a task that has not run yet', async () => {
    const handle = await app.get(TaskClient).sendByName('PrimesTasks.count', [1000], { countdown: 60_000 });
    const res = await http.delete(`/tasks/${handle.id}`).expect(202);
    expect(res.body).toMatchObject({ id: handle.id, state: 'REVOKED' });
    expect((await http.get(`/tasks/${handle.id}`).expect(200)).body.state).toBe('REVOKED');
  });
  it('fires the counter snapshot every 10 s from the embedded worker’s beat; GET /schedules shows it', async () => {
    type Listed = { id: string; nextFireAt?: string; lastFireAt?: string };
    const listed = (await http.get('/schedules').expect(200)).body as Listed[];
    const schedule = listed.find((s) => s.id === 'counter-snapshot');
    expect(schedule).toMatchObject({
      task: 'CounterTasks.snapshot',
      every: 10_000,
      origin: 'task',
      paused: false,
    });
    const tick = new Date(schedule!.nextFireAt!).toISOString();
    // The task id names the schedule and the tick, so the test can wait for that very task.
    const snapshot = await app
      .get(TaskClient)
      .handle(`schedule:counter-snapshot@${tick}`)
      .wait({ timeout: 40_000 });
    expect(snapshot).toEqual({ at: tick, value: expect.any(Number) });
    const counter = (await http.get('/counter').expect(200)).body as { snapshots: unknown[] };
    expect(counter.snapshots).toContainEqual(snapshot);
    const after = ((await http.get('/schedules').expect(200)).body as Listed[]).find(
      (s) => s.id === 'counter-snapshot',
    );
    expect(Date.parse(after!.lastFireAt!)).toBeGreaterThanOrEqual(Date.parse(tick));
  }, 60_000);
});
