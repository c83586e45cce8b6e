import { randomUUID } from 'node:crypto';
import type { ResultBackend } from '../../lib/backends/result-backend.interface.js';
import type { TaskRecord } from '../../lib/backends/task-record.js';
import { TaskState as State } from '../../lib/backends/task-state.js';
import { Collector, sleep, taskRecord } from './conformance-helpers.js';
import { fencingCases } from './backend-fencing.cases.js';

/** Makes an unconnected result backend whose keys all live under `prefix`; the suite calls `connect()`. */
export type BackendFactory = (prefix: string) => Promise<ResultBackend> | ResultBackend;

/**
 * The behaviour every {@link ResultBackend} must show, as one jest `describe` block. Each test uses
 * its own random prefix and task ids, so the suite can run against a shared Redis server. Waits are
 * driven by notifications; timeouts only guard against hangs.
 *
 * `close()` must be idempotent: the suite closes every backend it opened after each test.
 */
export function describeBackendConformance(name: string, makeBackend: BackendFactory): void {
  describe(`Result backend conformance: ${name}`, () => {
    let prefix: string;
    let backends: ResultBackend[];

    beforeEach(() => {
      prefix = `celeriac-conformance-${randomUUID()}`;
      backends = [];
    });

    afterEach(async () => {
      await Promise.allSettled(backends.map((backend) => backend.close()));
    });

    async function openBackend(withPrefix = prefix): Promise<ResultBackend> {
      const backend = await makeBackend(withPrefix);
      backends.push(backend);
      await backend.connect();
      return backend;
    }

    it('returns what was written', async () => {
      const backend = await openBackend();
      const record = taskRecord(randomUUID(), State.SUCCESS, {
        result: { pages: 3, title: 'Q3', tags: ['a', null, 1.5], nested: { ok: true } },
        retries: 2,
        group: randomUUID(),
        parentId: randomUUID(),
        rootId: randomUUID(),
      });
      await backend.write(record);
      expect(await backend.get(record.id)).toEqual(record);
    });

    it('keeps an error and progress as plain data', async () => {
      const backend = await openBackend();
      const record = taskRecord(randomUUID(), State.FAILURE, {
        error: { name: 'TypeError', message: 'bad input', stack: 'TypeError: bad input\n    at render' },
        progress: { done: 4, of: 10 },
      });
      await backend.write(record);
      expect(await backend.get(record.id)).toEqual(record);
    });

    it('replaces a record on each write', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      await backend.write(taskRecord(id, State.STARTED, { progress: 10 }));
      await backend.write(taskRecord(id, State.SUCCESS, { result: 'done' }));
      const stored = await backend.get(id);
      expect(stored).toMatchObject({ state: State.SUCCESS, result: 'done' });
      expect(stored).not.toHaveProperty('progress');
    });

    it('create stores a record only where there is none, and notifies nobody', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      const seen = new Collector<TaskRecord>();
      const unsubscribe = await backend.watch(id, seen.push);
      await backend.create(taskRecord(id, State.PENDING));
      expect((await backend.get(id))?.state).toBe(State.PENDING);
      await backend.write(taskRecord(id, State.SUCCESS));
      // A PENDING that arrives after the worker's write leaves it in place.
      await backend.create(taskRecord(id, State.PENDING));
      expect((await backend.get(id))?.state).toBe(State.SUCCESS);
      await seen.waitFor(1);
      await sleep(50);
      expect(seen.values.map((r) => r.state)).toEqual([State.SUCCESS]);
      await unsubscribe();
    });

    it('markStarted writes STARTED and tells watchers, unless the task already finished', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      const seen = new Collector<TaskRecord>();
      const unsubscribe = await backend.watch(id, seen.push);
      expect(await backend.markStarted(taskRecord(id, State.STARTED))).toBeUndefined();
      await seen.waitFor(1);
      await backend.write(taskRecord(id, State.SUCCESS, { result: 1 }));
      // A redelivered copy of the finished task: nothing is written, the finished record comes back.
      const previous = await backend.markStarted(taskRecord(id, State.STARTED));
      expect(previous).toMatchObject({ state: State.SUCCESS, result: 1 });
      expect((await backend.get(id))?.state).toBe(State.SUCCESS);
      // A retry (higher retries) of a task that failed earlier starts again.
      await backend.write(taskRecord(id, State.FAILURE, { retries: 0 }));
      await backend.markStarted(taskRecord(id, State.STARTED, { retries: 1 }));
      expect(await backend.get(id)).toMatchObject({ state: State.STARTED, retries: 1 });
      await unsubscribe();
    });

    describe('fenced writes', () => fencingCases(() => openBackend()));

    it('returns undefined for an unknown id', async () => {
      const backend = await openBackend();
      expect(await backend.get(randomUUID())).toBeUndefined();
    });

    it('stores a copy: changing the written or returned object changes nothing stored', async () => {
      const backend = await openBackend();
      const record = taskRecord(randomUUID(), State.SUCCESS, { result: { items: [1, 2] } });
      await backend.write(record);
      record.state = State.FAILURE;
      (record.result as { items: number[] }).items.push(3);
      const first = await backend.get(record.id);
      expect(first).toMatchObject({ state: State.SUCCESS, result: { items: [1, 2] } });
      first!.state = State.REVOKED;
      expect((await backend.get(record.id))?.state).toBe(State.SUCCESS);
    });

    it('shares records between clients of one prefix and keeps prefixes apart', async () => {
      const [writer, reader] = [await openBackend(), await openBackend()];
      const stranger = await openBackend(`celeriac-conformance-${randomUUID()}`);
      const record = taskRecord(randomUUID(), State.SUCCESS, { result: 42 });
      await writer.write(record);
      expect(await reader.get(record.id)).toEqual(record);
      expect(await stranger.get(record.id)).toBeUndefined();
      await writer.revoke(record.id);
      expect(await reader.isRevoked(record.id)).toBe(true);
      expect(await stranger.isRevoked(record.id)).toBe(false);
    });

    it('notifies a watcher of every later write, in order, from the moment watch resolves', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      const seen = new Collector<TaskRecord>();
      const unsubscribe = await backend.watch(id, seen.push);
      // No pause between subscribing and writing: a watch that resolved early would miss these.
      await backend.write(taskRecord(id, State.STARTED));
      await backend.write(taskRecord(id, State.SUCCESS, { result: [1, 2, 3] }));

      const records = await seen.waitFor(2);
      expect(records.map((r) => r.state)).toEqual([State.STARTED, State.SUCCESS]);
      expect(records[1]).toMatchObject({ id, result: [1, 2, 3] });
      await unsubscribe();
    });

    it('notifies a watcher of writes made by another client of the same prefix', async () => {
      const [watcher, writer] = [await openBackend(), await openBackend()];
      const id = randomUUID();
      const seen = new Collector<TaskRecord>();
      const unsubscribe = await watcher.watch(id, seen.push);
      await writer.write(taskRecord(id, State.SUCCESS, { result: 'from the worker' }));

      const [record] = await seen.waitFor(1);
      expect(record).toMatchObject({ id, state: State.SUCCESS, result: 'from the worker' });
      await unsubscribe();
    });

    it('notifies a watcher only of its own task', async () => {
      const backend = await openBackend();
      const [watched, other] = [randomUUID(), randomUUID()];
      const seen = new Collector<TaskRecord>();
      const unsubscribe = await backend.watch(watched, seen.push);
      await backend.write(taskRecord(other, State.SUCCESS));
      await backend.write(taskRecord(watched, State.SUCCESS));

      await seen.waitFor(1);
      await sleep(100);
      expect(seen.values.map((r) => r.id)).toEqual([watched]);
      await unsubscribe();
    });

    it('stops notifying after unsubscribe', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      const [gone, live] = [new Collector<TaskRecord>(), new Collector<TaskRecord>()];
      const unsubscribeGone = await backend.watch(id, gone.push);
      const unsubscribeLive = await backend.watch(id, live.push);
      await backend.write(taskRecord(id, State.STARTED));
      await Promise.all([gone.waitFor(1), live.waitFor(1)]);

      await unsubscribeGone();
      await unsubscribeGone();
      await backend.write(taskRecord(id, State.SUCCESS));
      // Both listeners would be told of the same write together; once `live` hears it, `gone` would have.
      await live.waitFor(2);
      await sleep(100);
      expect(gone.values.map((r) => r.state)).toEqual([State.STARTED]);
      await unsubscribeLive();
    });

    it('expires a record after its ttlMs', async () => {
      const backend = await openBackend();
      const [short, long] = [randomUUID(), randomUUID()];
      await backend.write(taskRecord(short, State.SUCCESS), { ttlMs: 300 });
      await backend.write(taskRecord(long, State.SUCCESS), { ttlMs: 60_000 });
      expect(await backend.get(short)).toBeDefined();

      await sleep(800);
      expect(await backend.get(short)).toBeUndefined();
      expect(await backend.get(long)).toBeDefined();
    });

    it('restarts the ttl on each write', async () => {
      const backend = await openBackend();
      const id = randomUUID();
      await backend.write(taskRecord(id, State.STARTED), { ttlMs: 300 });
      await backend.write(taskRecord(id, State.SUCCESS), { ttlMs: 60_000 });
      await sleep(800);
      expect((await backend.get(id))?.state).toBe(State.SUCCESS);
    });

    it('revokes a task for every client, durably: a client that connects later still sees it', async () => {
      const [revoker, worker] = [await openBackend(), await openBackend()];
      const [revoked, untouched] = [randomUUID(), randomUUID()];
      expect(await worker.isRevoked(revoked)).toBe(false);
      await revoker.revoke(revoked);
      expect(await revoker.isRevoked(revoked)).toBe(true);
      expect(await worker.isRevoked(revoked)).toBe(true);
      expect(await worker.isRevoked(untouched)).toBe(false);
      const later = await openBackend();
      expect(await later.isRevoked(revoked)).toBe(true);
    });
  });
}
