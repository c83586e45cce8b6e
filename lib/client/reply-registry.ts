import type { ReplySubscription, ResultBackend } from '../backends/result-backend.interface.js';
import type { TaskRecord } from '../backends/task-record.js';
import { isReadyState } from '../backends/task-state.js';
import { WaitTimeoutError } from '../errors/wait-timeout.error.js';

/** The final record of one sent task, as its handle waits for it. */
export interface PendingReply {
  readonly address: string;
  /** Resolves with the final record; rejects with a {@link WaitTimeoutError} after `timeoutMs`. */
  wait(timeoutMs?: number): Promise<TaskRecord>;
  /** A final record known here (e.g. this process revoked the task): waiters get it at once. */
  settle(record: TaskRecord): void;
}

/**
 * Where the final records of the tasks this process sent arrive: one subscription per process
 * (opened on the first send), a slot per task keyed by its id. A slot is made before the message
 * is published, so a result that lands before anyone waits is kept; it goes away when its handle
 * has its result, or when the handle is garbage-collected. Waiting costs no command at all.
 */
export class ReplyRegistry {
  private readonly slots = new Map<string, ReplySlot>();
  private readonly finalizer = new FinalizationRegistry<ReplySlot>((slot) => this.release(slot));
  private subscription?: Promise<ReplySubscription | undefined>;
  private closed = false;

  constructor(private readonly backend: ResultBackend) {}

  /** Slots held (for monitoring and leak checks). */
  get size(): number {
    return this.slots.size;
  }

  /** A slot for `taskId`, or undefined where the backend has no reply path (waiters then watch). */
  async prepare(taskId: string): Promise<PendingReply | undefined> {
    const subscription = await this.open();
    if (!subscription || this.closed) return undefined;
    const slot = new ReplySlot(taskId, subscription.address, this);
    this.slots.get(taskId)?.detach();
    this.slots.set(taskId, slot);
    return slot;
  }

  /** Ties the slot's life to the handle that waits on it. */
  bind(reply: PendingReply, owner: object): void {
    if (reply instanceof ReplySlot) this.finalizer.register(owner, reply, reply);
  }

  /** Drops a slot whose task was never published (the publish failed). */
  cancel(reply: PendingReply): void {
    if (reply instanceof ReplySlot) this.release(reply);
  }

  async close(): Promise<void> {
    this.closed = true;
    const subscription = await this.subscription?.catch(() => undefined);
    this.slots.clear();
    await subscription?.close();
  }

  /** @internal */
  release(slot: ReplySlot): void {
    this.finalizer.unregister(slot);
    if (this.slots.get(slot.taskId) === slot) this.slots.delete(slot.taskId);
  }

  /** @internal Reads the stored record (after a gap in the subscription). */
  read(taskId: string): Promise<TaskRecord | undefined> {
    return this.backend.get(taskId);
  }

  private open(): Promise<ReplySubscription | undefined> {
    const openReplies = this.backend.openReplies?.bind(this.backend);
    if (!openReplies) return Promise.resolve(undefined);
    this.subscription ??= openReplies(
      (taskId, read) => this.slots.get(taskId)?.arrive(read),
      () => {
        for (const slot of this.slots.values()) slot.gap();
      },
    ).catch((error: unknown) => {
      this.subscription = undefined;
      throw error;
    });
    return this.subscription;
  }
}

interface Waiter {
  settle(record: TaskRecord): void;
  fail(error: unknown): void;
}

class ReplySlot implements PendingReply {
  private record?: TaskRecord;
  private read?: () => TaskRecord;
  /** Records may have been sent while the subscription was down: read the stored one first. */
  private missed = false;
  private readonly waiters = new Set<Waiter>();
  private detached = false;

  constructor(
    readonly taskId: string,
    readonly address: string,
    private readonly registry: ReplyRegistry,
  ) {}

  /** A newer slot for the same id took over (a caller-chosen id sent twice). */
  detach(): void {
    this.detached = true;
    this.missed = true;
  }

  arrive(read: () => TaskRecord): void {
    if (this.waiters.size === 0) {
      this.read = read; // parsed only if somebody waits
      return;
    }
    let record: TaskRecord;
    try {
      record = read();
    } catch (error) {
      // An unreadable record (CorruptRecordError) ends the waits with that error, not a timeout.
      for (const waiter of [...this.waiters]) waiter.fail(error);
      return;
    }
    this.deliver(record);
  }

  settle(record: TaskRecord): void {
    if (isReadyState(record.state)) this.deliver(record);
  }

  gap(): void {
    if (this.record || this.read) return;
    if (this.waiters.size === 0) this.missed = true;
    else void this.catchUp();
  }

  async wait(timeoutMs?: number): Promise<TaskRecord> {
    const known = this.known();
    if (known) return this.done(known);
    if (this.missed || this.detached) {
      this.missed = false;
      const stored = await this.registry.read(this.taskId);
      if (stored && isReadyState(stored.state)) return this.done(stored);
    }
    return new Promise<TaskRecord>((resolve, reject) => {
      const waiter: Waiter = {
        settle: (record) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(this.done(record));
        },
        fail: (error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          this.registry.release(this);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters.delete(waiter);
              reject(new WaitTimeoutError(this.taskId, timeoutMs));
            }, timeoutMs);
      this.waiters.add(waiter);
      // A record may have arrived, or been settled, while the stored one was read.
      try {
        const arrived = this.known();
        if (arrived) waiter.settle(arrived);
      } catch (error) {
        waiter.fail(error);
      }
    });
  }

  private known(): TaskRecord | undefined {
    if (!this.record && this.read) {
      const record = this.read();
      this.read = undefined;
      if (isReadyState(record.state)) this.record = record;
    }
    return this.record;
  }

  private deliver(record: TaskRecord): void {
    if (!isReadyState(record.state) || this.record) return;
    this.record = record;
    for (const waiter of [...this.waiters]) waiter.settle(record);
  }

  private done(record: TaskRecord): TaskRecord {
    this.registry.release(this);
    return record;
  }

  private async catchUp(): Promise<void> {
    const stored = await this.registry.read(this.taskId).catch(() => undefined);
    if (stored) this.deliver(stored);
  }
}
