import { celeryWireCodec } from './celery/celery.codec.js';
import { protocolOf, protocolsOf, type QueueProtocol, type QueueProtocols } from './queue-protocol.js';
import type { TaskEnvelope } from './task-envelope.js';
import { celeriacWireCodec, type ReceivedMessage, type WireCodec, type WireMessage } from './wire-codec.js';

const CODECS: Record<QueueProtocol, WireCodec> = { celeriac: celeriacWireCodec, celery: celeryWireCodec };

/** The codec of each queue, from the queue table's `protocol` settings. */
export class WireCodecs {
  readonly protocols: QueueProtocols;

  constructor(queues: Record<string, { protocol?: QueueProtocol }> = {}) {
    this.protocols = protocolsOf(queues);
  }

  protocolOf(queue: string): QueueProtocol {
    return protocolOf(this.protocols, queue);
  }

  encode(envelope: TaskEnvelope): WireMessage {
    return CODECS[this.protocolOf(envelope.queue)].encode(envelope);
  }

  decode(message: ReceivedMessage): TaskEnvelope {
    return CODECS[this.protocolOf(message.queue)].decode(message);
  }
}
