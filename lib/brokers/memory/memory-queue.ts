import type { DeadLetter, DeliveryHandler, QueueStats, RequeueOptions } from '../broker.interface.js';
import { DeadLetterLog, type StoredDeadLetter } from './dead-letter-log.js';
import { DelaySchedule } from './delay-schedule.js';
import { type ConsumerQueue, MemoryConsumer } from './memory-consumer.js';
import { clampPriority } from '../priority.js';
import type { MemoryMessage } from './memory-message.js';
import { ReadyList } from './ready-list.js';

/** Dead letters kept per queue before the oldest are dropped. */
export const DEAD_LETTER_LIMIT = 10_000;

/**
 * One named queue of the embedded broker: ready messages by priority, delayed messages on one
 * timer, dead letters, and the consumers it pushes to. Dispatch runs in a microtask, so a handler
 * is never entered from inside `publish` or a settlement, and one burst of publishes is handed out
 * in a single pass.
 */
export class MemoryQueue implements ConsumerQueue {
  private readonly ready = new ReadyList();
  private readonly delayed = new DelaySchedule((message) => this.push(message));
  private readonly deadLetters = new DeadLetterLog(DEAD_LETTER_LIMIT);
  private consumers: MemoryConsumer[] = [];
  /** Where the next round-robin search for a consumer with a free prefetch slot starts. */
  private cursor = 0;
  private dispatchScheduled = false;
  /** Deliveries handed to consumers (cancelled ones too) and not settled yet. */
  private inFlight = 0;

  constructor(readonly name: string) {}

  /** Waiting messages: ready now plus delayed; not those in flight. */
  get size(): number {
    return this.ready.size + this.delayed.size;
  }

  /** Nothing stored and nobody consuming: the store may drop the queue. */
  get isIdle(): boolean {
    return this.size === 0 && this.deadLetters.size === 0 && this.consumers.length === 0;
  }

  get hasArmedTimer(): boolean {
    return this.delayed.isArmed;
  }

  publish(message: MemoryMessage, delayMs: number | undefined): void {
    if (delayMs !== undefined && delayMs > 0) this.delayed.add(message, delayMs);
    else this.push(message);
  }

  requeue(message: MemoryMessage, options: RequeueOptions): void {
    const next: MemoryMessage = {
      messageId: message.messageId,
      body: options.body ?? message.body,
      priority: options.priority === undefined ? message.priority : clampPriority(options.priority),
      headers: options.headers ?? message.headers,
      properties: options.properties ?? message.properties,
      deliveries: message.deliveries,
    };
    this.publish(next, options.delayMs);
  }

  putBack(message: MemoryMessage): void {
    this.ready.unshift(message);
    this.scheduleDispatch();
  }

  deadLetter(letter: StoredDeadLetter): void {
    this.deadLetters.add(letter);
  }

  listDeadLetters(limit: number): DeadLetter[] {
    return this.deadLetters.list(limit);
  }

  /** Dead letters selected by message id (all when absent) go back to the queue as new messages. */
  replayDeadLetters(messageIds?: readonly string[]): number {
    // A letter that kept only the start of its body (refused for its size) has nothing to replay.
    const selected = selector(messageIds);
    const replayable = (letter: DeadLetter) => letter.bodyBytes === undefined && (selected?.(letter) ?? true);
    const letters = this.deadLetters.take(replayable);
    for (const { messageId, body, priority, headers, properties } of letters) {
      this.push({ messageId, body, priority, headers, properties, deliveries: 0 });
    }
    return letters.length;
  }

  deleteDeadLetters(messageIds?: readonly string[]): number {
    return this.deadLetters.take(selector(messageIds)).length;
  }

  stats(): QueueStats {
    return {
      queue: this.name,
      ready: this.ready.size,
      delayed: this.delayed.size,
      inFlight: this.inFlight,
      deadLettered: this.deadLetters.size,
      consumers: this.consumers.length,
    };
  }

  addConsumer(
    handler: DeliveryHandler,
    prefetch: number,
    receipt?: ConstructorParameters<typeof MemoryConsumer>[3],
  ): MemoryConsumer {
    const consumer = new MemoryConsumer(this, handler, prefetch, receipt);
    this.consumers.push(consumer);
    this.scheduleDispatch();
    return consumer;
  }

  released(): void {
    this.inFlight--;
  }

  removeConsumer(consumer: MemoryConsumer): void {
    this.consumers = this.consumers.filter((c) => c !== consumer);
  }

  /** Drops waiting and delayed messages and dead letters; deliveries in flight are not touched. */
  purge(): void {
    this.ready.clear();
    this.delayed.clear();
    this.deadLetters.clear();
  }

  /** No client is connected: stop the delay timer so nothing keeps the process alive. */
  suspend(): void {
    this.delayed.suspend();
  }

  resume(): void {
    this.delayed.resume();
  }

  scheduleDispatch(): void {
    if (this.dispatchScheduled || this.ready.size === 0 || this.consumers.length === 0) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => this.dispatch());
  }

  private push(message: MemoryMessage): void {
    this.ready.push(message);
    this.scheduleDispatch();
  }

  private dispatch(): void {
    this.dispatchScheduled = false;
    while (this.ready.size > 0) {
      const consumer = this.nextConsumerWithCapacity();
      if (!consumer) return;
      this.inFlight++;
      consumer.deliver(this.ready.shift()!);
    }
  }

  private nextConsumerWithCapacity(): MemoryConsumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.cursor + i) % count;
      const consumer = this.consumers[index];
      if (consumer.hasCapacity) {
        this.cursor = index + 1;
        return consumer;
      }
    }
    return undefined;
  }
}

function selector(messageIds: readonly string[] | undefined): ((letter: DeadLetter) => boolean) | undefined {
  if (!messageIds) return undefined;
  const wanted = new Set(messageIds);
  return (letter) => wanted.has(letter.messageId);
}
