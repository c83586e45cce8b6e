import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ResultBackend } from '../../../lib/backends/result-backend.interface.js';
import { CELERIAC_BACKEND } from '../../../lib/celeriac.constants.js';
import { CeleriacModule, Scheduler } from '../../../lib/index.js';
import type { ScheduleInfo } from '../../../lib/index.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { TickTasks } from '../../fixtures/scheduler/tick-tasks.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { celeriac, jsonOf, randomPrefix } from './support/cli-rig.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A `--json` listing entry: the dates of {@link ScheduleInfo} as ISO strings. */
type Listed = Omit<ScheduleInfo, 'lastFireAt' | 'nextFireAt'> & { lastFireAt?: string; nextFireAt?: string };

/**
 * `celeriac schedules` against the schedules of a running application, on each broker (schedules
 * live in the Redis result backend; the beat fires through the broker): one node in this process
 * declares a one-second schedule, adds a cron schedule at run time and runs the beat, so the listing
 * has fires to show. The binary is the compiled `bin`, spawned as a user would.
 */
const deployments = [
  { name: 'on Redis', broker: REDIS_URL },
  { name: 'on RabbitMQ, results in Redis', broker: AMQP_URL },
];

describe.each(deployments)('celeriac schedules $name', ({ broker }) => {
  const prefix = randomPrefix('schedules');
  const args = ['--broker', broker, '--backend', REDIS_URL, '--prefix', prefix];
  let app: INestApplicationContext;

  beforeAll(async () => {
    // The binary is compiled once for every spec (and cached); a fresh build takes a while.
    await compiledEntry('lib/cli/main.ts');
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker,
          backend: REDIS_URL,
          prefix,
          beat: true,
          queues: { ticks: {} },
          logger: false,
          brokerOptions: broker.startsWith('redis') ? { checkConfig: false } : {},
          backendOptions: { checkConfig: false },
        }),
      ],
      providers: [TickTasks],
    }).compile();
    // Listening before the beat starts, so its first fire is heard: the listing then has one to show.
    const store = (await moduleRef.resolve<ResultBackend>(CELERIAC_BACKEND)).schedules!;
    let unwatch: (() => Promise<void>) | undefined;
    const firstFire = new Promise<void>((resolve) => {
      void store
        .watch(
          (change) => change.kind === 'fired' && change.id === 'every-second' && resolve(),
          () => undefined,
        )
        .then((stop) => (unwatch = stop));
    });
    app = await moduleRef.init();
    await app.get(Scheduler).upsert('nightly', {
      task: 'TickTasks.tick',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
    });
    await firstFire;
    await unwatch?.();
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    if (broker === AMQP_URL) await deleteByPrefix(prefix);
    await deleteRedisKeys(prefix, REDIS_URL);
  });

  it('lists every schedule with its last fire and next fire (--json); exit 0', async () => {
    const run = await celeriac([...args, '--json', 'schedules']);
    expect(run.code).toBe(0);
    const listed = jsonOf<Listed[]>(run);
    expect(listed.map((s) => s.id)).toEqual(['every-second', 'nightly']);
    const [second, nightly] = listed;
    expect(second).toMatchObject({
      task: 'TickTasks.tick',
      origin: 'task',
      every: 1_000,
      paused: false,
      lastTaskId: expect.stringMatching(/^schedule:every-second@/),
      lastFiredBy: expect.stringContaining(`:${process.pid}:`),
    });
    expect(Date.parse(second.lastFireAt!)).toBeLessThan(Date.parse(second.nextFireAt!));
    expect(nightly).toMatchObject({
      origin: 'dynamic',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      paused: false,
    });
    expect(nightly.lastFireAt).toBeUndefined();
    // 02:00 in Paris is 00:00 or 01:00 UTC, depending on the season.
    expect(new Date(nightly.nextFireAt!).getUTCHours()).toBeLessThan(2);
  });

  it('prints an aligned table for people, the same as `schedules list`', async () => {
    const run = await celeriac([...args, 'schedules']);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'ID',
      'TASK',
      'WHEN',
      'PAUSED',
      'LAST FIRE',
      'LAST TASK',
      'STATE',
      'NEXT FIRE',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^every-second\s+TickTasks\.tick\s+every 1 s\s+no\s+\d{4}-/);
    expect(rows[1]).toMatch(
      /^nightly\s+TickTasks\.tick\s+0 2 \* \* \* \(Europe\/Paris\)\s+no\s+-\s+-\s+-\s+\d{4}-/,
    );
    const list = await celeriac([...args, 'schedules', 'list']);
    expect(list.stdout.split('\n')[0]).toBe(header);
  });

  it('next prints the next fire times, one a line', async () => {
    const run = await celeriac([...args, 'schedules', 'next', 'nightly', '--count', '3']);
    expect(run.code).toBe(0);
    const times = run.stdout.trim().split('\n').map(Date.parse);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) {
      // A day apart, give or take the hour of a DST change.
      expect(Math.abs(times[i] - times[i - 1] - 86_400_000)).toBeLessThanOrEqual(3_600_000);
    }
    const json = jsonOf<{ id: string; next: string[] }>(
      await celeriac([...args, '--json', 'schedules', 'next', 'every-second', '--count', '2']),
    );
    expect(json.id).toBe('every-second');
    expect(Date.parse(json.next[1]) - Date.parse(json.next[0])).toBe(1_000);
  });

  it('pause and resume change the schedule for every node: a paused one shows no next fire', async () => {
    const paused = await celeriac([...args, 'schedules', 'pause', 'every-second']);
    expect([paused.code, paused.stdout]).toEqual([0, 'paused every-second\n']);
    const scheduler = app.get(Scheduler);
    expect(await scheduler.get('every-second')).toMatchObject({ paused: true, nextFireAt: undefined });
    const listed = jsonOf<Listed[]>(await celeriac([...args, '--json', 'schedules']));
    expect(listed[0]).toMatchObject({ id: 'every-second', paused: true });
    expect(listed[0].nextFireAt).toBeUndefined();
    const resumed = await celeriac([...args, '--json', 'schedules', 'resume', 'every-second']);
    expect(jsonOf(resumed)).toEqual({ id: 'every-second', paused: false });
    expect(await scheduler.get('every-second')).toMatchObject({ paused: false });
  });

  it('remove deletes a schedule everywhere; an unknown id exits 4', async () => {
    const removed = await celeriac([...args, 'schedules', 'remove', 'nightly']);
    expect([removed.code, removed.stdout]).toEqual([0, 'removed nightly\n']);
    expect(await app.get(Scheduler).get('nightly')).toBeUndefined();
    for (const command of [['remove'], ['pause'], ['resume'], ['next']]) {
      const run = await celeriac([...args, 'schedules', ...command, 'nightly']);
      expect([run.code, run.stderr]).toEqual([
        4,
        'celeriac: no schedule "nightly" (celeriac schedules lists them)\n',
      ]);
    }
  });

  it('says where results are when the broker is RabbitMQ without --backend (exit 2), or the backend is down (exit 3)', async () => {
    const noBackend = await celeriac(['--broker', AMQP_URL, '--prefix', prefix, 'schedules']);
    expect(noBackend.code).toBe(2);
    expect(noBackend.stderr).toContain('pass --backend redis://… or set RESULT_URL');
    const down = await celeriac(['--broker', 'redis://127.0.0.1:1', '--prefix', prefix, 'schedules']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^celeriac: cannot reach the result backend at redis:\/\/127\.0\.0\.1:1/);
    const onRabbit = await celeriac([
      '--broker',
      AMQP_URL,
      '--backend',
      REDIS_URL,
      '--prefix',
      prefix,
      '--json',
      'schedules',
    ]);
    expect(onRabbit.code).toBe(0);
    expect(jsonOf<Listed[]>(onRabbit).map((s) => s.id)).toEqual(['every-second']);
    const badCount = await celeriac([...args, 'schedules', 'next', 'every-second', '--count', '0']);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('expected an integer ≥ 1, got "0"');
  });
});
