import { checkPriority } from '../../priority.js';
import {
  connectClient,
  createRedisClient,
  toBrokerError,
  type RedisClient,
} from '../../../redis/redis-connection.js';
import type { RedisExtraOptions } from '../../../redis/redis-options.js';
import type {
  ConsumeOptions,
  Consumer,
  DeadLetter,
  DeliveryHandler,
  PublishOptions,
  QueueStats,
} from '../../broker.interface.js';
import type { OutageLog } from '../../outage-log.js';
import { ConsumerCensus } from '../consumer-census.js';
import { LeaseKeeper } from '../lease-keeper.js';
import type { RedisDelivery } from '../redis-delivery.js';
import { KombuConsumer, type KombuConsumerHost, type KombuTake } from './kombu-consumer.js';
import { KombuDeliveries } from './kombu-deliveries.js';
import { kombuKeys, stepIndexOf, type KombuKeys } from './kombu-keys.js';
import { KombuHeader, newKombuPayload, unackedEntry } from './kombu-payload.js';
import { KombuRestorer, type RestoreHost } from './kombu-restorer.js';
import { KombuScripts } from './kombu-scripts.js';
import {
  createCeleriacLogger,
  type CeleriacLoggerOption,
  type CeleriacLogger,
} from '../../../logging/celeriac-logger.js';
import { oversizedReason } from '../../oversized-message.js';

/** Settings of the kombu layout, after defaults. */
export interface KombuSettings {
  /** kombu's `global_keyprefix` ('' by default). */
  globalPrefix: string;
  /** kombu's `visibility_timeout`, in ms. */
  visibilityTimeoutMs: number;
  maxBlockMs: number;
  batchLimit: number;
  deadLetterLimit: number;
}

/** Where the transport's connections come from: the Redis broker that owns it. */
export interface KombuConnections {
  /** The broker's shared command connection (throws when the broker is not connected). */
  client(): RedisClient;
  readonly url: string;
  readonly extra: RedisExtraOptions;
  /** Celeriac's prefix: names dead-letter lists and consumer connections, never kombu's keys. */
  readonly prefix: string;
  /** The module's `logger` option. */
  readonly logger?: CeleriacLoggerOption;
  /** The process's outage log of this Redis. */
  outages(): OutageLog;
  /** Elements larger than this are dead-lettered at receipt, unread. */
  readonly maxReceiveBytes?: number;
}

/** A dead-letter record also keeps the priority a replay restores; a DeadLetter does not show it. */
type StoredDeadLetter = DeadLetter & { priority?: number };

/**
 * The queues of a Redis broker that speak Celery's protocol, laid out as kombu's Redis transport
 * lays them out, so Celery workers and producers share them with Celeriac: a list per priority step
 * (producers LPUSH, consumers pop from the right), `unacked` / `unacked_index` for deliveries not
 * yet acknowledged, restored after the visibility timeout by any consumer, Celery's or Celeriac's,
 * and `_kombu.binding.<queue>` naming the queue behind its exchange. It runs on the broker's shared
 * command connection; each consumer blocks on a connection of its own.
 */
export class KombuTransport implements KombuConsumerHost, RestoreHost {
  readonly logger: CeleriacLogger;
  readonly scripts: KombuScripts;
  readonly globalPrefix: string;
  readonly visibilityTimeoutMs: number;
  readonly maxBlockMs: number;
  readonly batchLimit: number;
  readonly deadLetterLimit: number;
  private readonly restorer: KombuRestorer;
  private readonly deliveries: KombuDeliveries;
  private readonly consumers = new Set<KombuConsumer>();
  private readonly keys = new Map<string, KombuKeys>();
  private readonly bound = new Map<string, Promise<unknown>>();

  constructor(
    private readonly connections: KombuConnections,
    settings: KombuSettings,
  ) {
    this.logger = createCeleriacLogger('CeleriacKombuTransport', connections.logger);
    this.globalPrefix = settings.globalPrefix;
    this.visibilityTimeoutMs = settings.visibilityTimeoutMs;
    this.maxBlockMs = settings.maxBlockMs;
    this.batchLimit = settings.batchLimit;
    this.deadLetterLimit = settings.deadLetterLimit;
    this.scripts = new KombuScripts(() => this.commandClient);
    this.restorer = new KombuRestorer(this);
    const leases = new LeaseKeeper(
      Math.max(1, Math.floor(this.visibilityTimeoutMs / 3)),
      (queue, pairs) => this.scripts.renew(this.keysOf(queue), pairs),
      this.logger,
    );
    this.deliveries = new KombuDeliveries(this, leases);
  }

  get outages(): OutageLog {
    return this.connections.outages();
  }

  get commandClient(): RedisClient {
    return this.connections.client();
  }

  async publish(queue: string, body: string, options: PublishOptions = {}): Promise<void> {
    const priority = options.priority === undefined ? undefined : checkPriority(options.priority);
    const payload = newKombuPayload({ queue, body, ...options, priority });
    const k = this.keysOf(queue);
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    try {
      await this.bind(queue);
      // A Celery task message carries its ETA and goes out at once: a Celery worker holds it until
      // then, a Celeriac one keeps it in `unacked` until then. Anything else waits there itself.
      if (delayMs > 0 && typeof options.headers?.eta !== 'string') {
        payload.headers = { ...payload.headers, [KombuHeader.due]: Date.now() + delayMs };
        const entry = unackedEntry(payload, queue);
        await this.scripts.delay(
          k,
          payload.properties.delivery_tag,
          entry,
          delayMs,
          this.visibilityTimeoutMs,
        );
        return;
      }
      await this.commandClient.lpush(
        k.lists[stepIndexOf(payload.properties.priority ?? 0)],
        JSON.stringify(payload),
      );
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    await this.bind(queue).catch((error: unknown) => {
      throw toBrokerError(error);
    });
    const label = new ConsumerCensus(this.connections.prefix, queue).newLabel();
    const { url, extra, logger } = this.connections;
    // The consumer times its reads itself and keeps one Redis left unanswered (see KombuConsumer).
    const blocking = createRedisClient(url, extra, 'blocking', label, logger, 'caller');
    await connectClient(blocking);
    const consumer = new KombuConsumer(this, queue, blocking, handler, options.prefetch);
    this.consumers.add(consumer);
    await consumer.start();
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.cancel();
      },
      liveness: () => consumer.liveness(),
    };
  }

  /** @internal Used by consumers. */
  async take(queue: string, count: number, onReleased: () => void, popped?: string): Promise<KombuTake> {
    const maxBodyBytes = this.connections.maxReceiveBytes;
    const limits = {
      deadLetterLimit: this.deadLetterLimit,
      visibilityTimeoutMs: this.visibilityTimeoutMs,
      maxBodyBytes,
    };
    const fetched = await this.scripts.fetch(this.keysOf(queue), queue, count, limits, popped);
    for (const { messageId, bytes } of fetched.refused) {
      this.logger.warn(
        `queue "${queue}": message ${messageId}: ${oversizedReason(bytes, maxBodyBytes ?? 0)}`,
      );
    }
    const deliveries: RedisDelivery[] = [];
    for (const message of fetched.messages) {
      const delivery = await this.deliveries.open(queue, message, onReleased);
      if (delivery) deliveries.push(delivery);
    }
    return { now: fetched.now, nextRestore: fetched.nextRestore, deliveries };
  }

  /** @internal Used by consumers. */
  restoreDue(queue: string): Promise<number> {
    return this.restorer.restoreDue(queue);
  }

  /** @internal Used by consumers. */
  listsOf(queue: string): string[] {
    return this.keysOf(queue).lists;
  }

  async deadLetters(queue: string, limit?: number): Promise<DeadLetter[]> {
    if (limit !== undefined && limit <= 0) return [];
    const records = await this.readDead(queue, limit === undefined ? -1 : limit - 1);
    return records.map(([, { priority: _priority, ...letter }]) => letter);
  }

  async replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    const triples: string[] = [];
    for (const [raw, letter] of await this.selectDead(queue, messageIds)) {
      // Only the start of its body was kept (refused for its size): nothing to replay.
      if (letter.bodyBytes !== undefined) continue;
      const payload = newKombuPayload({ ...letter, queue, priority: letter.priority });
      const step = stepIndexOf(payload.properties.priority ?? 0);
      triples.push(raw, String(step + 1), JSON.stringify(payload));
    }
    return this.scripts.settleDeadLetters(this.keysOf(queue), 'replay', triples);
  }

  async deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    const triples = (await this.selectDead(queue, messageIds)).flatMap(([raw]) => [raw, '1', '']);
    return this.scripts.settleDeadLetters(this.keysOf(queue), 'delete', triples);
  }

  async size(queue: string): Promise<number> {
    const [ready, held] = await this.scripts.stats(this.keysOf(queue), queue);
    return ready + held;
  }

  async stats(queue: string): Promise<QueueStats> {
    const [[ready, delayed, inFlight, deadLettered], consumers] = await Promise.all([
      this.scripts.stats(this.keysOf(queue), queue),
      new ConsumerCensus(this.connections.prefix, queue).count(this.commandClient),
    ]);
    return { queue, ready, delayed, inFlight, deadLettered, consumers };
  }

  purge(queue: string): Promise<void> {
    return this.scripts.purge(this.keysOf(queue), queue);
  }

  /** Stops consuming and hands unsettled deliveries back to the head of their queues. */
  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.cancel()));
    await this.deliveries.giveBackAll();
  }

  keysOf(queue: string): KombuKeys {
    let keys = this.keys.get(queue);
    if (!keys) this.keys.set(queue, (keys = kombuKeys(this.globalPrefix, this.connections.prefix, queue)));
    return keys;
  }

  /** kombu's `queue_bind` of the queue to its own direct exchange, as Celery declares it; once per queue. */
  private bind(queue: string): Promise<unknown> {
    let binding = this.bound.get(queue);
    if (!binding) {
      const k = this.keysOf(queue);
      binding = this.commandClient.sadd(k.binding, k.bindingMember);
      void binding.catch(() => this.bound.delete(queue));
      this.bound.set(queue, binding);
    }
    return binding;
  }

  private async readDead(queue: string, stop: number): Promise<[string, StoredDeadLetter][]> {
    try {
      const raw = await this.commandClient.lrange(this.keysOf(queue).dead, 0, stop);
      return raw.map((record) => [record, JSON.parse(record) as StoredDeadLetter]);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private async selectDead(queue: string, messageIds?: readonly string[]) {
    const wanted = messageIds ? new Set(messageIds) : undefined;
    return (await this.readDead(queue, -1)).filter(([, letter]) => !wanted || wanted.has(letter.messageId));
  }
}
