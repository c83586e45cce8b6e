import { randomUUID } from 'node:crypto';
import type { ResultBackend } from '../../lib/backends/result-backend.interface.js';
import type { TaskRecord } from '../../lib/backends/task-record.js';
import { TaskState as State } from '../../lib/backends/task-state.js';
import { StaleAttemptError } from '../../lib/errors/stale-attempt.error.js';
import { Collector, sleep, taskRecord } from './conformance-helpers.js';

/**
 * Conformance cases on fenced writes (`claimAttempt` and `WriteOptions.fence`), for backends that
 * offer them: the write of a stale attempt is refused, atomically, whatever the order of events.
 */
export function fencingCases(openBackend: () => Promise<ResultBackend>): void {
  async function claimed(backend: ResultBackend, id: string, start = true): Promise<number> {
    const state = start ? State.STARTED : State.RECEIVED;
    return (await backend.claimAttempt!(taskRecord(id, state), { start })).fence;
  }

  it('refuses the write of a stale attempt and accepts the current one', async () => {
    const backend = await openBackend();
    const id = randomUUID();
    const stale = await claimed(backend, id);
    const current = await claimed(backend, id);
    expect(current).toBeGreaterThan(stale);

    const late = backend.write(taskRecord(id, State.SUCCESS, { result: 'stale' }), { fence: stale });
    await expect(late).rejects.toBeInstanceOf(StaleAttemptError);
    expect((await backend.get(id))?.state).toBe(State.STARTED);
    await backend.write(taskRecord(id, State.SUCCESS, { result: 'current' }), { fence: current });
    // The stale run finishing after the current one changes nothing either.
    await expect(backend.write(taskRecord(id, State.FAILURE), { fence: stale })).rejects.toBeInstanceOf(
      StaleAttemptError,
    );
    const stored = await backend.get(id);
    expect(stored).toMatchObject({ state: State.SUCCESS, result: 'current' });
    expect(stored).not.toHaveProperty('fence');
  });

  it('refuses an attempt that claimed no fence (0) once any attempt claimed one, and not before', async () => {
    const backend = await openBackend();
    const id = randomUUID();
    await backend.write(taskRecord(id, State.RETRY, { retries: 1 }), { fence: 0 });
    expect((await backend.get(id))?.state).toBe(State.RETRY);
    await claimed(backend, id, false);
    await expect(
      backend.write(taskRecord(id, State.SUCCESS, { retries: 1 }), { fence: 0 }),
    ).rejects.toBeInstanceOf(StaleAttemptError);
  });

  it('a claim without start keeps the stored state and tells no watcher; with none stored it stores the record', async () => {
    const backend = await openBackend();
    const [id, fresh] = [randomUUID(), randomUUID()];
    const seen = new Collector<TaskRecord>();
    const unsubscribe = await backend.watch(id, seen.push);
    // Watched before the write, and its notice awaited: on a Redis Cluster a notice travels the
    // cluster bus and may reach a subscriber after a later command has been answered.
    await backend.write(taskRecord(id, State.RETRY, { retries: 1 }));
    await seen.waitFor(1);
    const claim = await backend.claimAttempt!(taskRecord(id, State.RECEIVED, { retries: 1 }), {
      start: false,
    });
    expect(claim).toMatchObject({ fence: 1, previous: { state: State.RETRY } });
    expect((await backend.get(id))?.state).toBe(State.RETRY);
    await sleep(50);
    expect(seen.values.map((record) => record.state)).toEqual([State.RETRY]);
    await unsubscribe();

    const none = await backend.claimAttempt!(taskRecord(fresh, State.RECEIVED), { start: false });
    expect(none.previous).toBeUndefined();
    expect((await backend.get(fresh))?.state).toBe(State.RECEIVED);
  });

  it('a claim with start writes STARTED and tells watchers', async () => {
    const backend = await openBackend();
    const id = randomUUID();
    const seen = new Collector<TaskRecord>();
    const unsubscribe = await backend.watch(id, seen.push);
    await claimed(backend, id);
    const [record] = await seen.waitFor(1);
    expect(record.state).toBe(State.STARTED);
    expect(record).not.toHaveProperty('fence');
    await unsubscribe();
  });

  it('claims nothing for a redelivered copy of a finished task', async () => {
    const backend = await openBackend();
    const id = randomUUID();
    const fence = await claimed(backend, id);
    await backend.write(taskRecord(id, State.SUCCESS, { result: 7 }), { fence });
    const copy = await backend.claimAttempt!(taskRecord(id, State.STARTED), { start: true });
    expect(copy).toMatchObject({ fence, previous: { state: State.SUCCESS, result: 7 } });
    // Nothing was claimed: the attempt that finished still writes (its retry, say).
    await backend.write(taskRecord(id, State.SUCCESS, { result: 8 }), { fence });
    expect((await backend.get(id))?.result).toBe(8);
  });

  it('a write that is no attempt’s (no fence) and markStarted keep the stored fence', async () => {
    const backend = await openBackend();
    const id = randomUUID();
    const stale = await claimed(backend, id);
    await claimed(backend, id);
    await backend.write(taskRecord(id, State.STARTED, { progress: 1 }));
    await backend.markStarted(taskRecord(id, State.STARTED));
    await expect(backend.write(taskRecord(id, State.SUCCESS), { fence: stale })).rejects.toBeInstanceOf(
      StaleAttemptError,
    );
  });
}
