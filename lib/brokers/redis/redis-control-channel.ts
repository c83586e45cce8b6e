import { randomUUID } from 'node:crypto';
import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import type {
  ControlChannel,
  ControlInbox,
  ControlMessageListener,
} from '../../control/control-channel.interface.js';
import { CommandUser } from '../../redis/command-user.js';
import { publishInOrder } from '../../redis/ordered-publish.js';
import {
  connectClient,
  createRedisClient,
  toBrokerError,
  type RedisClient,
} from '../../redis/redis-connection.js';
import { redisExtraOf, type RedisExtraOptions } from '../../redis/redis-options.js';
import { SubscriptionHub } from '../../redis/subscription-hub.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * Remote control over Redis pub/sub: commands are PUBLISHed on `<prefix>:control`, replies on the
 * requester's own channel `<prefix>:control:inbox:<uuid>`. Publishing uses the process's shared
 * command connection; listening, one subscriber connection per channel object, opened on first
 * use. On a cluster, classic pub/sub reaches every node, and one sender's publishes go through one
 * master so they arrive in order. After a reconnection the subscriptions
 * are made again and `onResumed` listeners are told (what was published meanwhile is gone).
 */
export class RedisControlChannel implements ControlChannel {
  readonly kind = 'redis';
  private readonly extra: RedisExtraOptions;
  private readonly commands: CommandUser;
  private readonly logger: CeleriacLogger;
  private readonly resumed = new Set<() => void>();
  private readonly held = new Set<Unsubscribe>();
  private hub?: Promise<SubscriptionHub>;
  private subscriber?: RedisClient;

  constructor(private readonly options: ConnectionOptions) {
    this.logger = createCeleriacLogger('CeleriacControl', options.logger);
    this.extra = redisExtraOf(options);
    this.commands = new CommandUser(options.url, this.extra, 'control channel');
  }

  connect(): Promise<void> {
    return this.commands.connect();
  }

  async broadcast(message: string): Promise<void> {
    await this.commands.call((client) => publishInOrder(client, this.commandChannel, message));
  }

  async listen(listener: ControlMessageListener, onResumed?: () => void): Promise<Unsubscribe> {
    const remove = await this.subscribe(this.commandChannel, listener);
    if (onResumed) this.resumed.add(onResumed);
    return this.hold(async () => {
      if (onResumed) this.resumed.delete(onResumed);
      await remove();
    });
  }

  async openInbox(listener: ControlMessageListener): Promise<ControlInbox> {
    const address = `${this.options.prefix}:control:inbox:${randomUUID()}`;
    const remove = await this.subscribe(address, listener);
    return { address, close: this.hold(remove) };
  }

  async send(address: string, message: string): Promise<void> {
    await this.commands.call((client) => publishInOrder(client, address, message));
  }

  async close(): Promise<void> {
    if (this.commands.isClosed) return;
    await Promise.allSettled([...this.held].map((release) => release()));
    await this.commands.close();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  private get commandChannel(): string {
    return `${this.options.prefix}:control`;
  }

  private async subscribe(channel: string, listener: ControlMessageListener): Promise<() => Promise<void>> {
    const hub = await this.subscriptions();
    try {
      return await hub.add(channel, listener);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private hold(remove: () => Promise<void>): Unsubscribe {
    const release: Unsubscribe = async () => {
      this.held.delete(release);
      await remove().catch(() => undefined);
    };
    this.held.add(release);
    return release;
  }

  private subscriptions(): Promise<SubscriptionHub> {
    if (this.commands.isClosed) return Promise.reject(this.commands.unavailable());
    this.hub ??= (async () => {
      const subscriber = createRedisClient(
        this.options.url,
        this.extra,
        'subscriber',
        'control',
        this.options.logger,
      );
      this.subscriber = subscriber;
      const hub = new SubscriptionHub(
        subscriber,
        () => {
          for (const resumed of [...this.resumed]) resumed();
        },
        (channel, error) => this.logger.warn(`listener of ${channel} failed: ${(error as Error).message}`),
      );
      await connectClient(subscriber);
      return hub;
    })().catch((error: unknown) => {
      this.hub = undefined;
      throw error;
    });
    return this.hub;
  }
}
