import { DeliverySettledError } from '../../errors/delivery-settled.error.js';
import type {
  CompanionWrite,
  Delivery,
  MessageHeaders,
  MessageProperties,
  RequeueOptions,
} from '../broker.interface.js';

/** What a delivery needs from its broker and consumer to settle. */
export interface DeliverySettler {
  ack(delivery: RedisDelivery): Promise<void>;
  /** Where the queue's layout can (not kombu's): the ack and a record in one script. */
  ackWith?(delivery: RedisDelivery, write: CompanionWrite): Promise<void>;
  requeue(delivery: RedisDelivery, options: RequeueOptions): Promise<void>;
  deadLetter(delivery: RedisDelivery, reason: string): Promise<void>;
  /** Called once per delivery, before the settlement is sent: stop renewing, free the prefetch slot. */
  released(delivery: RedisDelivery): void;
}

/** Fields of one fetched message, as the fetch script returns them. */
export interface FetchedMessage {
  /** The broker's id of the message inside its queue. */
  mid: string;
  /** Fencing token: settlements from an older delivery of the same message are ignored. */
  token: string;
  deliveryCount: number;
  priority: number;
  messageId: string;
  body: string;
  headers: MessageHeaders;
  properties: MessageProperties;
}

/**
 * A message held by a consumer under a lease. Settling it a second time is an error. If Redis cannot
 * be reached while settling, the promise rejects and the message is redelivered once its lease ends.
 */
export class RedisDelivery implements Delivery {
  readonly messageId: string;
  readonly body: string;
  readonly deliveryCount: number;
  readonly priority: number;
  readonly headers: MessageHeaders;
  readonly properties: MessageProperties;
  readonly mid: string;
  readonly token: string;
  readonly ackWith?: (write: CompanionWrite) => Promise<void>;
  private outcome?: string;

  constructor(
    readonly queue: string,
    fetched: FetchedMessage,
    private readonly settler: DeliverySettler,
  ) {
    this.messageId = fetched.messageId;
    this.body = fetched.body;
    this.deliveryCount = fetched.deliveryCount;
    this.priority = fetched.priority;
    this.headers = fetched.headers;
    this.properties = fetched.properties;
    this.mid = fetched.mid;
    this.token = fetched.token;
    if (settler.ackWith) {
      this.ackWith = (write) => this.settle('acknowledged', () => settler.ackWith!(this, write));
    }
  }

  ack(): Promise<void> {
    return this.settle('acknowledged', () => this.settler.ack(this));
  }

  requeue(options: RequeueOptions = {}): Promise<void> {
    return this.settle('requeued', () => this.settler.requeue(this, options));
  }

  deadLetter(reason: string): Promise<void> {
    return this.settle('dead-lettered', () => this.settler.deadLetter(this, String(reason)));
  }

  /** Marks the delivery handed back by its closing broker; false if it was already settled. */
  giveBack(): boolean {
    if (this.outcome) return false;
    this.outcome = 'handed back to the queue when its broker closed';
    return true;
  }

  private async settle(outcome: string, send: () => Promise<void>): Promise<void> {
    if (this.outcome) {
      throw new DeliverySettledError(this.messageId, this.queue, this.outcome);
    }
    this.outcome = outcome;
    this.settler.released(this);
    await send();
  }
}
