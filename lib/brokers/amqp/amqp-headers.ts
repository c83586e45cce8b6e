import type { MessageProperties as AmqpProperties, MessagePropertyHeaders } from 'amqplib';
import type { MessageHeaders, MessageProperties } from '../broker.interface.js';

/** Header names Celeriac adds to AMQP messages. */
export const Header = {
  /** Times the message was explicitly requeued (`Delivery.requeue`) by a consumer. */
  requeues: 'x-celeriac-requeues',
  /** Times it came back unsettled (consumer died, channel lost), carried across re-publishes. */
  returns: 'x-celeriac-returns',
  /** Delay still to wait after one full pass through the delay ladder. */
  delayRemaining: 'x-celeriac-delay-remaining',
  /** Why a dead letter was dead-lettered. */
  reason: 'x-celeriac-reason',
  /** Epoch ms when it was dead-lettered. */
  deadAt: 'x-celeriac-dead-at',
  /** On a dead letter that kept only the start of its body (refused for its size): the body's size. */
  bodyBytes: 'x-celeriac-body-bytes',
} as const;

/** Headers RabbitMQ adds when it dead-letters or counts deliveries; never the producer's. */
const SERVER_HEADERS = /^x-(death|delivery-count|first-death-|last-death-)/;

/** The producer's headers: everything but Celeriac's bookkeeping and RabbitMQ's own. */
export function applicationHeaders(headers: MessagePropertyHeaders | undefined): MessageHeaders {
  const own: MessageHeaders = {};
  if (!headers) return own;
  const celeriac = new Set<string>(Object.values(Header));
  for (const [name, value] of Object.entries(headers)) {
    if (!celeriac.has(name) && !SERVER_HEADERS.test(name)) own[name] = value as MessageHeaders[string];
  }
  return own;
}

/**
 * The standard properties a producer may set, in Celeriac's names; absent ones are left out, and so
 * is delivery mode 2 (persistent), which every Celeriac broker assumes.
 */
export function messagePropertiesOf(properties: AmqpProperties): MessageProperties {
  const picked: MessageProperties = {};
  if (typeof properties.correlationId === 'string') picked.correlationId = properties.correlationId;
  if (typeof properties.replyTo === 'string') picked.replyTo = properties.replyTo;
  if (typeof properties.contentType === 'string') picked.contentType = properties.contentType;
  if (typeof properties.contentEncoding === 'string') picked.contentEncoding = properties.contentEncoding;
  if (typeof properties.deliveryMode === 'number' && properties.deliveryMode !== 2)
    picked.deliveryMode = properties.deliveryMode;
  return picked;
}

/** What a message has been through so far. */
export interface MessageCounters {
  requeues: number;
  /** Unsettled returns, including those a quorum queue counts itself in `x-delivery-count`. */
  returns: number;
}

export function countersOf(headers: MessagePropertyHeaders | undefined): MessageCounters {
  if (!headers) return { requeues: 0, returns: 0 };
  return {
    requeues: count(headers[Header.requeues]),
    returns: count(headers[Header.returns]) + count(headers['x-delivery-count']),
  };
}

/** 1 on the first delivery, +1 for every requeue and every unsettled return before it. */
export function deliveryCountOf(counters: MessageCounters): number {
  return 1 + counters.requeues + counters.returns;
}

/** The original body size of a dead letter that kept only its start; undefined for a whole one. */
export function bodyBytesOf(headers: MessagePropertyHeaders | undefined): number | undefined {
  const value = headers?.[Header.bodyBytes] as unknown;
  return value === undefined ? undefined : count(value);
}

export function remainingDelayOf(headers: MessagePropertyHeaders | undefined): number {
  return headers ? count(headers[Header.delayRemaining]) : 0;
}

/** The headers a re-published copy carries: the counters, nothing RabbitMQ added (`x-death`). */
export function counterHeaders(counters: MessageCounters): Record<string, number> {
  const headers: Record<string, number> = {};
  if (counters.requeues > 0) headers[Header.requeues] = counters.requeues;
  if (counters.returns > 0) headers[Header.returns] = counters.returns;
  return headers;
}

/** Why a message sits in a dead-letter queue, and since when (epoch ms). */
export function deadLetterCause(
  headers: MessagePropertyHeaders | undefined,
  deliveryLimit: number,
): { reason: string; at: number } {
  const reason = headers?.[Header.reason] as unknown;
  if (typeof reason === 'string') return { reason, at: count(headers?.[Header.deadAt]) };
  // Dead-lettered by RabbitMQ itself: the newest x-death entry says why.
  const death = headers?.['x-death']?.[0];
  const at = death ? timestampMs(death.time) : 0;
  switch (death?.reason as string | undefined) {
    case 'delivery_limit':
      return { reason: `delivery limit of ${deliveryLimit} exceeded (quorum queue)`, at };
    case 'rejected':
      return { reason: 'rejected by a consumer without requeue', at };
    case 'expired':
      return { reason: 'message TTL expired', at };
    case 'maxlen':
      return { reason: 'queue length limit exceeded', at };
    default:
      return { reason: 'dead-lettered by RabbitMQ (no reason recorded)', at };
  }
}

function count(value: unknown): number {
  const n =
    typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** AMQP timestamps are whole seconds; amqplib decodes them as `{ '!': 'timestamp', value }`. */
function timestampMs(time: unknown): number {
  const seconds = typeof time === 'object' && time !== null ? (time as { value?: unknown }).value : time;
  return count(seconds) * 1_000;
}
