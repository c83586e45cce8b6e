import { hostname } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import type { CeleriacEvent, CeleriacTaskEvent, EventOrigin, WorkerEvent } from './celeriac-event.js';
import type { EventBus } from './event-bus.interface.js';
import type { TaskEvent } from '../worker/task-events.js';

/** Most events sent in one batch; a busier turn is cut into several. */
const MAX_BATCH = 1_000;
/** Events kept while the bus is unreachable; older ones are dropped (events are monitoring data). */
const MAX_BACKLOG = 10_000;

type Unstamped = Omit<CeleriacTaskEvent, keyof EventOrigin> | Omit<WorkerEvent, keyof EventOrigin>;

/**
 * Stamps events with their origin (host, pid, a sequence number) and publishes them in batches: all
 * the events of one I/O turn leave in one bus call after it (`setImmediate`), so a busy worker sends
 * a few publishes per turn, not one per event. An event is stamped in place, not copied: the object
 * the executor made is the one the in-process `TaskEvents` listeners see and the one encoded into
 * the batch. Publishing never blocks or fails the task that caused the event: when the bus is down,
 * events wait (up to a backlog) and a warning says so once.
 */
export class EventPublisher {
  private readonly hostname = hostname();
  private readonly pid = process.pid;
  private seq = 0;
  private pending: CeleriacEvent[] = [];
  private scheduled = false;
  private sending: Promise<void> = Promise.resolve();
  private failing = false;
  private dropped = 0;

  constructor(
    private readonly bus: () => Promise<EventBus>,
    private readonly logger: LoggerService,
  ) {}

  /** Queues a task event (as the executor emits it) for the next batch; stamps it in place. */
  task(event: TaskEvent): void {
    this.push(event);
  }

  /** Queues any event for the next batch, stamping it in place with its origin and sequence number. */
  push(event: Unstamped): void {
    const stamped = event as CeleriacEvent;
    stamped.hostname = this.hostname;
    stamped.pid = this.pid;
    stamped.seq = ++this.seq;
    const pending = this.pending;
    pending.push(stamped);
    if (pending.length > MAX_BACKLOG) {
      this.dropped += pending.length - MAX_BACKLOG;
      pending.splice(0, pending.length - MAX_BACKLOG);
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sending = this.sending.then(() => this.flushPending());
    });
  }

  /** Whether events wait to be sent. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Resolves once every event queued so far was handed to the bus (or given up on). */
  async flush(): Promise<void> {
    this.sending = this.sending.then(() => this.flushPending());
    await this.sending;
  }

  private async flushPending(): Promise<void> {
    while (this.pending.length > 0) {
      // The batch is taken off the queue (the whole queue, most turns: no copy); events pushed
      // while it is in flight queue up behind it.
      const whole = this.pending.length <= MAX_BATCH;
      const batch = whole ? this.pending : this.pending.slice(0, MAX_BATCH);
      if (whole) this.pending = [];
      else this.pending.splice(0, MAX_BATCH);
      try {
        await (await this.bus()).publish(batch);
      } catch (error) {
        if (!this.failing) this.logger.warn(`events not published: ${(error as Error).message}`);
        this.failing = true;
        this.requeue(batch);
        return; // kept for the next turn's flush
      }
      if (this.failing) {
        this.failing = false;
        const lost = this.dropped ? ` (${this.dropped} dropped meanwhile)` : '';
        this.logger.log(`events published again${lost}`);
        this.dropped = 0;
      }
    }
  }

  /** A batch that did not leave goes back in front of what queued meanwhile, within the backlog. */
  private requeue(batch: CeleriacEvent[]): void {
    const pending = batch.concat(this.pending);
    const excess = pending.length - MAX_BACKLOG;
    if (excess > 0) {
      this.dropped += excess;
      pending.splice(0, excess);
    }
    this.pending = pending;
  }
}
