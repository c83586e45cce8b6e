import type { CompanionWrite } from '../brokers/broker.interface.js';
import type { ScheduleStore } from './schedule-store.interface.js';
import type { DeliveryPolicyStore } from './delivery-policy-store.interface.js';
import type { TaskRecord } from './task-record.js';
import type { WorkflowStore } from './workflow-store.interface.js';

export interface WriteOptions {
  /** Keep the record this long (defaults to the backend's TTL). */
  ttlMs?: number;
  /** Also send the record to this reply address (a final record of a task whose envelope names it). */
  replyTo?: string;
  /**
   * The writing attempt's fence (see `claimAttempt`; 0 for an attempt that claimed none). A backend
   * that fences refuses the write, atomically, with a `StaleAttemptError` when the stored record was
   * claimed by a later attempt (a higher fence). Absent: not an attempt's write; the record's fence is
   * kept.
   */
  fence?: number;
}

/** What `claimAttempt` found and took. */
export interface AttemptClaim {
  /** The record that was there before, if any. */
  previous?: TaskRecord;
  /** This attempt's fence: higher than any before it; its writes carry it. */
  fence: number;
}

/**
 * Called with each record sent to a reply address. `read` parses it: a listener that does not
 * know the task drops it without paying for that.
 */
export type ReplyListener = (taskId: string, read: () => TaskRecord) => void;

/** A process's one subscription to the records sent to its reply address. */
export interface ReplySubscription {
  /** What envelopes carry as `replyTo`. */
  readonly address: string;
  close(): Promise<void>;
}

/** Called with the new record each time a watched task changes. */
export type RecordListener = (record: TaskRecord) => void;
/** Ends a subscription and releases what it held. */
export type Unsubscribe = () => Promise<void>;

/**
 * Where task states, progress and results live. Implementations: memory, redis.
 * Waiters are woken by `watch` notifications, never by polling.
 */
export interface ResultBackend {
  readonly kind: string;
  /** Chains, groups and chords; a backend without it cannot run workflows. */
  readonly workflows?: WorkflowStore;
  /** Periodic schedules and their tick claims; a backend without it cannot hold schedules. */
  readonly schedules?: ScheduleStore;
  /** Shared rate limits, concurrency limits and deduplication; a backend without it cannot enforce them. */
  readonly policies?: DeliveryPolicyStore;
  connect(): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Store the whole record and notify its watchers. */
  write(record: TaskRecord, options?: WriteOptions): Promise<void>;
  /**
   * What `write` (or, with `onlyIfAbsent`, `create`) would store, for a broker to store in the same
   * step as a publish or an ack (`CompanionWrite`); only a backend whose records a broker can write
   * offers it, and only callers that checked they share one server use it.
   */
  companionWrite?(record: TaskRecord, options: WriteOptions & { onlyIfAbsent?: boolean }): CompanionWrite;
  /**
   * Store the record only if the task has none yet, without notifying (nobody waits for PENDING).
   * Because it never overwrites, it may race with the worker's first write and still be right.
   */
  create(record: TaskRecord, options?: WriteOptions): Promise<void>;
  /**
   * Writes a STARTED `record` (and notifies) in one step with the check before it: unless the task
   * already finished at this retry or a later one — a redelivered copy — in which case nothing is
   * written. Returns the record that was there before, if any.
   */
  markStarted(record: TaskRecord, options?: WriteOptions): Promise<TaskRecord | undefined>;
  /**
   * Optional (a backend with it fences the writes of stale attempts): claims a new attempt of the
   * task in one step — the stored fence goes up by one and is returned — unless the task already
   * finished at this retry or a later one (a redelivered copy), which is returned as `previous`
   * with nothing written. With `start`, `record` (STARTED) is written as `markStarted` writes it;
   * without, the stored record keeps its state and `record` is stored only where there was none.
   */
  claimAttempt?(record: TaskRecord, options: WriteOptions & { start: boolean }): Promise<AttemptClaim>;
  /**
   * Call `listener` on every later write of `taskId`. Resolves once the subscription is live,
   * so a caller that reads after subscribing cannot miss a write.
   */
  watch(taskId: string, listener: RecordListener): Promise<Unsubscribe>;
  /**
   * Mark a task revoked, kept for the TTL, so a worker that receives it later (one that starts after
   * the revoke) skips it. Workers that hold it now hear of it on the control channel
   * (`CeleriacControl.revoke`); only the executor records REVOKED.
   */
  revoke(taskId: string): Promise<void>;
  isRevoked(taskId: string): Promise<boolean>;
  /**
   * Optional: opens one subscription for every record sent to a new reply address, so a process
   * that waits on many tasks subscribes once instead of once per task. `onGap` is called when
   * records may have been missed (the subscription was down for a while).
   */
  openReplies?(listener: ReplyListener, onGap: () => void): Promise<ReplySubscription>;
  close(): Promise<void>;
}
