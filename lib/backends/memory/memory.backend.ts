import { DEFAULT_RESULT_TTL_MS } from '../../celeriac.constants.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { ConnectionOptions } from '../../brokers/broker-connection.options.js';
import type {
  AttemptClaim,
  RecordListener,
  ResultBackend,
  Unsubscribe,
  WriteOptions,
} from '../result-backend.interface.js';
import type { TaskRecord } from '../task-record.js';
import { MemoryPolicyStore } from './memory-policy.store.js';
import { MemoryResultStore } from './memory-result-store.js';
import { MemoryScheduleStore } from './memory-schedule.store.js';
import { MemoryWorkflowStore } from './memory-workflow.store.js';

/** `BackendOptions` with the TTL optional, so the embedded backend can also be built directly. */
export interface MemoryBackendOptions extends ConnectionOptions {
  /** Default record and revocation TTL in ms; `DEFAULT_RESULT_TTL_MS` when absent. */
  resultTtlMs?: number;
}

/**
 * The embedded result backend (`memory://`): a client of a process-wide store shared by every
 * `MemoryBackend` with the same prefix, so a waiter in the API and a worker in the same process
 * see the same records. Records are kept as JSON, exactly what a remote backend could hold, and
 * expire after their TTL (checked on read; one timer frees the memory). Watchers are woken by
 * the write itself, in the next microtask.
 */
export class MemoryBackend implements ResultBackend {
  readonly kind = 'memory';
  private store?: MemoryResultStore;
  private closed = false;
  /** Releases of this client's subscriptions, so `close()` can end the ones left open. */
  private readonly subscriptions = new Set<() => void>();

  readonly workflows: MemoryWorkflowStore;
  readonly schedules: MemoryScheduleStore;
  readonly policies: MemoryPolicyStore;

  constructor(private readonly options: MemoryBackendOptions) {
    this.workflows = new MemoryWorkflowStore(options.prefix);
    this.schedules = new MemoryScheduleStore(options.prefix);
    this.policies = new MemoryPolicyStore(options.prefix);
  }

  /** Watches this client holds open. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  connect(): Promise<void> {
    return this.run(() => void this.attach());
  }

  get(taskId: string): Promise<TaskRecord | undefined> {
    return this.run(() => this.attach().get(taskId));
  }

  markStarted(record: TaskRecord, options: WriteOptions = {}): Promise<TaskRecord | undefined> {
    return this.run(() => this.attach().markStarted(record, this.ttl(options.ttlMs)));
  }

  claimAttempt(record: TaskRecord, options: WriteOptions & { start: boolean }): Promise<AttemptClaim> {
    return this.run(() => this.attach().claimAttempt(record, this.ttl(options.ttlMs), options.start));
  }

  create(record: TaskRecord, options: WriteOptions = {}): Promise<void> {
    return this.run(() => this.attach().create(record, this.ttl(options.ttlMs)));
  }

  write(record: TaskRecord, options: WriteOptions = {}): Promise<void> {
    return this.run(() => this.attach().write(record, this.ttl(options.ttlMs), options.fence));
  }

  watch(taskId: string, listener: RecordListener): Promise<Unsubscribe> {
    return this.run(() => this.hold(this.attach().watch(taskId, listener)));
  }

  revoke(taskId: string): Promise<void> {
    return this.run(() => this.attach().revoke(taskId, this.ttl(undefined)));
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.run(() => this.attach().isRevoked(taskId));
  }

  /** Ends this client's subscriptions; safe to call more than once. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const release of this.subscriptions) release();
    this.subscriptions.clear();
    this.store?.detach();
    this.store = undefined;
    return Promise.resolve();
  }

  private hold(release: () => void): Unsubscribe {
    this.subscriptions.add(release);
    return () => {
      release();
      this.subscriptions.delete(release);
      return Promise.resolve();
    };
  }

  private ttl(ttlMs: number | undefined): number {
    const ttl = ttlMs ?? this.options.resultTtlMs ?? DEFAULT_RESULT_TTL_MS;
    if (!(ttl > 0)) throw new RangeError(`result TTL must be a positive number of ms, got ${ttl}`);
    return ttl;
  }

  private attach(): MemoryResultStore {
    if (this.closed)
      throw new BrokerUnavailableError(this.kind, new Error('this result backend client was closed'));
    this.store ??= MemoryResultStore.attach(this.options.prefix);
    return this.store;
  }

  /** Runs a synchronous operation as the contract's promise, turning a throw into a rejection. */
  private run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve) => resolve(operation()));
  }
}
