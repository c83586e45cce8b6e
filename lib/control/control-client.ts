import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ControlTimeoutError } from '../errors/control-timeout.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { ControlChannel, ControlInbox } from './control-channel.interface.js';
import {
  CONTROL_PROTOCOL_VERSION,
  decodeControlReply,
  type ControlReply,
  type ControlRequest,
} from './control-message.js';
import type { CeleriacLogger } from '../logging/celeriac-logger.js';

/** Celery's remote-control reply timeout. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 1_000;

/** Who a control call is for and how long to wait for answers. */
export interface ControlCallOptions {
  /** A worker id, or several; absent: every worker. */
  destination?: string | readonly string[];
  /** How long to gather replies, in ms (default the client's, 1 s). */
  timeoutMs?: number;
  /** Stop waiting as soon as this many replies arrived (a broadcast otherwise waits the whole timeout). */
  limit?: number;
}

interface Gathering {
  replies: ControlReply<JsonValue>[];
  /** Workers still to answer, when the call named them. */
  awaited?: Set<string>;
  limit: number;
  done: () => void;
}

/**
 * Sends control requests and gathers the replies. A call to named workers resolves once each has
 * answered and rejects with a {@link ControlTimeoutError} naming those that did not within the
 * timeout; a broadcast gathers whatever arrives within the timeout (or up to `limit` replies), as
 * Celery's `inspect` does. The process's inbox is opened on the first call and kept.
 */
export class ControlClient {
  private inbox?: Promise<ControlInbox>;
  private readonly gatherings = new Map<string, Gathering>();
  constructor(
    private readonly channel: ControlChannel,
    private readonly defaultTimeoutMs = DEFAULT_CONTROL_TIMEOUT_MS,
    private readonly logger: CeleriacLogger = new Logger('CeleriacControl'),
  ) {}

  /** Sends `command` and resolves with the replies, in arrival order. */
  async call<T = JsonValue>(
    command: string,
    args: ControlRequest['args'] = {},
    options: ControlCallOptions = {},
  ): Promise<ControlReply<T>[]> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const destination = destinationOf(options.destination);
    const { address } = await this.openInbox();
    const id = randomUUID();
    const awaited = destination ? new Set(destination) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const gathered = new Promise<ControlReply<JsonValue>[]>((resolve) => {
      const gathering: Gathering = {
        replies: [],
        awaited,
        limit: options.limit ?? Infinity,
        done: () => {
          clearTimeout(timer);
          this.gatherings.delete(id);
          resolve(gathering.replies);
        },
      };
      this.gatherings.set(id, gathering);
      timer = setTimeout(gathering.done, timeoutMs);
    });
    try {
      await this.send({ id, command, args, destination, replyTo: address, deadline: Date.now() + timeoutMs });
    } catch (error) {
      this.gatherings.get(id)?.done();
      throw error;
    }
    const replies = await gathered;
    if (awaited && awaited.size > 0) throw new ControlTimeoutError(command, [...awaited], timeoutMs);
    return replies as ControlReply<T>[];
  }

  /** Sends `command` without waiting for any reply (workers send none). */
  async cast(command: string, args: ControlRequest['args'] = {}, destination?: string | readonly string[]) {
    await this.send({ id: randomUUID(), command, args, destination: destinationOf(destination) });
  }

  async close(): Promise<void> {
    for (const gathering of [...this.gatherings.values()]) gathering.done();
    const inbox = this.inbox;
    this.inbox = undefined;
    await (await inbox?.catch(() => undefined))?.close();
  }

  private send(request: Omit<ControlRequest, 'v'>): Promise<void> {
    const message: ControlRequest = { v: CONTROL_PROTOCOL_VERSION, ...request };
    if (message.destination === undefined) delete message.destination;
    return this.channel.broadcast(JSON.stringify(message));
  }

  private openInbox(): Promise<ControlInbox> {
    this.inbox ??= this.channel
      .openInbox((message) => this.receive(message))
      .catch((error: unknown) => {
        this.inbox = undefined;
        throw error;
      });
    return this.inbox;
  }

  private receive(text: string): void {
    let reply;
    try {
      reply = decodeControlReply(text);
    } catch (error) {
      this.logger.warn((error as Error).message);
      return;
    }
    const gathering = this.gatherings.get(reply.requestId);
    if (!gathering) return; // a late reply to a call that stopped waiting
    gathering.replies.push(
      reply.ok
        ? { worker: reply.worker, ok: true, value: reply.value }
        : { worker: reply.worker, ok: false, error: reply.error },
    );
    gathering.awaited?.delete(reply.worker);
    if (gathering.awaited?.size === 0 || gathering.replies.length >= gathering.limit) gathering.done();
  }
}

function destinationOf(destination: string | readonly string[] | undefined): string[] | undefined {
  if (destination === undefined) return undefined;
  return typeof destination === 'string' ? [destination] : [...destination];
}
