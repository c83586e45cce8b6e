import type { CeleriacLogger } from '../../logging/celeriac-logger.js';
import type { Consumer, ConsumerLiveness, DeliveryHandler, RequeueOptions } from '../broker.interface.js';
import { bodyPrefix, oversizedBytes, oversizedReason } from '../oversized-message.js';
import type { StoredDeadLetter } from './dead-letter-log.js';
import { type DeliveryOwner, MemoryDelivery, type Settlement } from './memory-delivery.js';
import type { MemoryMessage } from './memory-message.js';

/** What a consumer needs from its queue; kept narrow so the queue and consumer do not import each other. */
export interface ConsumerQueue {
  readonly name: string;
  requeue(message: MemoryMessage, options: RequeueOptions): void;
  putBack(message: MemoryMessage): void;
  deadLetter(letter: StoredDeadLetter): void;
  removeConsumer(consumer: MemoryConsumer): void;
  /** A delivery of this queue was settled (or handed back): one fewer in flight. */
  released(): void;
  scheduleDispatch(): void;
}

let deliverySeq = 0;

/**
 * One `consume` registration on a queue of the embedded broker. Holds at most `prefetch`
 * unsettled deliveries; after `cancel` it receives nothing new, but what it holds can still be
 * settled, or is handed back when its broker client closes.
 */
export class MemoryConsumer implements Consumer, DeliveryOwner {
  private readonly unsettled = new Set<MemoryDelivery>();
  private active = true;

  constructor(
    private readonly queue: ConsumerQueue,
    private readonly handler: DeliveryHandler,
    private readonly prefetch: number,
    /** Bodies larger than this are dead-lettered at receipt, never handed to the handler. */
    private readonly receipt?: { maxBodyBytes: number; logger: CeleriacLogger },
  ) {}

  get hasCapacity(): boolean {
    return this.active && this.unsettled.size < this.prefetch;
  }

  /** Cancelled and holding nothing: its client can forget it. */
  get isRetired(): boolean {
    return !this.active && this.unsettled.size === 0;
  }

  get pending(): readonly MemoryDelivery[] {
    return [...this.unsettled];
  }

  deliver(message: MemoryMessage): void {
    message.deliveries++;
    const delivery = new MemoryDelivery(this.queue.name, message, deliverySeq++, this);
    this.unsettled.add(delivery);
    const bytes = oversizedBytes(message.body, this.receipt?.maxBodyBytes);
    if (bytes !== undefined) return this.refuse(delivery, bytes);
    try {
      this.handler(delivery);
    } catch (error) {
      // The handler failed before taking charge of the delivery. It stays unsettled (and is handed
      // back when the client closes) rather than being lost or redelivered into the same failure.
      const reason = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `consumer of queue "${this.queue.name}" threw on message ${message.messageId}: ${reason}`,
      );
    }
  }

  private refuse(delivery: MemoryDelivery, bytes: number): void {
    const { maxBodyBytes, logger } = this.receipt!;
    const reason = oversizedReason(bytes, maxBodyBytes);
    logger.warn(`queue "${this.queue.name}": message ${delivery.messageId}: ${reason}`);
    delivery.refuseOversized(reason, bytes);
  }

  settle(delivery: MemoryDelivery, settlement: Settlement): void {
    this.unsettled.delete(delivery);
    const { message } = delivery;
    switch (settlement.kind) {
      case 'requeue':
        this.queue.requeue(message, settlement.options);
        break;
      case 'dead-letter':
        this.queue.deadLetter({
          messageId: message.messageId,
          queue: this.queue.name,
          body: settlement.bodyBytes === undefined ? message.body : bodyPrefix(message.body).toString(),
          ...(settlement.bodyBytes !== undefined && { bodyBytes: settlement.bodyBytes }),
          reason: settlement.reason,
          at: Date.now(),
          ...(message.headers && { headers: message.headers }),
          ...(message.properties && { properties: message.properties }),
          priority: message.priority,
        });
        break;
      case 'return':
        this.queue.putBack(message);
        break;
      case 'ack':
        break;
    }
    this.queue.released();
    this.queue.scheduleDispatch();
  }

  /** In-process: nothing can cut it, so it is alive until cancelled. */
  liveness(): ConsumerLiveness {
    return this.active ? { alive: true } : { alive: false, reason: 'cancelled' };
  }

  cancel(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.queue.removeConsumer(this);
    }
    return Promise.resolve();
  }
}
