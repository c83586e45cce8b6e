import { celeryWireCodec } from './celery/celery.codec.js';
import { MessageSigner, type SigningOptions } from './message-signer.js';
import { protocolOf, protocolsOf, type QueueProtocol, type QueueProtocols } from './queue-protocol.js';
import type { TaskEnvelope } from './task-envelope.js';
import { celeriacWireCodec, type ReceivedMessage, type WireCodec, type WireMessage } from './wire-codec.js';

const CODECS: Record<QueueProtocol, WireCodec> = { celeriac: celeriacWireCodec, celery: celeryWireCodec };

/**
 * The codec of each queue, from the queue table's `protocol` settings. With a signer, messages of
 * Celeriac-protocol queues are signed when encoded and verified before they are parsed; queues in a
 * foreign wire mode (`celery`) follow that system's rules and are neither.
 */
export class WireCodecs {
  readonly protocols: QueueProtocols;

  constructor(
    queues: Record<string, { protocol?: QueueProtocol }> = {},
    private readonly signer?: MessageSigner,
  ) {
    this.protocols = protocolsOf(queues);
  }

  protocolOf(queue: string): QueueProtocol {
    return protocolOf(this.protocols, queue);
  }

  encode(envelope: TaskEnvelope): WireMessage {
    const protocol = this.protocolOf(envelope.queue);
    const message = CODECS[protocol].encode(envelope);
    if (!this.signer || protocol !== 'celeriac') return message;
    return { ...message, headers: { ...message.headers, ...this.signer.sign(message.body) } };
  }

  decode(message: ReceivedMessage): TaskEnvelope {
    const protocol = this.protocolOf(message.queue);
    if (this.signer && protocol === 'celeriac') this.signer.verify(message.body, message.headers);
    return CODECS[protocol].decode(message);
  }
}

/** The codecs of a module's queues, signing where the module has `signing` set. */
export function wireCodecsFor(options: {
  queues: Record<string, { protocol?: QueueProtocol }>;
  signing?: SigningOptions;
}): WireCodecs {
  return new WireCodecs(options.queues, options.signing && new MessageSigner(options.signing));
}
