import type { LoggerService } from '@nestjs/common';
import type { Unsubscribe } from '../backends/result-backend.interface.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { ControlChannel } from './control-channel.interface.js';
import {
  CONTROL_PROTOCOL_VERSION,
  decodeControlRequest,
  type ControlReplyMessage,
  type ControlRequest,
} from './control-message.js';

/** Answers one command; what it returns (or throws) is the reply. */
export type ControlHandler = (args: ControlRequest['args']) => unknown;

/**
 * A worker's end of remote control: listens on the channel, keeps the requests addressed to this
 * worker (or to every worker), runs the command's handler and sends the reply to the requester's
 * inbox. A malformed request, an unknown command or a failing handler never stops it: the first is
 * logged and dropped, the others are answered with an error reply.
 */
export class ControlServer {
  private stopListening?: Unsubscribe;

  constructor(
    private readonly channel: ControlChannel,
    private readonly worker: string,
    private readonly handlers: Readonly<Record<string, ControlHandler>>,
    private readonly logger: LoggerService,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.channel.listen((text) => void this.receive(text));
  }

  async stop(): Promise<void> {
    const stop = this.stopListening;
    this.stopListening = undefined;
    await stop?.();
  }

  private async receive(text: string): Promise<void> {
    let request: ControlRequest;
    try {
      request = decodeControlRequest(text);
    } catch (error) {
      this.logger.warn(`ignored a control message: ${(error as Error).message}`);
      return;
    }
    if (request.destination && !request.destination.includes(this.worker)) return;
    const handler = Object.hasOwn(this.handlers, request.command)
      ? this.handlers[request.command]
      : undefined;
    let reply: ControlReplyMessage;
    try {
      if (!handler) throw new Error(`unknown control command "${request.command}"`);
      const value = (await handler(request.args)) as JsonValue;
      reply = { v: CONTROL_PROTOCOL_VERSION, requestId: request.id, worker: this.worker, ok: true, value };
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      reply = {
        v: CONTROL_PROTOCOL_VERSION,
        requestId: request.id,
        worker: this.worker,
        ok: false,
        error: message,
      };
    }
    if (request.replyTo === undefined) return;
    if (request.deadline !== undefined && Date.now() > request.deadline) return;
    await this.channel.send(request.replyTo, JSON.stringify(reply)).catch((error: unknown) => {
      this.logger.warn(`could not reply to "${request.command}": ${(error as Error).message}`);
    });
  }
}
