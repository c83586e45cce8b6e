import { STALE_FENCE, StaleAttemptError } from '../../errors/stale-attempt.error.js';
import { READY_STATES } from '../task-state.js';
import type { AttemptClaim, RecordListener } from '../result-backend.interface.js';
import type { TaskRecord } from '../task-record.js';
import { ExpiryIndex } from './expiry-index.js';

/** Every embedded result store of this process, by namespace (the connection prefix). */
const stores = new Map<string, MemoryResultStore>();

interface StoredRecord {
  /** Kept as JSON, as a remote backend would: every read and notification gets a fresh copy. */
  json: string;
  expiresAt: number;
  /** The newest attempt's fence (0: none claimed). */
  fence: number;
}

/** Expiry keys: records and revocations of one id expire independently. */
const recordKey = (id: string): string => `record:${id}`;
const revokedKey = (id: string): string => `revoked:${id}`;

/** What a store holds, for diagnostics and leak tests. */
export interface MemoryResultStoreStats {
  records: number;
  revoked: number;
  watchedTasks: number;
  watchers: number;
}

/**
 * The embedded result backend's server side: records, revocations and subscriptions of one
 * namespace, shared by every `MemoryBackend` in the process with the same prefix. Listeners are
 * called in a later microtask, never inside the `write` or `revoke` that caused them, and each
 * gets its own copy of the record.
 */
export class MemoryResultStore {
  private readonly records = new Map<string, StoredRecord>();
  private readonly revoked = new Map<string, number>();
  private readonly watchers = new Map<string, Set<RecordListener>>();
  private readonly expiry = new ExpiryIndex((key) => this.expire(key));
  private clients = 0;

  private constructor(readonly namespace: string) {}

  static attach(namespace: string): MemoryResultStore {
    let store = stores.get(namespace);
    if (!store) {
      store = new MemoryResultStore(namespace);
      stores.set(namespace, store);
    }
    if (store.clients++ === 0) store.expiry.resume();
    return store;
  }

  static find(namespace: string): MemoryResultStore | undefined {
    return stores.get(namespace);
  }

  get clientCount(): number {
    return this.clients;
  }

  get hasArmedTimer(): boolean {
    return this.expiry.isArmed;
  }

  stats(): MemoryResultStoreStats {
    let watchers = 0;
    for (const listeners of this.watchers.values()) watchers += listeners.size;
    return {
      records: this.records.size,
      revoked: this.revoked.size,
      watchedTasks: this.watchers.size,
      watchers,
    };
  }

  /** A client left; the last one out stops the expiry timer and forgets an empty namespace. */
  detach(): void {
    if (this.clients === 0 || --this.clients > 0) return;
    this.expiry.fire();
    this.expiry.suspend();
    if (this.records.size === 0 && this.revoked.size === 0 && stores.get(this.namespace) === this) {
      stores.delete(this.namespace);
    }
  }

  get(id: string): TaskRecord | undefined {
    const stored = this.records.get(id);
    if (!stored) return undefined;
    if (stored.expiresAt <= performance.now()) {
      this.expire(recordKey(id));
      return undefined;
    }
    return JSON.parse(stored.json) as TaskRecord;
  }

  /** Writes `record` unless the task already finished at this retry or later; returns the previous record. */
  markStarted(record: TaskRecord, ttlMs: number): TaskRecord | undefined {
    const previous = this.get(record.id);
    if (!finishedAt(previous, record.retries)) this.write(record, ttlMs);
    return previous;
  }

  /** See `ResultBackend.claimAttempt`. */
  claimAttempt(record: TaskRecord, ttlMs: number, start: boolean): AttemptClaim {
    const previous = this.get(record.id);
    const stored = previous && this.records.get(record.id);
    if (finishedAt(previous, record.retries)) return { previous, fence: stored?.fence ?? 0 };
    const fence = (stored?.fence ?? 0) + 1;
    if (start) this.write(record, ttlMs, fence);
    else if (stored) stored.fence = fence;
    else this.store(record, ttlMs, fence);
    return { previous, fence };
  }

  /** Stores a record unless the task has a live one; notifies nobody. */
  create(record: TaskRecord, ttlMs: number): void {
    const stored = this.records.get(record.id);
    if (stored && stored.expiresAt > performance.now()) return;
    this.store(record, ttlMs, 0);
  }

  /**
   * Stores and announces a record. With a `fence` (an attempt's write) it is refused with a
   * `StaleAttemptError` when a later attempt claimed the record; without, the stored fence stays.
   */
  write(record: TaskRecord, ttlMs: number, fence?: number): void {
    const current = this.get(record.id) && this.records.get(record.id);
    const held = current?.fence ?? 0;
    if (fence !== undefined && held > fence) throw new StaleAttemptError(record.id, STALE_FENCE);
    const json = this.store(record, ttlMs, Math.max(held, fence ?? 0));
    const listeners = this.watchers.get(record.id);
    if (listeners) this.notify(listeners, () => JSON.parse(json) as TaskRecord);
  }

  /** Subscribes `listener` to writes of `id`; returns the idempotent release. */
  watch(id: string, listener: RecordListener): () => void {
    let listeners = this.watchers.get(id);
    if (!listeners) {
      listeners = new Set();
      this.watchers.set(id, listeners);
    }
    // Wrapped, so the same function watched twice is two subscriptions, released separately.
    const subscription: RecordListener = (record) => listener(record);
    listeners.add(subscription);
    return () => {
      const current = this.watchers.get(id);
      if (!current?.delete(subscription) || current.size > 0) return;
      this.watchers.delete(id);
    };
  }

  revoke(id: string, ttlMs: number): void {
    const expiresAt = performance.now() + ttlMs;
    this.revoked.set(id, expiresAt);
    this.expiry.set(revokedKey(id), expiresAt);
  }

  isRevoked(id: string): boolean {
    const expiresAt = this.revoked.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt > performance.now()) return true;
    this.expire(revokedKey(id));
    return false;
  }

  private store(record: TaskRecord, ttlMs: number, fence: number): string {
    const json = JSON.stringify(record);
    const expiresAt = performance.now() + ttlMs;
    this.records.set(record.id, { json, expiresAt, fence });
    this.expiry.set(recordKey(record.id), expiresAt);
    return json;
  }

  private expire(key: string): void {
    this.expiry.delete(key);
    const separator = key.indexOf(':');
    const id = key.slice(separator + 1);
    if (key.startsWith('record:')) this.records.delete(id);
    else this.revoked.delete(id);
  }

  /**
   * Calls the listeners subscribed now, in a later microtask; one that unsubscribed meanwhile is
   * skipped. A throwing listener is reported and does not stop the others.
   */
  private notify<T>(listeners: Set<(value: T) => void>, value: () => T): void {
    const targets = [...listeners];
    queueMicrotask(() => {
      for (const listener of targets) {
        if (!listeners.has(listener)) continue;
        try {
          listener(value());
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          process.emitWarning(`result backend listener of "${this.namespace}" threw: ${reason}`);
        }
      }
    });
  }
}

/** Whether `record` is a final state at `retries` or a later retry: a redelivered copy finds it so. */
function finishedAt(record: TaskRecord | undefined, retries: number): boolean {
  return record !== undefined && READY_STATES.has(record.state) && record.retries >= retries;
}
