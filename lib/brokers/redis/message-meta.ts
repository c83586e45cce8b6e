import type { MessageHeaders, MessageProperties } from '../broker.interface.js';

/** A message's headers and properties as the Redis queue keeps them beside its body. */
export interface MessageMeta {
  headers: MessageHeaders;
  properties: MessageProperties;
}

/**
 * One JSON object with `headers` and/or `properties`, or '' when the message has neither, so a
 * plain Celeriac message costs no extra field. The dead-letter script splices this text into its
 * record as it is, which is why an empty part is left out rather than written as `{}`.
 */
export function encodeMessageMeta(headers?: MessageHeaders, properties?: MessageProperties): string {
  const meta: Partial<MessageMeta> = {};
  if (headers && Object.keys(headers).length > 0) meta.headers = headers;
  if (properties && Object.keys(properties).length > 0) meta.properties = properties;
  return Object.keys(meta).length === 0 ? '' : JSON.stringify(meta);
}

export function decodeMessageMeta(raw: string): MessageMeta {
  if (raw === '') return { headers: {}, properties: {} };
  const meta = JSON.parse(raw) as Partial<MessageMeta>;
  return { headers: meta.headers ?? {}, properties: meta.properties ?? {} };
}
