import type { JsonValue } from '../protocol/json-value.js';

/**
 * Application headers of a message, carried next to the body (AMQP headers, kombu's `headers`).
 * A wire format such as Celery's protocol v2 keeps most of its fields here.
 */
export type MessageHeaders = Record<string, JsonValue>;

/** The standard properties of a message besides id and priority (AMQP basic properties). */
export interface MessageProperties {
  correlationId?: string;
  replyTo?: string;
  /** MIME type of the body, e.g. `application/json`. */
  contentType?: string;
  /** Character encoding of the body, e.g. `utf-8`. */
  contentEncoding?: string;
  /** 2 = persistent, 1 = transient. */
  deliveryMode?: number;
}

/** How a message is published. */
export interface PublishOptions {
  /** Deliver no sooner than this many ms from now. Stored broker-side: a restart loses none. */
  delayMs?: number;
  /** 0 (lowest) to 9 (highest); higher is delivered sooner. */
  priority?: number;
  /** Message id; the broker may use it for de-duplication and dead-letter records. */
  messageId?: string;
  /** Headers delivered with the message, unchanged. */
  headers?: MessageHeaders;
  /** Properties delivered with the message, unchanged. */
  properties?: MessageProperties;
}

/**
 * A result backend's record stored in the same atomic step as a publish or an acknowledgement, so a
 * task costs one round trip less (see `Broker.publishWith`, `Delivery.ackWith`). Offered only where
 * the broker and the backend share one server (a standalone Redis on one connection): a string with
 * a time to live, and the messages that announce it.
 */
export interface CompanionWrite {
  key: string;
  value: string;
  ttlMs: number;
  /** Store only if the key does not exist yet (a PENDING record never overwrites a later state). */
  onlyIfAbsent?: boolean;
  /**
   * `[channel, head]` pairs: once the value is stored, each channel gets `head` followed by the value
   * (the value goes over the wire once, not once per channel).
   */
  publish: [channel: string, head: string][];
}

/** One message of a batch publish ({@link Broker.publishMany}), with its companion write if any. */
export interface BatchMessage {
  body: string;
  options: PublishOptions;
  write?: CompanionWrite;
}

/** How a delivery goes back to its queue. */
export interface RequeueOptions {
  /** Make it deliverable again only after this delay (retry backoff). */
  delayMs?: number;
  /** Replace the message body (a retry carries an updated envelope). */
  body?: string;
  /** Priority of the requeued message; defaults to the original one. */
  priority?: number;
  /** Replace the message headers (given together with a new body); default: keep them. */
  headers?: MessageHeaders;
  /** Replace the message properties; default: keep them. */
  properties?: MessageProperties;
}

/**
 * One message handed to a consumer. Exactly one of `ack`, `requeue` or `deadLetter` settles it;
 * until then it counts against the consumer's prefetch and is redelivered if the consumer goes away.
 */
export interface Delivery {
  /** Broker message id. */
  readonly messageId: string;
  readonly queue: string;
  /** Raw body: an encoded envelope, or whatever garbage a producer sent. */
  readonly body: string;
  /** 1 on the first delivery, +1 each time it is redelivered without being settled. */
  readonly deliveryCount: number;
  readonly priority: number;
  /** Headers the producer set (empty when none); the broker's own bookkeeping headers are left out. */
  readonly headers: Readonly<MessageHeaders>;
  /** Properties the producer set (empty when none). */
  readonly properties: Readonly<MessageProperties>;
  /** Remove the message for good. */
  ack(): Promise<void>;
  /**
   * Where the broker can: store `write` and remove the message for good, in one atomic step. A
   * delivery that is no longer this consumer's (its lease ended) stores nothing and rejects with a
   * `StaleAttemptError`.
   */
  ackWith?(write: CompanionWrite): Promise<void>;
  /** Put it back (now or after a delay), optionally with a new body, atomically with removing this copy. */
  requeue(options?: RequeueOptions): Promise<void>;
  /** Move it to the queue's dead-letter store with the reason it could not be processed. */
  deadLetter(reason: string): Promise<void>;
}

/** A message in a dead-letter store. */
export interface DeadLetter {
  messageId: string;
  queue: string;
  body: string;
  reason: string;
  /** Epoch ms when it was dead-lettered. */
  at: number;
  /** The message's headers, when it had any. */
  headers?: MessageHeaders;
  /** The message's properties, when it had any. */
  properties?: MessageProperties;
  /**
   * Set when `body` is only the first bytes of the message (it was refused at receipt for its
   * size): the original body's size in bytes. Such a letter cannot be replayed.
   */
  bodyBytes?: number;
}

/**
 * Counts of one queue at one moment, for monitoring. A count the broker cannot tell is `undefined`
 * (RabbitMQ does not report unacknowledged messages over AMQP).
 */
export interface QueueStats {
  queue: string;
  /** Deliverable now. */
  ready: number;
  /** Waiting for their due time (countdown, ETA, retry backoff). */
  delayed: number;
  /** Delivered to a consumer and not yet settled. */
  inFlight?: number;
  /** In the queue's dead-letter store. */
  deadLettered: number;
  /** Consumers attached to the queue now. */
  consumers?: number;
}

export interface ConsumeOptions {
  /** At most this many unsettled deliveries at once. */
  prefetch: number;
}

/** Whether a consumer receives deliveries now; when it does not, why. */
export type ConsumerLiveness = { alive: true } | { alive: false; reason: string };

/** Handle of a running consumer. */
export interface Consumer {
  /** Stop receiving new deliveries. Unsettled ones stay valid and can still be settled. */
  cancel(): Promise<void>;
  /**
   * Not alive while the broker has cut it (connection or channel lost, consumer cancelled by the
   * server, fetches failing) and it has not come back yet, or once it was cancelled. Absent where
   * the broker cannot tell.
   */
  liveness?(): ConsumerLiveness;
}

export type DeliveryHandler = (delivery: Delivery) => void;

/**
 * A message broker. Implementations: memory (embedded), redis, amqp.
 * `publish` resolves only once the broker has the message (a confirmed publish);
 * it rejects with a {@link BrokerUnavailableError} when the broker cannot be reached.
 */
export interface Broker {
  /** Short name for logs: `memory`, `redis`, `amqp`. */
  readonly kind: string;
  connect(): Promise<void>;
  publish(queue: string, body: string, options?: PublishOptions): Promise<void>;
  /** Where the broker can: publish and store `write` in one atomic step (confirmed like `publish`). */
  publishWith?(queue: string, body: string, options: PublishOptions, write: CompanionWrite): Promise<void>;
  /**
   * Where the broker can batch: publishes `messages` to `queue` in order, each with its `write`,
   * in as few round trips as it can (confirmed like `publish`). Without it, callers publish one by one.
   */
  publishMany?(queue: string, messages: readonly BatchMessage[]): Promise<void>;
  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer>;
  /** Dead-lettered messages of a queue, oldest first. */
  deadLetters(queue: string, limit?: number): Promise<DeadLetter[]>;
  /**
   * Puts dead letters back on their queue as new messages (a fresh delivery count; body, message id
   * and priority kept): those whose message id is in `messageIds`, or all of them. Resolves with how
   * many were replayed; the others stay in order.
   */
  replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number>;
  /** Drops dead letters: those whose message id is in `messageIds`, or all. Resolves with how many. */
  deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number>;
  /** Messages waiting in a queue (ready now plus delayed), for monitoring and tests. */
  size(queue: string): Promise<number>;
  /** Ready, delayed, in flight, dead-lettered and consumers of a queue. */
  stats(queue: string): Promise<QueueStats>;
  /** Drop every message of a queue, its delayed ones and its dead letters. */
  purge(queue: string): Promise<void>;
  close(): Promise<void>;
}
