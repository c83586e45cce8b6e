import { randomUUID } from 'node:crypto';
import type { MessageHeaders, MessageProperties } from '../../broker.interface.js';
import type { JsonValue } from '../../../protocol/json-value.js';
import { fromKombuPriority, toKombuPriority } from './kombu-keys.js';

/** kombu's message as its Redis transport stores it: one JSON object per list element. */
export interface KombuPayload {
  body: JsonValue;
  'content-encoding'?: string | null;
  'content-type'?: string | null;
  headers?: Record<string, JsonValue>;
  properties: KombuProperties;
  [other: string]: JsonValue | KombuProperties | undefined;
}

export interface KombuProperties {
  correlation_id?: string;
  reply_to?: string;
  delivery_mode?: number;
  delivery_info?: Record<string, JsonValue>;
  priority?: number;
  body_encoding?: string;
  delivery_tag: string;
  [other: string]: JsonValue | undefined;
}

/** Headers Celeriac adds to a kombu message for its own bookkeeping; a delivery never shows them. */
export const KombuHeader = {
  /** Times the message was requeued by a consumer (a retry, an early ETA). */
  requeues: 'x-celeriac-requeues',
  /** Times it came back unsettled (its consumer died, or closed without settling it). */
  returns: 'x-celeriac-returns',
  /** Set while the message waits in `unacked` for its due time (epoch ms): its return is no loss. */
  due: 'x-celeriac-due',
  /** The publisher's message id, when it is not the correlation id. */
  messageId: 'x-celeriac-message-id',
} as const;

/** kombu marks a restored message `redelivered`; that is transport state, not the producer's. */
const TRANSPORT_HEADERS = new Set<string>([...Object.values(KombuHeader), 'redelivered']);

/** What a publish puts in a new kombu message. */
export interface KombuMessageSpec {
  queue: string;
  body: string;
  headers?: MessageHeaders;
  properties?: MessageProperties;
  /** Celeriac priority (0–9, higher first); unset = kombu's default (0, read first). */
  priority?: number;
  messageId?: string;
}

/** A new message in kombu's envelope, as `Producer.publish` would build it for the queue. */
export function newKombuPayload(spec: KombuMessageSpec): KombuPayload {
  const props = spec.properties ?? {};
  const headers: Record<string, JsonValue> = { ...spec.headers };
  if (spec.messageId && spec.messageId !== props.correlationId)
    headers[KombuHeader.messageId] = spec.messageId;
  const properties: KombuProperties = {
    ...(props.correlationId === undefined ? {} : { correlation_id: props.correlationId }),
    ...(props.replyTo === undefined ? {} : { reply_to: props.replyTo }),
    delivery_mode: props.deliveryMode ?? 2,
    delivery_info: { exchange: '', routing_key: spec.queue },
    priority: spec.priority === undefined ? 0 : toKombuPriority(spec.priority),
    body_encoding: 'base64',
    delivery_tag: randomUUID(),
  };
  return {
    body: Buffer.from(spec.body, 'utf8').toString('base64'),
    'content-encoding': props.contentEncoding ?? null,
    'content-type': props.contentType ?? null,
    headers,
    properties,
  };
}

/** A fetched kombu message as a delivery sees it. */
export interface ReadKombuMessage {
  body: string;
  headers: MessageHeaders;
  properties: MessageProperties;
  priority: number;
  messageId: string;
  deliveryCount: number;
}

/** Reads a message whose element the fetch script already checked is an object with a delivery tag. */
export function readKombuPayload(payload: KombuPayload): ReadKombuMessage {
  const raw = payload.headers ?? {};
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(raw)) if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  const p = payload.properties;
  const properties: MessageProperties = {};
  if (typeof p.correlation_id === 'string') properties.correlationId = p.correlation_id;
  if (typeof p.reply_to === 'string') properties.replyTo = p.reply_to;
  if (typeof payload['content-type'] === 'string') properties.contentType = payload['content-type'];
  if (typeof payload['content-encoding'] === 'string')
    properties.contentEncoding = payload['content-encoding'];
  if (typeof p.delivery_mode === 'number' && p.delivery_mode !== 2) properties.deliveryMode = p.delivery_mode;
  const ownId = raw[KombuHeader.messageId];
  const taskId = raw.id;
  return {
    body: bodyOf(payload),
    headers,
    properties,
    priority: fromKombuPriority(typeof p.priority === 'number' ? p.priority : 0),
    messageId:
      typeof ownId === 'string'
        ? ownId
        : (properties.correlationId ?? (typeof taskId === 'string' ? taskId : p.delivery_tag)),
    deliveryCount: 1 + count(raw[KombuHeader.requeues]) + count(raw[KombuHeader.returns]),
  };
}

/** What a requeue changes; the rest of the message (delivery tag, unknown fields) is kept. */
export interface KombuChanges {
  body?: string;
  headers?: MessageHeaders;
  properties?: MessageProperties;
  priority?: number;
}

/** The message a requeue puts back: changes applied, one more requeue counted, `due` marked when held. */
export function requeuedPayload(payload: KombuPayload, changes: KombuChanges, dueAt?: number): KombuPayload {
  const old = payload.headers ?? {};
  const kept = changes.headers
    ? { ...changes.headers, ...bookkeeping(old) }
    : Object.fromEntries(Object.entries(old).filter(([name]) => name !== 'redelivered'));
  kept[KombuHeader.requeues] = count(old[KombuHeader.requeues]) + 1;
  delete kept[KombuHeader.due];
  if (dueAt !== undefined) kept[KombuHeader.due] = dueAt;
  const next: KombuPayload = { ...payload, headers: kept, properties: { ...payload.properties } };
  if (changes.body !== undefined) {
    next.body = Buffer.from(changes.body, 'utf8').toString('base64');
    next.properties.body_encoding = 'base64';
  }
  if (changes.properties) applyProperties(next, changes.properties);
  if (changes.priority !== undefined) next.properties.priority = toKombuPriority(changes.priority);
  return next;
}

/**
 * The message as a visibility-timeout restore puts it back. One held for its due time comes back as
 * it was; any other one was delivered and not settled: it is marked `redelivered` (as kombu marks
 * it) and counts one return.
 */
export function restoredPayload(payload: KombuPayload): KombuPayload {
  const headers = { ...payload.headers };
  if (headers[KombuHeader.due] !== undefined) {
    delete headers[KombuHeader.due];
    return { ...payload, headers };
  }
  headers.redelivered = true;
  headers[KombuHeader.returns] = count(headers[KombuHeader.returns]) + 1;
  const info = { ...payload.properties.delivery_info, redelivered: true };
  return { ...payload, headers, properties: { ...payload.properties, delivery_info: info } };
}

/** The unacked entry kombu's QoS writes: `[payload, exchange, routing key]`. */
export function unackedEntry(payload: KombuPayload, queue: string): string {
  return JSON.stringify([payload, '', queue]);
}

function bookkeeping(headers: Record<string, JsonValue>): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const name of [KombuHeader.requeues, KombuHeader.returns, KombuHeader.messageId])
    if (headers[name] !== undefined) kept[name] = headers[name];
  return kept;
}

function applyProperties(payload: KombuPayload, props: MessageProperties): void {
  const p = payload.properties;
  delete p.correlation_id;
  delete p.reply_to;
  if (props.correlationId !== undefined) p.correlation_id = props.correlationId;
  if (props.replyTo !== undefined) p.reply_to = props.replyTo;
  p.delivery_mode = props.deliveryMode ?? 2;
  payload['content-type'] = props.contentType ?? null;
  payload['content-encoding'] = props.contentEncoding ?? null;
}

function bodyOf(payload: KombuPayload): string {
  const { body } = payload;
  if (typeof body !== 'string') return JSON.stringify(body);
  return payload.properties.body_encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function count(value: JsonValue | undefined): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}
