import { randomUUID } from 'node:crypto';
import type { ResultBackend } from '../../lib/backends/result-backend.interface.js';
import type { ScheduleChange, ScheduleStore } from '../../lib/backends/schedule-store.interface.js';
import {
  defineSchedule,
  digestOf,
  type ScheduleDefinition,
} from '../../lib/scheduler/schedule-definition.js';
import { sleep, within } from './conformance-helpers.js';

/** Makes an unconnected result backend whose keys all live under `prefix`; the suite connects it. */
export type ScheduleBackendFactory = (prefix: string) => Promise<ResultBackend> | ResultBackend;

const LEASE_MS = 200;

function definition(id: string, every = '1s', args: unknown[] = []): ScheduleDefinition {
  return defineSchedule(id, { task: 'ReportTasks.render', every, args: args as never }, 'dynamic');
}

/** Collects the changes a watcher hears, and lets a test await the n-th one. */
class ChangeLog {
  readonly changes: ScheduleChange[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly listener = (change: ScheduleChange): void => {
    this.changes.push(change);
    for (const waiter of this.waiters.filter((w) => this.changes.length >= w.count)) waiter.resolve();
  };

  count(n: number): Promise<void> {
    if (this.changes.length >= n) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.waiters.push({ count: n, resolve })), `${n} changes`);
  }
}

/**
 * The behaviour every {@link ScheduleStore} must show, as one jest `describe` block: definitions kept
 * exactly, digests that make re-declaring a no-op, versions that fence stale claims, one claimer per
 * tick, lease takeover and adoption of orphaned claims, and change notifications. Lease tests wait for
 * a short lease to lapse (a shared store measures it on its own clock).
 */
export function describeScheduleStoreConformance(name: string, makeBackend: ScheduleBackendFactory): void {
  describe(`Schedule store conformance: ${name}`, () => {
    let backends: ResultBackend[];
    let store: ScheduleStore;

    beforeEach(async () => {
      backends = [];
      store = await openStore(`celeriac-schedules-${randomUUID()}`);
    });

    afterEach(async () => {
      await Promise.allSettled(backends.map((backend) => backend.close()));
    });

    async function openStore(prefix: string): Promise<ScheduleStore> {
      const backend = await makeBackend(prefix);
      backends.push(backend);
      await backend.connect();
      if (!backend.schedules) throw new Error(`${name} has no schedule store`);
      return backend.schedules;
    }

    async function put(def: ScheduleDefinition, now = Date.now()): Promise<boolean> {
      return (await store.put(def, digestOf(def), now)).changed;
    }

    const claim = (id: string, version: number, fireAt: number, node: string, leaseMs = LEASE_MS) =>
      store.claim({ id, version, fireAt, taskId: `${id}@${fireAt}`, node, leaseMs, now: Date.now() });

    it('keeps a definition exactly, and a second put of the same one changes nothing', async () => {
      const def = definition('exact', '5s', [0.1 + 0.2, 'ü', { deep: [1, null, true] }, 2 ** 53 + 2]);
      expect(await put(def, 1_000)).toBe(true);
      expect(await put(def, 2_000)).toBe(false);
      const stored = await store.get('exact');
      expect(stored).toEqual({
        definition: def,
        version: 1,
        paused: false,
        createdAt: 1_000,
        since: 1_000,
        pending: [],
      });
      expect(await store.all()).toEqual([stored]);
    });

    it('gives a changed definition a new version and counts its ticks from then, keeping its history', async () => {
      await put(definition('changing', '1s'), 1_000);
      const [first] = await Promise.all([claim('changing', 1, 5_000, 'a')]);
      expect(first).toEqual({ status: 'claimed', orphans: [] });
      await store.confirm('changing', 5_000, 'changing@5000');
      expect(await put(definition('changing', '2s'), 9_000)).toBe(true);
      const stored = await store.get('changing');
      expect(stored).toMatchObject({
        version: 2,
        createdAt: 1_000,
        since: 9_000,
        last: { at: 5_000, by: 'a' },
      });
      expect(stored?.definition.every).toBe(2_000);
      expect(await claim('changing', 1, 10_000, 'a')).toEqual({ status: 'stale' });
    });

    it('gives each tick to one claimer, and later ticks to whoever asks first', async () => {
      await put(definition('once'));
      const outcomes = await Promise.all(['a', 'b', 'c'].map((node) => claim('once', 1, 10_000, node)));
      const winners = outcomes.filter((outcome) => outcome.status === 'claimed');
      expect(winners).toHaveLength(1);
      const winner = ['a', 'b', 'c'][outcomes.findIndex((outcome) => outcome.status === 'claimed')];
      for (const outcome of outcomes.filter((o) => o.status === 'taken')) {
        expect(outcome).toEqual({
          status: 'taken',
          last: { at: 10_000, taskId: 'once@10000', by: winner },
          retryInMs: expect.any(Number),
        });
      }
      await store.confirm('once', 10_000, 'once@10000');
      expect(await claim('once', 1, 10_000, 'b')).toEqual({
        status: 'taken',
        last: { at: 10_000, taskId: 'once@10000', by: winner },
      });
      expect(await claim('once', 1, 9_000, 'b')).toMatchObject({ status: 'taken' });
      expect(await claim('once', 1, 11_000, 'b')).toEqual({ status: 'claimed', orphans: [] });
      expect((await store.get('once'))?.last).toEqual({ at: 11_000, taskId: 'once@11000', by: 'b' });
    });

    it('refuses claims on an unknown schedule, another version or a paused one', async () => {
      expect(await claim('nowhere', 1, 1_000, 'a')).toEqual({ status: 'stale' });
      await put(definition('paused'));
      expect(await claim('paused', 2, 1_000, 'a')).toEqual({ status: 'stale' });
      expect(await store.setPaused('paused', true, 5_000)).toBe(true);
      expect(await store.get('paused')).toMatchObject({ paused: true, version: 2 });
      expect(await claim('paused', 2, 6_000, 'a')).toEqual({ status: 'stale' });
      expect(await store.setPaused('paused', false, 7_000)).toBe(true);
      expect(await store.get('paused')).toMatchObject({ paused: false, version: 3, since: 7_000 });
      expect(await claim('paused', 3, 8_000, 'a')).toMatchObject({ status: 'claimed' });
      expect(await store.setPaused('nowhere', true, 1)).toBe(false);
    });

    it('lets the claimer retry its own unconfirmed tick at once, and another node only after the lease', async () => {
      await put(definition('lease'));
      expect(await claim('lease', 1, 1_000, 'a')).toMatchObject({ status: 'claimed' });
      expect(await claim('lease', 1, 1_000, 'a')).toMatchObject({ status: 'claimed' });
      const early = await claim('lease', 1, 1_000, 'b');
      expect(early).toMatchObject({ status: 'taken' });
      expect(early.status === 'taken' && early.retryInMs).toBeGreaterThan(0);
      expect(early.status === 'taken' && early.retryInMs).toBeLessThanOrEqual(LEASE_MS);
      await sleep(LEASE_MS + 50);
      expect(await claim('lease', 1, 1_000, 'b')).toEqual({ status: 'claimed', orphans: [] });
      expect((await store.get('lease'))?.pending).toEqual([
        { at: 1_000, taskId: 'lease@1000', by: 'b', claimedAt: expect.any(Number) },
      ]);
    });

    it('hands unconfirmed earlier ticks whose lease lapsed to the next claimer', async () => {
      await put(definition('orphans'));
      await claim('orphans', 1, 1_000, 'dead');
      await claim('orphans', 1, 2_000, 'alive');
      await store.confirm('orphans', 2_000, 'orphans@2000');
      expect(await claim('orphans', 1, 3_000, 'alive')).toEqual({ status: 'claimed', orphans: [] });
      await store.confirm('orphans', 3_000, 'orphans@3000');
      await sleep(LEASE_MS + 50);
      expect(await claim('orphans', 1, 4_000, 'alive')).toEqual({
        status: 'claimed',
        orphans: [{ at: 1_000, taskId: 'orphans@1000', by: 'alive' }],
      });
      await store.confirm('orphans', 1_000, 'orphans@1000');
      await store.confirm('orphans', 4_000, 'orphans@4000');
      expect((await store.get('orphans'))?.pending).toEqual([]);
    });

    it('removes a schedule', async () => {
      await put(definition('gone'));
      expect(await store.remove('gone')).toBe(true);
      expect(await store.remove('gone')).toBe(false);
      expect(await store.get('gone')).toBeUndefined();
      expect(await store.all()).toEqual([]);
    });

    it('tells every watcher of puts, pauses, fires and removals, and nothing after it stops', async () => {
      const log = new ChangeLog();
      const stop = await store.watch(log.listener, () => undefined);
      await put(definition('watched'));
      await put(definition('watched')); // unchanged: not announced
      await store.setPaused('watched', true, Date.now());
      await store.setPaused('watched', false, Date.now());
      await claim('watched', 3, 1_000, 'a');
      await store.confirm('watched', 1_000, 'watched@1000');
      await store.confirm('watched', 1_000, 'watched@1000'); // settled already: not announced
      await store.remove('watched');
      await log.count(5);
      expect(log.changes).toEqual([
        { kind: 'put', id: 'watched' },
        { kind: 'put', id: 'watched' },
        { kind: 'put', id: 'watched' },
        { kind: 'fired', id: 'watched', at: 1_000, taskId: 'watched@1000' },
        { kind: 'remove', id: 'watched' },
      ]);
      await stop();
      await put(definition('after'));
      const later = new ChangeLog();
      const probe = await store.watch(later.listener, () => undefined);
      await put(definition('after', '2s'));
      await later.count(1);
      await probe();
      expect(log.changes).toHaveLength(5);
    });
  });
}
