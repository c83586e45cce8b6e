import { randomUUID } from 'node:crypto';
import { MemoryScheduleStore } from '../../../lib/backends/memory/memory-schedule.store.js';
import type { ScheduleStore } from '../../../lib/backends/schedule-store.interface.js';
import { Beat, BEAT_RETRY_MS, type FireTick } from '../../../lib/scheduler/beat.js';
import { defineSchedule, digestOf } from '../../../lib/scheduler/schedule-definition.js';
import type { ScheduleSpec } from '../../../lib/scheduler/schedule-options.interface.js';
import { scheduleTaskId } from '../../../lib/scheduler/schedule-task-id.js';
import { FakeClock, flush } from '../../support/fake-clock.js';

const START = Date.parse('2026-05-01T12:00:00.250Z');
const SECOND = 1_000;
const LEASE_MS = 5_000;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('Beat', () => {
  let clock: FakeClock;
  let store: ScheduleStore;
  let fired: { id: string; at: number; taskId: string; node: string }[];
  const beats: Beat[] = [];

  beforeEach(() => {
    clock = new FakeClock(START);
    store = new MemoryScheduleStore(`beat-spec-${randomUUID()}`);
    fired = [];
  });

  afterEach(async () => {
    await Promise.all(beats.splice(0).map((beat) => beat.stop()));
  });

  async function startBeat(node: string, fire?: FireTick, leaseMs = LEASE_MS): Promise<Beat> {
    const beat = new Beat({
      store,
      clock,
      node,
      leaseMs,
      logger: quiet,
      fire:
        fire ??
        ((definition, at, taskId) => {
          fired.push({ id: definition.id, at, taskId, node });
          return Promise.resolve();
        }),
    });
    beats.push(beat);
    await beat.start();
    return beat;
  }

  async function upsert(id: string, spec: Omit<ScheduleSpec, 'task'>): Promise<void> {
    const definition = defineSchedule(id, { task: 'Counter.snapshot', ...spec }, 'dynamic');
    await store.put(definition, digestOf(definition), clock.now());
    await flush();
  }

  const ticksOf = (id: string) => fired.filter((f) => f.id === id).map((f) => new Date(f.at).toISOString());

  it('fires an interval schedule at each tick, under a task id derived from schedule and tick', async () => {
    await upsert('snap', { every: '10s' });
    await startBeat('a');
    await clock.advance(30 * SECOND);
    expect(ticksOf('snap')).toEqual([
      '2026-05-01T12:00:10.000Z',
      '2026-05-01T12:00:20.000Z',
      '2026-05-01T12:00:30.000Z',
    ]);
    expect(fired[0].taskId).toBe('schedule:snap@2026-05-01T12:00:10.000Z');
    expect((await store.get('snap'))?.last).toEqual({
      at: Date.parse('2026-05-01T12:00:30Z'),
      taskId: scheduleTaskId('snap', Date.parse('2026-05-01T12:00:30Z')),
      by: 'a',
    });
    expect((await store.get('snap'))?.pending).toEqual([]);
  });

  it('fires each tick once however many nodes run a beat', async () => {
    await upsert('snap', { every: '1s' });
    await upsert('cron', { cron: '*/2 * * * * *' });
    await Promise.all(['a', 'b', 'c'].map((node) => startBeat(node)));
    await clock.advance(20 * SECOND);
    expect(ticksOf('snap')).toHaveLength(20);
    expect(new Set(ticksOf('snap')).size).toBe(20);
    expect(ticksOf('cron')).toHaveLength(10);
    expect(new Set(fired.map((f) => f.node)).size).toBeGreaterThan(0);
  });

  it('fires every tick of a short stall of every node, late and in order', async () => {
    await upsert('snap', { every: '1s' });
    await Promise.all(['a', 'b'].map((node) => startBeat(node)));
    await clock.advance(2 * SECOND);
    clock.jump(3_500); // both processes frozen: their timers come due together
    await clock.advance(0);
    await clock.advance(2 * SECOND);
    expect(ticksOf('snap')).toEqual([
      '2026-05-01T12:00:01.000Z',
      '2026-05-01T12:00:02.000Z',
      '2026-05-01T12:00:03.000Z',
      '2026-05-01T12:00:04.000Z',
      '2026-05-01T12:00:05.000Z',
      '2026-05-01T12:00:06.000Z',
      '2026-05-01T12:00:07.000Z',
    ]);
  });

  it('keeps one timer for every schedule, armed for the earliest tick', async () => {
    for (let i = 0; i < 100; i++) await upsert(`minute-${i}`, { every: '1m' });
    await upsert('hourly', { cron: '0 * * * *' });
    const beat = await startBeat('a');
    expect(clock.pendingTimers).toBe(1);
    expect(beat.nextWakeAt).toBe(Date.parse('2026-05-01T12:01:00Z'));
    await clock.advance(60 * SECOND);
    expect(fired).toHaveLength(100);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt).toBe(Date.parse('2026-05-01T12:02:00Z'));
  });

  it('re-arms when another node adds, pauses, resumes or removes a schedule', async () => {
    const beat = await startBeat('a');
    expect(clock.pendingTimers).toBe(0);
    await upsert('later', { every: '1h' });
    expect(beat.nextWakeAt).toBe(Date.parse('2026-05-01T13:00:00Z'));
    await upsert('sooner', { every: '5s' });
    expect(beat.nextWakeAt).toBe(Date.parse('2026-05-01T12:00:05Z'));
    await clock.advance(5 * SECOND);
    expect(ticksOf('sooner')).toEqual(['2026-05-01T12:00:05.000Z']);

    await store.setPaused('sooner', true, clock.now());
    await flush();
    await clock.advance(20 * SECOND);
    expect(ticksOf('sooner')).toHaveLength(1);
    await store.setPaused('sooner', false, clock.now());
    await flush();
    await clock.advance(5 * SECOND);
    // Ticks missed while paused do not fire on resume; the next one does.
    expect(ticksOf('sooner')).toEqual(['2026-05-01T12:00:05.000Z', '2026-05-01T12:00:30.000Z']);

    await store.remove('sooner');
    await flush();
    expect(beat.nextWakeAt).toBe(Date.parse('2026-05-01T13:00:00Z'));
    await clock.advance(60 * SECOND);
    expect(ticksOf('sooner')).toHaveLength(2);
  });

  it('fires a changed schedule on its new cadence, counting from the change', async () => {
    await upsert('snap', { every: '10s' });
    await startBeat('a');
    await clock.advance(10 * SECOND);
    await upsert('snap', { every: '1m' });
    await clock.advance(60 * SECOND);
    expect(ticksOf('snap')).toEqual(['2026-05-01T12:00:10.000Z', '2026-05-01T12:01:00.000Z']);
  });

  it('fires the most recent missed tick once when beat comes back, then keeps time', async () => {
    await upsert('snap', { every: '1m' });
    const first = await startBeat('a');
    await clock.advance(60 * SECOND);
    await first.stop();
    beats.splice(beats.indexOf(first), 1);
    await clock.advance(10 * 60 * SECOND + 30 * SECOND); // every node down through ten ticks
    await startBeat('b');
    await clock.advance(0);
    expect(ticksOf('snap')).toEqual(['2026-05-01T12:01:00.000Z', '2026-05-01T12:11:00.000Z']);
    await clock.advance(30 * SECOND);
    expect(ticksOf('snap')).toEqual([
      '2026-05-01T12:01:00.000Z',
      '2026-05-01T12:11:00.000Z',
      '2026-05-01T12:12:00.000Z',
    ]);
  });

  it('skips missed ticks with catchUp: false', async () => {
    await upsert('snap', { every: '1m', catchUp: false });
    const first = await startBeat('a');
    await clock.advance(60 * SECOND);
    await first.stop();
    beats.splice(beats.indexOf(first), 1);
    await clock.advance(10 * 60 * SECOND + 30 * SECOND);
    await startBeat('b');
    await clock.advance(30 * SECOND);
    expect(ticksOf('snap')).toEqual(['2026-05-01T12:01:00.000Z', '2026-05-01T12:12:00.000Z']);
  });

  it('fires nothing for ticks before a schedule existed', async () => {
    await startBeat('a');
    await clock.advance(90 * SECOND);
    await upsert('fresh', { cron: '*/5 * * * *' });
    await clock.advance(60 * SECOND);
    expect(fired).toEqual([]);
    await clock.advanceTo('2026-05-01T12:05:00Z');
    expect(ticksOf('fresh')).toEqual(['2026-05-01T12:05:00.000Z']);
  });

  it('takes over a tick whose claimer died before publishing, once its lease lapsed', async () => {
    await upsert('snap', { every: '1h' });
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    await startBeat('dying', () => hung); // claims, then never confirms: a process killed mid-publish
    await clock.advanceTo('2026-05-01T13:00:00Z');
    expect(fired).toEqual([]);
    await startBeat('survivor');
    await clock.advance(LEASE_MS + SECOND);
    expect(fired).toEqual([
      {
        id: 'snap',
        at: Date.parse('2026-05-01T13:00:00Z'),
        taskId: 'schedule:snap@2026-05-01T13:00:00.000Z',
        node: 'survivor',
      },
    ]);
    expect((await store.get('snap'))?.pending).toEqual([]);
    release();
  });

  it('hands a dead claimer’s tick to a node that was waiting on it', async () => {
    await upsert('snap', { every: '1h' });
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    await startBeat('dying', () => slow);
    await startBeat('survivor');
    await clock.advanceTo('2026-05-01T13:00:00Z');
    expect(fired).toEqual([]);
    await clock.advance(LEASE_MS + SECOND);
    expect(ticksOf('snap')).toEqual(['2026-05-01T13:00:00.000Z']);
    expect(fired[0].node).toBe('survivor');
    release();
  });

  it('retries a tick whose publish failed, under the same task id', async () => {
    await upsert('snap', { every: '1h' });
    let failures = 1;
    await startBeat('a', (definition, at, taskId) => {
      if (failures-- > 0) return Promise.reject(new Error('broker down'));
      fired.push({ id: definition.id, at, taskId, node: 'a' });
      return Promise.resolve();
    });
    await clock.advanceTo('2026-05-01T13:00:00Z');
    expect(fired).toEqual([]);
    await clock.advance(BEAT_RETRY_MS);
    expect(fired.map((f) => f.taskId)).toEqual(['schedule:snap@2026-05-01T13:00:00.000Z']);
  });

  it('fires a tick while every node but one is stopped and started again', async () => {
    await upsert('snap', { every: '1s' });
    await startBeat('steady');
    let restarting = await startBeat('restarting-0');
    for (let round = 1; round <= 5; round++) {
      await clock.advance(3 * SECOND);
      await restarting.stop();
      beats.splice(beats.indexOf(restarting), 1);
      restarting = await startBeat(`restarting-${round}`);
    }
    await clock.advance(2 * SECOND);
    const ticks = ticksOf('snap');
    expect(ticks).toHaveLength(17);
    expect(new Set(ticks).size).toBe(17);
  });
});
