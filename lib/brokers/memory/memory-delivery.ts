import type { Delivery, MessageHeaders, MessageProperties, RequeueOptions } from '../broker.interface.js';
import { DeliverySettledError } from '../../errors/delivery-settled.error.js';
import type { MemoryMessage } from './memory-message.js';

/** How a delivery was settled; `return` is the broker handing it back when its client closes. */
export type Settlement =
  | { kind: 'ack' }
  | { kind: 'requeue'; options: RequeueOptions }
  | { kind: 'dead-letter'; reason: string; bodyBytes?: number }
  | { kind: 'return' };

/** Whoever holds a delivery's prefetch slot and applies its settlement: its consumer. */
export interface DeliveryOwner {
  settle(delivery: MemoryDelivery, settlement: Settlement): void;
}

const OUTCOMES: Record<Settlement['kind'], string> = {
  ack: 'acknowledged',
  requeue: 'requeued',
  'dead-letter': 'dead-lettered',
  return: 'handed back to the queue when its broker client closed',
};

/** One hand-over of a message to a consumer of the embedded broker; settles exactly once. */
export class MemoryDelivery implements Delivery {
  readonly messageId: string;
  readonly body: string;
  readonly priority: number;
  readonly deliveryCount: number;
  readonly headers: MessageHeaders;
  readonly properties: MessageProperties;
  private outcome?: Settlement['kind'];

  constructor(
    readonly queue: string,
    readonly message: MemoryMessage,
    /** Orders deliveries of one client, so those handed back keep their original order. */
    readonly seq: number,
    private readonly owner: DeliveryOwner,
  ) {
    this.messageId = message.messageId;
    this.body = message.body;
    this.priority = message.priority;
    this.deliveryCount = message.deliveries;
    this.headers = message.headers ?? {};
    this.properties = message.properties ?? {};
  }

  get isSettled(): boolean {
    return this.outcome !== undefined;
  }

  ack(): Promise<void> {
    return this.settle({ kind: 'ack' });
  }

  requeue(options: RequeueOptions = {}): Promise<void> {
    return this.settle({ kind: 'requeue', options });
  }

  deadLetter(reason: string): Promise<void> {
    return this.settle({ kind: 'dead-letter', reason: String(reason) });
  }

  /** Dead-letters the message unread for its size: the letter keeps only the start of the body. */
  refuseOversized(reason: string, bodyBytes: number): void {
    void this.settle({ kind: 'dead-letter', reason, bodyBytes });
  }

  /** Puts the message back at the head of its queue, unsettled; used when the client closes. */
  giveBack(): void {
    if (!this.outcome) this.apply({ kind: 'return' });
  }

  private settle(settlement: Settlement): Promise<void> {
    if (this.outcome) {
      return Promise.reject(new DeliverySettledError(this.messageId, this.queue, OUTCOMES[this.outcome]));
    }
    this.apply(settlement);
    return Promise.resolve();
  }

  private apply(settlement: Settlement): void {
    this.outcome = settlement.kind;
    this.owner.settle(this, settlement);
  }
}
