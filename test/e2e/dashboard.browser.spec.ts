import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { type Browser, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import { deleteRedisKeys } from '../../bench/support/redis-keys.js';
import { createSampleApp } from '../../sample-app/src/bootstrap.js';
import { startWorkerApp } from '../support/worker-app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = `dashboard-${randomUUID()}`;
/** A password in the app's broker and backend URLs (the shared Redis's default user takes any). */
const SECRET = `secret-${randomUUID()}`;
const SECRET_URL = (() => {
  const url = new URL(REDIS_URL);
  url.username = 'default';
  url.password = SECRET;
  return url.toString();
})();
/** Screenshots are kept as artefacts of the run. */
const SHOTS = '.test-output/dashboard';

/**
 * Sends `ReportTasks.notify` while only a worker that does not know it consumes `io`: the message
 * is dead-lettered as an unknown task (as after a deploy that reached the API before the workers).
 */
async function deadLetterBeforeDeploy(prefix: string): Promise<string> {
  const stale = await startWorkerApp(
    [],
    { broker: REDIS_URL, backend: REDIS_URL, prefix, queues: { io: {} } },
    { queues: ['io'] },
  );
  try {
    const handle = await stale.client.sendByName('ReportTasks.notify', ['replayed'], { queue: 'io' });
    await handle.waitForRecord({ timeout: 30_000 });
    return handle.id;
  } finally {
    await stale.close();
  }
}

const row = (page: Page, id: string) => page.locator(`#tasks tr[data-task-id="${id}"]`);

describe('dashboard in headless Chromium (sample app on Redis, embedded worker)', () => {
  const prefix = `dashboard-${randomUUID().slice(0, 8)}`;
  let app: INestApplication;
  let base: string;
  let browser: Browser;
  let page: Page;
  let staleTaskId: string;
  /** A site the sample app's fetchShares task reads: answering 404 until the test brings it up. */
  let site: Server;
  let siteUrl: string;
  let siteUp = false;
  /** Every URL the page requested, and everything the event stream carried during the run. */
  const requested: string[] = [];
  let streamed = '';
  let stream: IncomingMessage | undefined;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    staleTaskId = await deadLetterBeforeDeploy(prefix);
    site = createServer((req, res) => {
      if (!siteUp) res.writeHead(404).end('not yet');
      else if (req.url?.startsWith('/article/'))
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>celeriac root</p>');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello celeriac');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    process.env.CELERIAC_DASHBOARD_TOKEN = TOKEN;
    app = await createSampleApp({
      celeriac: {
        broker: SECRET_URL,
        backend: SECRET_URL,
        prefix,
        // In-process pools only: the browser test is about the page, not about booting children.
        queues: { cpu: { pool: 'async' }, io: { pool: 'async', concurrency: 20 }, serial: { pool: 'solo' } },
      },
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (sent) => requested.push(sent.url()));
    stream = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${base}/celeriac/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } }, resolve).on(
        'error',
        reject,
      ),
    );
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (streamed += chunk));
    await page.goto(`${base}/celeriac?token=${TOKEN}`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('[data-testid="live"]', { hasText: 'live' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    stream?.destroy();
    await browser?.close();
    await app?.close();
    await new Promise((resolve) => site?.close(resolve));
    delete process.env.CELERIAC_DASHBOARD_TOKEN;
    await deleteRedisKeys(prefix, REDIS_URL);
  });

  it('answers 401 without the token and 403 with a wrong one, on the page, its API and its stream', async () => {
    const http = request(app.getHttpServer());
    for (const path of ['/celeriac', '/celeriac/api/tasks', '/celeriac/api/events']) {
      await http.get(path).expect(401);
      await http.get(`${path}?token=wrong`).expect(403);
    }
    await http.post('/celeriac/api/queues/io/dead-letters/replay').expect(401);
    await http.get('/celeriac/api/queues').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('lists the embedded worker online from its heartbeats, with its queues', async () => {
    const worker = page.locator('#workers tr[data-state="online"]');
    await worker.waitFor();
    await expect(worker.locator('td').nth(3).textContent()).resolves.toContain('io (async × 20)');
  });

  it('shows a task sent through the sample app appear and reach SUCCESS live', async () => {
    const sent = await request(app.getHttpServer())
      .post('/reports')
      .send({ pages: 3, msPerPage: 150 })
      .expect(202);
    const id = sent.body.id as string;
    await row(page, id).and(page.locator('[data-state="STARTED"]')).waitFor();
    await row(page, id).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 20_000 });
    await expect(row(page, id).locator('td').nth(1).textContent()).resolves.toBe('ReportTasks.build');
    await row(page, id).click();
    await page.locator('[data-testid="detail-state"]', { hasText: 'SUCCESS' }).waitFor();
    await expect(page.locator('[data-testid="detail-args"]').textContent()).resolves.toMatch(
      /\[\s*3,\s*150\s*\]/,
    );
    await expect(page.locator('[data-testid="detail-progress"]').textContent()).resolves.toMatch(
      /"page": 3,\s*"pages": 3/,
    );
    await expect(page.locator('[data-testid="detail-result"]').textContent()).resolves.toContain(
      '"pages": 3',
    );
    await expect(page.locator('[data-testid="timeline"] li').allTextContents()).resolves.toEqual(
      expect.arrayContaining([
        expect.stringContaining('task-started'),
        expect.stringContaining('task-succeeded'),
      ]),
    );
    await page.screenshot({ path: `${SHOTS}/tasks.png`, fullPage: true });
  });

  it('revokes a running task with its button', async () => {
    const sent = await request(app.getHttpServer())
      .post('/reports')
      .send({ pages: 200, msPerPage: 100 })
      .expect(202);
    const id = sent.body.id as string;
    await row(page, id).and(page.locator('[data-state="STARTED"]')).waitFor();
    await row(page, id).click();
    await page.locator('[data-testid="detail-state"]', { hasText: 'STARTED' }).waitFor();
    await page.locator('[data-testid="revoke"]').click();
    await row(page, id).and(page.locator('[data-state="REVOKED"]')).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="detail-state"]', { hasText: 'REVOKED' }).waitFor();
    await expect(page.locator('[data-testid="revoke"]').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/revoked.png`, fullPage: true });
  });

  it('replays a dead letter by clicking, and the task then runs to SUCCESS', async () => {
    await page.locator('#queues tr[data-queue="io"] [data-testid="open-dead-letters"]').click();
    const letter = page.locator(`#dead-letters tr[data-message-id="${staleTaskId}"]`);
    await letter.waitFor();
    await expect(letter.locator('[data-testid="reason"]').textContent()).resolves.toMatch(
      /ReportTasks\.notify/,
    );
    await page.screenshot({ path: `${SHOTS}/dead-letters.png`, fullPage: true });
    await letter.locator('[data-testid="replay"]').click();
    await letter.waitFor({ state: 'detached' });
    await row(page, staleTaskId).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 20_000 });
    const record = await request(app.getHttpServer())
      .get(`/celeriac/api/tasks/${staleTaskId}`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(record.body.record).toMatchObject({ state: 'SUCCESS', result: 'sent: replayed' });
  });

  it('shows a failed task with its error and stack, and retries it with the button once the site is up', async () => {
    const url = `${siteUrl}/shares`;
    const sent = await request(app.getHttpServer()).post('/shares').send({ url }).expect(202);
    const id = sent.body.id as string;
    await row(page, id).and(page.locator('[data-state="FAILURE"]')).waitFor({ timeout: 20_000 });
    await row(page, id).click();
    await page.locator('[data-testid="detail-state"]', { hasText: 'FAILURE' }).waitFor();
    await expect(page.locator('[data-testid="detail-error"]').textContent()).resolves.toBe(
      `NonRetryableError: GET ${url} answered 404`,
    );
    await expect(page.locator('[data-testid="detail-stack"]').textContent()).resolves.toMatch(/\n\s+at /);
    await page.screenshot({ path: `${SHOTS}/failed.png`, fullPage: true });
    siteUp = true;
    await page.locator('[data-testid="retry"]').click();
    // The retry is a new task with the same arguments; the page opens its detail.
    await page.locator('#detail-id').filter({ hasNotText: id }).waitFor();
    const retriedId = (await page.locator('#detail-id').textContent())!;
    await page.locator('[data-testid="detail-state"]', { hasText: 'SUCCESS' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-testid="detail-args"]').textContent()).resolves.toContain(url);
    await row(page, retriedId).and(page.locator('[data-state="SUCCESS"]')).waitFor();
    await row(page, id).and(page.locator('[data-state="FAILURE"]')).waitFor();
    // Only a task that ended without a result is retried.
    const retryDone = await request(app.getHttpServer())
      .post(`/celeriac/api/tasks/${retriedId}/retry`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(409);
    expect(retryDone.body.message).toMatch(/is SUCCESS; only FAILURE or REVOKED/);
  });

  it("follows a chord's progress in the workflows view", async () => {
    const urls = [1, 2, 3].map((n) => `${siteUrl}/article/${n}`);
    siteUp = true;
    await request(app.getHttpServer())
      .post('/word-counts')
      .send({ urls, words: ['root'] })
      .expect(202);
    const workflow = page.locator('#workflows tr', { hasText: 'chord' });
    await workflow
      .locator('[data-testid="workflow-progress"]', { hasText: '3 / 3' })
      .waitFor({ timeout: 20_000 });
    await expect(workflow.locator('progress').getAttribute('value')).resolves.toBe('3');
    await page.screenshot({ path: `${SHOTS}/workflows.png`, fullPage: true });
  });

  it("lists the sample app's periodic schedule with its cadence", async () => {
    const schedule = page.locator('#schedules tr[data-schedule="counter-snapshot"]');
    await schedule.waitFor();
    await expect(schedule.locator('td').nth(1).textContent()).resolves.toBe('CounterTasks.snapshot');
    await expect(schedule.locator('td').nth(2).textContent()).resolves.toBe('every 10 s');
  });

  it("shows each queue's succeeded and failed tasks of the last minute, live", async () => {
    const sent = await request(app.getHttpServer())
      .post('/reports')
      .send({ pages: 1, msPerPage: 1 })
      .expect(202);
    siteUp = false;
    const failing = await request(app.getHttpServer())
      .post('/shares')
      .send({ url: `${siteUrl}/rates` })
      .expect(202);
    await row(page, sent.body.id as string)
      .and(page.locator('[data-state="SUCCESS"]'))
      .waitFor();
    await row(page, failing.body.id as string)
      .and(page.locator('[data-state="FAILURE"]'))
      .waitFor();
    const io = page.locator('#queues tr[data-queue="io"]');
    const atLeastOne = /^[1-9]\d*$/;
    await io.locator('[data-testid="succeeded-per-minute"]', { hasText: atLeastOne }).waitFor();
    await io.locator('[data-testid="failed-per-minute"]', { hasText: atLeastOne }).waitFor();
    const queues = await request(app.getHttpServer())
      .get('/celeriac/api/queues')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(queues.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          queue: 'io',
          rates: { succeededPerMinute: expect.any(Number), failedPerMinute: expect.any(Number) },
        }),
      ]),
    );
    await page.screenshot({ path: `${SHOTS}/queues.png`, fullPage: true });
  });

  it('never shows the broker or backend password: not in the page, its API or its event stream', async () => {
    const http = request(app.getHttpServer());
    const asOperator = (path: string) =>
      http.get(`/celeriac/${path}`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const overview = await asOperator('api/overview');
    expect(overview.body).toMatchObject({ broker: expect.stringContaining(':***@') });
    const tasks = (await asOperator('api/tasks')).body as { id: string }[];
    const queues = (overview.body as { queues: string[] }).queues;
    const paths = [
      '',
      'api/overview',
      'api/workers',
      'api/queues',
      'api/tasks',
      'api/workflows',
      'api/schedules',
      ...tasks.map((task) => `api/tasks/${task.id}`),
      ...queues.map((queue) => `api/queues/${queue}/dead-letters`),
    ];
    for (const path of paths) expect((await asOperator(path)).text).not.toContain(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    expect(streamed).toMatch(/event: task\n/);
    expect(streamed).toMatch(/event: worker\n/);
    expect(streamed).not.toContain(SECRET);
  });

  it('loads nothing from another origin (no CDN): every request of the page went to the app', () => {
    const origin = new URL(base).origin;
    expect(requested).toEqual(
      expect.arrayContaining([
        `${base}/celeriac?token=${TOKEN}`,
        expect.stringMatching(/\/assets\/dashboard\.js$/),
      ]),
    );
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });
});
