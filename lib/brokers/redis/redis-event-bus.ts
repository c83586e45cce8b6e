import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import { decodeEventBatch, type CeleriacEvent } from '../../control/celeriac-event.js';
import type { EventBatchListener, EventBus } from '../../control/event-bus.interface.js';
import { CommandUser } from '../../redis/command-user.js';
import {
  connectClient,
  createRedisClient,
  whenReady,
  type RedisClient,
} from '../../redis/redis-connection.js';
import { redisExtraOf, type RedisExtraOptions } from '../../redis/redis-options.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/** Batches kept in the stream (approximately): what a subscriber can catch up on after a drop. */
const STREAM_LENGTH = 10_000;
/** Longest single blocking read; only bounds how long a lost wake-up could go unnoticed. */
const BLOCK_MS = 30_000;
const READ_COUNT = 500;

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Events over a capped Redis stream, `<prefix>:events`: one entry per published batch (XADD with
 * an approximate MAXLEN, on the shared command connection, so a batch costs one pipelined
 * command). Subscribers of one bus object share one blocking connection that reads the stream
 * with XREAD BLOCK from the entry it last saw: after a dropped connection it resumes where it
 * stopped, so a short outage loses no event, and an idle subscriber sends one command per 30 s.
 */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis';
  private readonly extra: RedisExtraOptions;
  private readonly commands: CommandUser;
  private readonly logger: CeleriacLogger;
  private readonly listeners = new Set<EventBatchListener>();
  private reader?: { client: RedisClient; loop: Promise<void> };
  private starting?: Promise<void>;

  constructor(private readonly options: ConnectionOptions) {
    this.logger = createCeleriacLogger('CeleriacEvents', options.logger);
    this.extra = redisExtraOf(options);
    this.commands = new CommandUser(options.url, this.extra, 'event bus');
  }

  connect(): Promise<void> {
    return this.commands.connect();
  }

  async publish(events: readonly CeleriacEvent[]): Promise<void> {
    if (events.length === 0) return;
    const batch = JSON.stringify(events);
    await this.commands.call((client) =>
      client.xadd(this.streamKey, 'MAXLEN', '~', STREAM_LENGTH, '*', 'e', batch),
    );
  }

  async subscribe(listener: EventBatchListener): Promise<Unsubscribe> {
    const own: EventBatchListener = (events) => listener(events);
    if (!this.reader)
      await (this.starting ??= this.startReading().finally(() => (this.starting = undefined)));
    this.listeners.add(own);
    return async () => {
      this.listeners.delete(own);
      if (this.listeners.size === 0) await this.stopReading();
    };
  }

  async close(): Promise<void> {
    if (this.commands.isClosed) return;
    this.listeners.clear();
    await this.stopReading();
    await this.commands.close();
  }

  private get streamKey(): string {
    return `${this.options.prefix}:events`;
  }

  /** Starts after the stream's current last entry: a subscriber sees what is published after it subscribed. */
  private async startReading(): Promise<void> {
    const newest = await this.commands.call((client) =>
      client.xrevrange(this.streamKey, '+', '-', 'COUNT', 1),
    );
    const client = createRedisClient(this.options.url, this.extra, 'blocking', 'events', this.options.logger);
    await connectClient(client);
    const reader = { client, loop: Promise.resolve() };
    this.reader = reader;
    reader.loop = this.read(reader, newest[0]?.[0] ?? '0-0');
  }

  private async stopReading(): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    this.reader = undefined;
    reader.client.disconnect();
    await reader.loop;
  }

  private async read(reader: { client: RedisClient }, from: string): Promise<void> {
    let last = from;
    while (this.reader === reader) {
      let reply: StreamReply;
      try {
        reply = await reader.client.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.streamKey,
          last,
        );
      } catch {
        // Dropped connection (or stop): resume from the last entry seen once Redis is back.
        if (this.reader === reader) await whenReady(reader.client, 1_000);
        continue;
      }
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        last = id;
        this.deliver(fields[1]);
      }
    }
  }

  private deliver(batch: string | undefined): void {
    let events: CeleriacEvent[];
    try {
      events = decodeEventBatch(batch ?? '');
    } catch (error) {
      this.logger.warn(`dropped a malformed event batch: ${(error as Error).message}`);
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(events);
      } catch (error) {
        this.logger.warn(`an event listener failed: ${(error as Error).message}`);
      }
    }
  }
}
