import type { MessageProperties } from '../brokers/broker.interface.js';
import { InvalidEnvelopeError } from '../errors/invalid-envelope.error.js';

/** `application/json`, with or without parameters (`; charset=utf-8`), in any letter case. */
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;

/**
 * Celeriac envelopes are JSON: a message labelled as anything else (pickle, YAML, …) is refused
 * before its body is read, whatever the body looks like. No label is taken as JSON, since Celeriac's
 * own producers and most raw publishers set none.
 */
export function checkJsonContentType(properties: Readonly<MessageProperties>): void {
  const { contentType, contentEncoding } = properties;
  if (contentType !== undefined && contentType !== '' && !JSON_TYPE.test(contentType)) {
    throw new InvalidEnvelopeError(
      `content type "${contentType}" is not accepted (Celeriac envelopes are application/json)`,
    );
  }
  if (contentEncoding !== undefined && contentEncoding !== '' && !/^utf-?8$/i.test(contentEncoding)) {
    throw new InvalidEnvelopeError(`content encoding "${contentEncoding}" is not accepted (only utf-8)`);
  }
}
