import { checkPriority } from '../priority.js';
import { MIN_PRIORITY } from '../../celeriac.constants.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import { TaskDefinitionError } from '../../errors/task-definition.error.js';
import { STALE_DELIVERY, StaleAttemptError } from '../../errors/stale-attempt.error.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import type {
  BatchMessage,
  Broker,
  CompanionWrite,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  DeliveryHandler,
  PublishOptions,
  QueueStats,
} from '../broker.interface.js';
import type { OutageLog } from '../outage-log.js';
import { ConsumerCensus } from './consumer-census.js';
import { redisExtraOf } from '../../redis/redis-options.js';
import { LeaseKeeper, type Leases, type RenewLeases } from './lease-keeper.js';
import { LeaseThread } from './lease-thread.js';
import { batchable, brokerScripts, QueueScripts, type FetchLimits } from './queue-scripts.js';
import {
  resolveBrokerOptions,
  type RedisBrokerExtraOptions,
  type ResolvedRedisBrokerOptions,
} from './redis-broker.options.js';
import {
  connectClient,
  createRedisClient,
  redisOutageLog,
  toBrokerError,
  type RedisClient,
} from '../../redis/redis-connection.js';
import { checkRedisPosture } from '../../redis/redis-posture.js';
import { RedisConsumer, type ConsumerHost, type FetchResult } from './redis-consumer.js';
import { RedisDelivery, type DeliverySettler, type FetchedMessage } from './redis-delivery.js';
import { queueKeys, type QueueKeys } from './redis-keys.js';
import { acquireCommandConnection, type CommandConnection } from '../../redis/shared-connection.js';
import { protocolOf } from '../../protocol/queue-protocol.js';
import { kombuScripts } from './kombu/kombu-scripts.js';
import { oversizedReason } from '../oversized-message.js';
import { KombuTransport } from './kombu/kombu-transport.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * The Redis broker (`redis://`, `rediss://`; Redis Cluster with `extra.cluster`). A queue is a few
 * keys under one hash tag: a ready sorted set ordered by priority (0–9, higher first) then arrival,
 * a delayed sorted set by due time and an active sorted set by lease end. Every state change is one
 * Lua script. Idle consumers block on Redis; deliveries are leased and renewed while unsettled, so a
 * message whose worker dies is delivered again when its lease ends. Queues of `protocol: 'celery'`
 * are laid out as kombu's Redis transport lays them out instead ({@link KombuTransport}), on the
 * same connections. Settings: {@link RedisBrokerExtraOptions}.
 */
export class RedisBroker implements Broker, ConsumerHost {
  readonly kind = 'redis';
  readonly logger: CeleriacLogger;
  readonly maxBlockMs: number;
  private readonly settings: ResolvedRedisBrokerOptions;
  private readonly extra: RedisBrokerExtraOptions;
  private readonly scripts = new QueueScripts(() => this.commandClient);
  private readonly leases: Leases;
  private readonly consumers = new Set<RedisConsumer>();
  private readonly unsettled = new Set<RedisDelivery>();
  private readonly keys = new Map<string, QueueKeys>();
  private readonly kombu: KombuTransport;
  private connection?: CommandConnection;
  private fetchLimits?: FetchLimits;
  private connecting?: Promise<void>;
  private outageLog?: OutageLog;

  constructor(private readonly options: ConnectionOptions) {
    this.logger = createCeleriacLogger('CeleriacRedisBroker', options.logger);
    this.extra = redisExtraOf(options);
    refuseKombuOnCluster(options, this.extra);
    this.settings = resolveBrokerOptions(this.extra);
    this.maxBlockMs = this.settings.maxBlockMs;
    this.kombu = new KombuTransport(
      {
        client: () => this.commandClient,
        url: options.url,
        extra: this.extra,
        prefix: options.prefix,
        logger: options.logger,
        outages: () => this.outages,
        maxReceiveBytes: options.maxReceiveBytes,
      },
      this.settings.kombu,
    );
    const renew: RenewLeases = (queue, pairs) =>
      this.scripts.renew(this.keysOf(queue), this.settings.leaseMs, pairs);
    const { leaseMs, renewEveryMs, maxStallMs } = this.settings;
    this.leases = this.settings.leaseThread
      ? new LeaseThread(
          { url: options.url, extra: this.extra, prefix: options.prefix, leaseMs, renewEveryMs, maxStallMs },
          renew,
          this.logger,
        )
      : new LeaseKeeper(renewEveryMs, renew, this.logger);
  }

  /** @internal The process's outage log of this broker's Redis, shared by its consumers. */
  get outages(): OutageLog {
    return (this.outageLog ??= redisOutageLog(this.options.url, this.extra, this.options.logger));
  }

  /** The shared, auto-pipelined command connection. */
  get commandClient(): RedisClient {
    if (!this.connection) throw this.notConnected();
    return this.connection.client;
  }

  connect(): Promise<void> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async publish(queue: string, body: string, options: PublishOptions = {}): Promise<void> {
    if (this.isKombu(queue)) return this.kombu.publish(queue, body, options);
    const priority = checkPriority(options.priority ?? MIN_PRIORITY);
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    await this.scripts.publish(this.keysOf(queue), body, priority, delayMs, options.messageId ?? '', options);
  }

  /** `publish` with a result backend's record stored in the same script (kombu's layout: one after the other). */
  async publishWith(
    queue: string,
    body: string,
    options: PublishOptions,
    write: CompanionWrite,
  ): Promise<void> {
    if (this.isKombu(queue)) {
      await this.writeAlone(write);
      return this.kombu.publish(queue, body, options);
    }
    const priority = checkPriority(options.priority ?? MIN_PRIORITY);
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    const messageId = options.messageId ?? '';
    await this.scripts.publishWith(this.keysOf(queue), body, priority, delayMs, messageId, options, write);
  }

  /**
   * A batch in one script per {@link PUBLISH_BATCH} messages, each atomic, with the messages'
   * PENDING records where they come along. Writes of another shape, and kombu's layout, go one
   * by one (auto-pipelined, in order).
   */
  async publishMany(queue: string, messages: readonly BatchMessage[]): Promise<void> {
    const shape = this.isKombu(queue) ? undefined : batchable(messages);
    if (!shape) {
      await Promise.all(
        messages.map(({ body, options, write }) =>
          write ? this.publishWith(queue, body, options, write) : this.publish(queue, body, options),
        ),
      );
      return;
    }
    const keys = this.keysOf(queue);
    const chunks: Promise<void>[] = [];
    for (let at = 0; at < messages.length; at += PUBLISH_BATCH) {
      const chunk = messages.slice(at, at + PUBLISH_BATCH);
      chunks.push(this.scripts.publishMany(keys, chunk, shape === 'records'));
    }
    await Promise.all(chunks);
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    if (!Number.isInteger(options.prefetch) || options.prefetch < 1) {
      throw new CeleriacError(
        'INVALID_OPTION',
        `prefetch must be a positive integer (got ${options.prefetch})`,
      );
    }
    if (!this.connection) throw this.notConnected();
    if (this.isKombu(queue)) return this.kombu.consume(queue, handler, options);
    await this.leases.open?.();
    const { wake } = this.keysOf(queue);
    const label = new ConsumerCensus(this.options.prefix, queue).newLabel();
    const blocking = createRedisClient(this.options.url, this.extra, 'blocking', label, this.options.logger);
    await connectClient(blocking);
    const consumer = new RedisConsumer(this, queue, wake, blocking, handler, options.prefetch);
    this.consumers.add(consumer);
    consumer.start();
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.cancel();
      },
      liveness: () => consumer.liveness(),
    };
  }

  async deadLetters(queue: string, limit?: number): Promise<DeadLetter[]> {
    if (this.isKombu(queue)) return this.kombu.deadLetters(queue, limit);
    if (limit !== undefined && limit <= 0) return [];
    try {
      const raw = await this.commandClient.lrange(
        this.keysOf(queue).dead,
        0,
        limit === undefined ? -1 : limit - 1,
      );
      return raw.map((record) => publicLetter(JSON.parse(record) as StoredDeadLetter));
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    if (this.isKombu(queue)) return this.kombu.replayDeadLetters(queue, messageIds);
    return this.scripts.settleDeadLetters(this.keysOf(queue), 'replay', messageIds);
  }

  deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    if (this.isKombu(queue)) return this.kombu.deleteDeadLetters(queue, messageIds);
    return this.scripts.settleDeadLetters(this.keysOf(queue), 'delete', messageIds);
  }

  size(queue: string): Promise<number> {
    if (this.isKombu(queue)) return this.kombu.size(queue);
    return this.scripts.size(this.keysOf(queue));
  }

  /** Counts in one script; consumers from the names of their blocking connections (CLIENT LIST). */
  async stats(queue: string): Promise<QueueStats> {
    if (this.isKombu(queue)) return this.kombu.stats(queue);
    const [[ready, delayed, inFlight, deadLettered], consumers] = await Promise.all([
      this.scripts.stats(this.keysOf(queue)),
      new ConsumerCensus(this.options.prefix, queue).count(this.commandClient),
    ]);
    return { queue, ready, delayed, inFlight, deadLettered, consumers };
  }

  /** Drops waiting and delayed messages and dead letters; deliveries being processed are left alone. */
  purge(queue: string): Promise<void> {
    if (this.isKombu(queue)) return this.kombu.purge(queue);
    return this.scripts.purge(this.keysOf(queue));
  }

  /** Stops consuming and hands unsettled deliveries back to the head of their queues. */
  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.cancel()));
    await this.leases.stop();
    await Promise.all([this.giveBackUnsettled(), this.kombu.close()]);
    const connection = this.connection;
    this.connection = undefined;
    this.connecting = undefined;
    await connection?.release();
  }

  /** @internal Used by consumers. */
  async fetch(queue: string, count: number): Promise<FetchResult> {
    const limit = this.options.maxReceiveBytes;
    this.fetchLimits ??= { ...this.settings, maxBodyBytes: limit };
    const result = await this.scripts.fetch(this.keysOf(queue), queue, count, this.fetchLimits);
    for (const { messageId, bytes } of result.refused ?? []) {
      this.logger.warn(`queue "${queue}": message ${messageId}: ${oversizedReason(bytes, limit ?? 0)}`);
    }
    return result;
  }

  /** @internal Used by consumers. */
  signal(queue: string): Promise<void> {
    return this.scripts.signal(this.keysOf(queue));
  }

  /** @internal Used by consumers: leases the message to this broker until it is settled. */
  deliver(queue: string, message: FetchedMessage, onReleased: () => void): RedisDelivery {
    this.leases.hold(queue, message.mid, message.token);
    const delivery = new RedisDelivery(queue, message, this.settlerFor(queue, onReleased));
    this.unsettled.add(delivery);
    return delivery;
  }

  private async writeAlone(write: CompanionWrite): Promise<void> {
    const client = this.commandClient;
    try {
      const stored = write.onlyIfAbsent
        ? await client.set(write.key, write.value, 'PX', write.ttlMs, 'NX')
        : await client.set(write.key, write.value, 'PX', write.ttlMs);
      if (stored !== null)
        await Promise.all(
          write.publish.map(([channel, head]) => client.publish(channel, head + write.value)),
        );
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private async giveBackUnsettled(): Promise<void> {
    const byQueue = new Map<string, string[]>();
    for (const delivery of this.unsettled) {
      if (!delivery.giveBack()) continue;
      const pairs = byQueue.get(delivery.queue) ?? [];
      byQueue.set(delivery.queue, [...pairs, delivery.mid, delivery.token]);
    }
    this.unsettled.clear();
    if (!this.connection) return;
    // Unreachable Redis: the leases end on their own and the messages are redelivered then.
    await Promise.all(
      [...byQueue].map(([queue, pairs]) => this.scripts.giveBack(this.keysOf(queue), pairs).catch(() => 0)),
    );
  }

  private settlerFor(queue: string, onReleased: () => void): DeliverySettler {
    const k = this.keysOf(queue);
    return {
      ack: async (d) => this.reportStale(d, await this.scripts.ack(k, d.mid, d.token)),
      ackWith: async (d, write) => {
        // Nothing was stored either: the caller reports the stale attempt.
        if (!(await this.scripts.ackWith(k, d.mid, d.token, write)))
          throw new StaleAttemptError(d.messageId, STALE_DELIVERY);
      },
      requeue: async (d, options) => {
        const priority = options.priority === undefined ? undefined : checkPriority(options.priority);
        // Headers and properties are replaced one part at a time; the other part is kept.
        const meta =
          options.headers || options.properties
            ? { headers: options.headers ?? d.headers, properties: options.properties ?? d.properties }
            : {};
        const next = { ...options, ...meta, priority };
        this.reportStale(d, await this.scripts.requeue(k, d.mid, d.token, next));
      },
      deadLetter: async (d, reason) =>
        this.reportStale(
          d,
          await this.scripts.deadLetter(k, queue, d, reason, this.settings.deadLetterLimit),
        ),
      released: (d) => {
        this.leases.release(queue, d.mid);
        this.unsettled.delete(d);
        onReleased();
      },
    };
  }

  /** A settlement from a delivery whose lease ended and went to another consumer changes nothing. */
  private reportStale(delivery: RedisDelivery, applied: boolean): void {
    if (applied) return;
    this.logger.warn(
      `queue "${delivery.queue}": message ${delivery.messageId} was settled after its lease ended; ignored (it is redelivered)`,
    );
  }

  private async open(): Promise<void> {
    // Read before the connection preloads what this process knows.
    brokerScripts();
    kombuScripts();
    const connection = await acquireCommandConnection(this.options.url, this.extra);
    this.connection = connection;
    if (this.extra.checkConfig !== false) {
      await checkRedisPosture(connection.client, this.logger, 'queued messages');
    }
  }

  /** Queues speaking Celery's protocol live in kombu's layout. */
  private isKombu(queue: string): boolean {
    return protocolOf(this.options.protocols, queue) === 'celery';
  }

  private notConnected(): BrokerUnavailableError {
    return new BrokerUnavailableError('redis', new Error('not connected (connect() not called, or closed)'));
  }

  private keysOf(queue: string): QueueKeys {
    let keys = this.keys.get(queue);
    if (!keys) this.keys.set(queue, (keys = queueKeys(this.options.prefix, queue)));
    return keys;
  }
}

/**
 * Messages per batch script: large enough that a bulk send costs one command per thousand tasks,
 * small enough that one script does not hold Redis for long (about a millisecond).
 */
export const PUBLISH_BATCH = 1_000;

/** A dead-letter record also keeps the priority a replay restores; a DeadLetter does not show it. */
type StoredDeadLetter = DeadLetter & { priority?: number };

function publicLetter({ priority: _priority, ...letter }: StoredDeadLetter): DeadLetter {
  return letter;
}

/**
 * kombu's Redis transport does not run on Redis Cluster (its keys share no hash tag and its
 * consumers read several lists at once), so neither can a queue shared with Celery.
 */
function refuseKombuOnCluster(options: ConnectionOptions, extra: RedisBrokerExtraOptions): void {
  const celery = Object.entries(options.protocols ?? {}).filter(([, protocol]) => protocol === 'celery');
  if (!extra.cluster || celery.length === 0) return;
  throw new TaskDefinitionError(
    `queues ${celery.map(([queue]) => `"${queue}"`).join(', ')}: protocol 'celery' needs a single Redis ` +
      "server (kombu's Redis transport, which Celery uses, does not run on Redis Cluster)",
  );
}
