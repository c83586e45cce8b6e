import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createBackend } from '../../../lib/backends/create-backend.js';
import { MemoryBackend } from '../../../lib/backends/memory/memory.backend.js';
import { MemoryResultStore } from '../../../lib/backends/memory/memory-result-store.js';
import type { TaskRecord } from '../../../lib/backends/task-record.js';
import { TaskState } from '../../../lib/backends/task-state.js';
import { BrokerUnavailableError } from '../../../lib/errors/broker-unavailable.error.js';
import { describeBackendConformance } from '../../conformance/backend.conformance.js';
import { Collector, sleep } from '../../conformance/conformance-helpers.js';

describeBackendConformance(
  'memory',
  (prefix) => new MemoryBackend({ url: 'memory://', prefix, resultTtlMs: 60_000 }),
);

function taskRecord(id: string, state: TaskRecord['state'] = TaskState.SUCCESS): TaskRecord {
  return { id, state, task: 'ReportTasks.render', queue: 'default', retries: 0, updatedAt: Date.now() };
}

describe('MemoryBackend', () => {
  const opened: MemoryBackend[] = [];
  let prefix: string;

  beforeEach(() => {
    prefix = `memory-spec-${randomUUID()}`;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((backend) => backend.close()));
  });

  async function open(resultTtlMs = 60_000, withPrefix = prefix): Promise<MemoryBackend> {
    const backend = new MemoryBackend({ url: 'memory://', prefix: withPrefix, resultTtlMs });
    opened.push(backend);
    await backend.connect();
    return backend;
  }

  const store = (): MemoryResultStore => MemoryResultStore.find(prefix)!;

  it('is what createBackend returns for memory://', async () => {
    const backend = await createBackend({ url: 'memory://', prefix, resultTtlMs: 1_000 });
    expect(backend).toBeInstanceOf(MemoryBackend);
    expect(backend.kind).toBe('memory');
    await backend.close();
  });

  it('leaves no listener behind after 10k watch/unsubscribe cycles', async () => {
    const backend = await open();
    const id = randomUUID();
    for (let i = 0; i < 10_000; i++) {
      const unsubscribe = await backend.watch(i % 2 ? id : randomUUID(), () => undefined);
      await unsubscribe();
    }
    expect(store().stats()).toMatchObject({ watchedTasks: 0, watchers: 0 });
    expect(backend.subscriptionCount).toBe(0);
  });

  it('treats the same function watched twice as two subscriptions', async () => {
    const backend = await open();
    const id = randomUUID();
    const seen = new Collector<TaskRecord>();
    const first = await backend.watch(id, seen.push);
    await backend.watch(id, seen.push);
    await first();
    await backend.write(taskRecord(id));
    await seen.waitFor(1);
    await sleep(20);
    expect(seen.values).toHaveLength(1);
  });

  it('ends the subscriptions of a client when it closes', async () => {
    const [watcher, writer] = [await open(), await open()];
    const id = randomUUID();
    const seen = new Collector<TaskRecord>();
    await watcher.watch(id, seen.push);
    await watcher.close();
    expect(store().stats()).toMatchObject({ watchers: 0 });
    await writer.write(taskRecord(id));
    await sleep(20);
    expect(seen.values).toEqual([]);
  });

  it('notifies in a later microtask, not inside write', async () => {
    const backend = await open();
    const id = randomUUID();
    const seen = new Collector<TaskRecord>();
    await backend.watch(id, seen.push);
    const writing = backend.write(taskRecord(id));
    expect(seen.values).toHaveLength(0);
    await writing;
    await seen.waitFor(1);
  });

  it('gives every listener its own copy and keeps going when one throws', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const backend = await open();
      const id = randomUUID();
      const seen = new Collector<TaskRecord>();
      await backend.watch(id, (record) => {
        record.state = TaskState.FAILURE;
        throw new Error('listener bug');
      });
      await backend.watch(id, seen.push);
      await backend.write(taskRecord(id, TaskState.SUCCESS));
      const [record] = await seen.waitFor(1);
      expect(record.state).toBe(TaskState.SUCCESS);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'));
    } finally {
      warn.mockRestore();
    }
  });

  it('uses resultTtlMs when a write gives no ttlMs, and for revocations', async () => {
    const backend = await open(200);
    const id = randomUUID();
    await backend.write(taskRecord(id));
    await backend.revoke(id);
    expect(await backend.isRevoked(id)).toBe(true);
    await sleep(400);
    expect(await backend.get(id)).toBeUndefined();
    expect(await backend.isRevoked(id)).toBe(false);
  });

  it('frees expired records on one timer, without a read', async () => {
    const backend = await open();
    await backend.write(taskRecord(randomUUID()), { ttlMs: 300 });
    await backend.write(taskRecord(randomUUID()), { ttlMs: 100 });
    await backend.write(taskRecord(randomUUID()), { ttlMs: 60_000 });
    expect(store().hasArmedTimer).toBe(true);
    await sleep(500);
    expect(store().stats().records).toBe(1);
  });

  it('moves the expiry of a rewritten record instead of keeping both', async () => {
    const backend = await open();
    const id = randomUUID();
    for (let i = 0; i < 1_000; i++) await backend.write(taskRecord(id), { ttlMs: 60_000 + i });
    expect(store().stats().records).toBe(1);
  });

  it('stops its timer when the last client closes and forgets an empty namespace', async () => {
    const backend = await open();
    await backend.write(taskRecord(randomUUID()), { ttlMs: 60_000 });
    const kept = store();
    await backend.close();
    expect(kept.hasArmedTimer).toBe(false);
    expect(MemoryResultStore.find(prefix)).toBe(kept);

    const empty = `memory-spec-${randomUUID()}`;
    const other = await open(60_000, empty);
    await other.write(taskRecord(randomUUID()), { ttlMs: 50 });
    await sleep(100);
    await other.close();
    expect(MemoryResultStore.find(empty)).toBeUndefined();
  });

  it('keeps records for a later client of the same prefix', async () => {
    const writer = await open();
    const record = taskRecord(randomUUID());
    await writer.write(record);
    await writer.close();
    const reader = await open();
    expect(await reader.get(record.id)).toEqual(record);
  });

  it('rejects a ttl that is not positive', async () => {
    const backend = await open();
    await expect(backend.write(taskRecord(randomUUID()), { ttlMs: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('rejects a record that is not JSON', async () => {
    const backend = await open();
    const record = { ...taskRecord(randomUUID()), result: 10n as unknown as number };
    await expect(backend.write(record)).rejects.toThrow(/BigInt/);
  });

  it('rejects every operation after close with BrokerUnavailableError', async () => {
    const backend = await open();
    await backend.close();
    await backend.close();
    await expect(backend.get(randomUUID())).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(backend.write(taskRecord(randomUUID()))).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(backend.watch(randomUUID(), () => undefined)).rejects.toBeInstanceOf(BrokerUnavailableError);
  });
});
