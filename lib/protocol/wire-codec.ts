import type { MessageHeaders, MessageProperties } from '../brokers/broker.interface.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec.js';
import { checkJsonContentType } from './json-content-type.js';
import type { TaskEnvelope } from './task-envelope.js';

/** An envelope as it goes on the wire: a body, and the headers and properties a format keeps beside it. */
export interface WireMessage {
  body: string;
  headers?: MessageHeaders;
  properties?: MessageProperties;
}

/** A message as received: what a codec reads to rebuild the envelope. */
export interface ReceivedMessage {
  readonly queue: string;
  readonly body: string;
  readonly headers: Readonly<MessageHeaders>;
  readonly properties: Readonly<MessageProperties>;
}

/** Turns envelopes into wire messages of one format and back; decoding validates and never runs anything. */
export interface WireCodec {
  encode(envelope: TaskEnvelope): WireMessage;
  /** Throws `InvalidEnvelopeError` naming what is wrong. */
  decode(message: ReceivedMessage): TaskEnvelope;
}

/** Celeriac's own format: the whole envelope is the JSON body; a body labelled as not JSON is refused. */
export const celeriacWireCodec: WireCodec = {
  encode: (envelope) => ({ body: encodeEnvelope(envelope) }),
  decode: (message) => {
    checkJsonContentType(message.properties);
    return decodeEnvelope(message.body);
  },
};
