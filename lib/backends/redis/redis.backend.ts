import { redisExtraOf, type RedisExtraOptions } from '../../redis/redis-options.js';
import {
  connectClient,
  createRedisClient,
  toBrokerError,
  type RedisClient,
} from '../../redis/redis-connection.js';
import { checkRedisPosture } from '../../redis/redis-posture.js';
import { findLuaDir, ScriptSet } from '../../redis/redis-scripts.js';
import { acquireCommandConnection, type CommandConnection } from '../../redis/shared-connection.js';
import { DEFAULT_RESULT_TTL_MS } from '../../celeriac.constants.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { ConnectionOptions } from '../../brokers/broker-connection.options.js';
import type { CompanionWrite } from '../../brokers/broker.interface.js';
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { RevokedChecks } from './revoked-checks.js';
import type {
  AttemptClaim,
  RecordListener,
  ReplyListener,
  ReplySubscription,
  ResultBackend,
  Unsubscribe,
  WriteOptions,
} from '../result-backend.interface.js';
import type { TaskRecord } from '../task-record.js';
import { RedisScheduleStore } from './redis-schedule.store.js';
import { RedisPolicyStore } from './redis-policy.store.js';
import { RedisWorkflowStore } from './redis-workflow.store.js';
import { SubscriptionHub } from '../../redis/subscription-hub.js';
import { CorruptRecordError } from '../../errors/corrupt-record.error.js';
import { recordFormatOf, type RecordFormat } from './record-format.js';
import { withFence } from './record-fence.js';
import { STALE_FENCE, StaleAttemptError } from '../../errors/stale-attempt.error.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/** `BackendOptions` with the TTL optional, so the backend can also be built directly. */
export interface RedisBackendOptions extends ConnectionOptions {
  /** Default record and revocation TTL in ms (default one day). */
  resultTtlMs?: number;
}

/** Backend settings beyond the connection's (`backendOptions`). */
export interface RedisBackendExtraOptions extends RedisExtraOptions {
  /** `celeriac` (default), or `celery` for records Python Celery reads and writes (`celery-task-meta-<id>`). */
  format?: 'celeriac' | 'celery';
}

let scripts: ScriptSet | undefined;

function backendScripts(): ScriptSet {
  scripts ??= new ScriptSet(findLuaDir(import.meta.url), ['write-1.lua', 'start-1.lua', 'claim-1.lua']);
  return scripts;
}

/**
 * The Redis result backend. A record is one JSON string per task (`<prefix>:task:<id>`) with a TTL;
 * each write publishes it on the task's channel in the same script. Waiters subscribe through one
 * shared subscriber connection, which holds a channel only while someone waits on it. Settings in
 * `extra`: {@link RedisBackendExtraOptions} (record format, (cluster, TLS and other ioredis options).
 */
export class RedisBackend implements ResultBackend {
  readonly kind = 'redis';
  private readonly logger: CeleriacLogger;
  private readonly extra: RedisBackendExtraOptions;
  private readonly format: RecordFormat;
  private readonly ttlMs: number;
  private connection?: CommandConnection;
  private connecting?: Promise<void>;
  private hub?: Promise<SubscriptionHub>;
  private subscriber?: RedisClient;
  private readonly open = new Set<Unsubscribe>();
  /** Reply channels, and who to tell when the subscriber reconnected (records may have been missed). */
  private readonly gapListeners = new Map<string, () => void>();
  private closed = false;
  private readonly revokedChecks = new RevokedChecks((keys) =>
    this.call((client) =>
      client instanceof Cluster
        ? Promise.all(keys.map(async (key) => ((await client.exists(key)) === 1 ? '1' : null)))
        : client.mget(keys),
    ),
  );

  /** Chains, groups and chords, on the same connection as the records. */
  readonly workflows: RedisWorkflowStore;
  /** Schedules and tick claims, on the same connection; changes travel on the shared subscriber. */
  readonly schedules: RedisScheduleStore;
  /** Rate limits, concurrency limits and deduplication keys, on the same connection. */
  readonly policies: RedisPolicyStore;

  constructor(private readonly options: RedisBackendOptions) {
    this.logger = createCeleriacLogger('CeleriacRedisBackend', options.logger);
    this.extra = redisExtraOf(options);
    this.ttlMs = options.resultTtlMs ?? DEFAULT_RESULT_TTL_MS;
    this.format = recordFormatOf(this.extra.format);
    this.workflows = new RedisWorkflowStore((command) => this.call(command), options.prefix, this.ttlMs);
    this.schedules = new RedisScheduleStore(
      (command) => this.call(command),
      (channel, listener) => this.subscribe(channel, listener),
      options.prefix,
    );
    this.policies = new RedisPolicyStore((command) => this.call(command), options.prefix, this.ttlMs);
  }

  /** Channels this backend is subscribed to (for monitoring and leak checks). */
  async subscribedChannels(): Promise<string[]> {
    return this.hub ? (await this.hub).listened() : [];
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.unavailable());
    this.connecting ??= this.start().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const raw = await this.call((client) => client.get(this.recordKey(taskId)));
    return raw === null ? undefined : this.format.decode(raw, taskId);
  }

  /** The shared, auto-pipelined command connection (a broker on the same one may write records with its own steps). */
  get commandClient(): RedisClient {
    if (this.closed || !this.connection) throw this.unavailable();
    return this.connection.client;
  }

  /** What `write` stores and publishes (with `onlyIfAbsent`: what `create` stores), for a broker's script. */
  companionWrite(
    // A companion write goes with an ack the broker fences by its delivery token: its fence is only
    // carried on, for the attempts after it.
    record: TaskRecord,
    options: WriteOptions & { onlyIfAbsent?: boolean } = {},
  ): CompanionWrite {
    const json = withFence(this.format.encode(record), options.fence);
    const publish: [string, string][] = [];
    if (!options.onlyIfAbsent) {
      if (options.replyTo !== undefined) publish.push([this.replyChannel(options.replyTo), `${record.id}\n`]);
      publish.push([this.recordChannel(record.id), '']);
    }
    const ttlMs = Math.max(1, Math.ceil(options.ttlMs ?? this.ttlMs));
    return {
      key: this.recordKey(record.id),
      value: json,
      ttlMs,
      onlyIfAbsent: options.onlyIfAbsent,
      publish,
    };
  }

  async write(record: TaskRecord, options: WriteOptions = {}): Promise<void> {
    const ttl = Math.max(1, Math.ceil(options.ttlMs ?? this.ttlMs));
    const json = this.format.encode(record);
    const reply = options.replyTo === undefined ? '' : this.replyChannel(options.replyTo);
    const fence = options.fence ?? '';
    const received = await this.call((client) =>
      backendScripts().run(
        client,
        'write',
        [this.recordKey(record.id)],
        [json, ttl, this.recordChannel(record.id), reply, record.id, fence],
      ),
    );
    if (received === -1) throw new StaleAttemptError(record.id, STALE_FENCE);
  }

  async claimAttempt(record: TaskRecord, options: WriteOptions & { start: boolean }): Promise<AttemptClaim> {
    const ttl = Math.max(1, Math.ceil(options.ttlMs ?? this.ttlMs));
    const [previous, fence] = (await this.call((client) =>
      backendScripts().run(
        client,
        'claim',
        [this.recordKey(record.id)],
        [
          this.format.encode(record),
          ttl,
          this.recordChannel(record.id),
          record.retries,
          options.start ? '1' : '',
        ],
      ),
    )) as [string | null, number];
    return { previous: this.readPrevious(previous, record.id), fence: Number(fence) };
  }

  /**
   * One channel per call, `<prefix>:reply:<random id>`, on the shared subscriber connection:
   * messages are `<task id>\n<record JSON>`, parsed only for tasks the listener knows. The id is 96
   * random bits in 16 characters (every message sent while the process waits carries it).
   */
  async openReplies(listener: ReplyListener, onGap: () => void): Promise<ReplySubscription> {
    const address = randomBytes(12).toString('base64url');
    const channel = this.replyChannel(address);
    this.gapListeners.set(channel, onGap);
    let stop: Unsubscribe;
    try {
      stop = await this.subscribe(channel, (message) => {
        const cut = message.indexOf('\n');
        if (cut < 0) return;
        const taskId = message.slice(0, cut);
        listener(taskId, () => this.format.decode(message.slice(cut + 1), taskId));
      });
    } catch (error) {
      this.gapListeners.delete(channel);
      throw error;
    }
    return {
      address,
      close: async () => {
        this.gapListeners.delete(channel);
        await stop();
      },
    };
  }

  async markStarted(record: TaskRecord, options: WriteOptions = {}): Promise<TaskRecord | undefined> {
    const ttl = Math.max(1, Math.ceil(options.ttlMs ?? this.ttlMs));
    const json = this.format.encode(record);
    const previous = (await this.call((client) =>
      backendScripts().run(
        client,
        'start',
        [this.recordKey(record.id)],
        [json, ttl, this.recordChannel(record.id), record.retries],
      ),
    )) as string | null;
    return this.readPrevious(previous, record.id);
  }

  private readPrevious(previous: string | null, taskId: string): TaskRecord | undefined {
    if (previous === null) return undefined;
    try {
      return this.format.decode(previous, taskId);
    } catch (error) {
      // The script cannot read it either, so it wrote over it: nothing finished.
      if (error instanceof CorruptRecordError) return undefined;
      throw error;
    }
  }

  /** One native command: `SET … PX … NX`. */
  async create(record: TaskRecord, options: WriteOptions = {}): Promise<void> {
    const ttl = Math.max(1, Math.ceil(options.ttlMs ?? this.ttlMs));
    await this.call((client) =>
      client.set(this.recordKey(record.id), this.format.encode(record), 'PX', ttl, 'NX'),
    );
  }

  watch(taskId: string, listener: RecordListener): Promise<Unsubscribe> {
    return this.subscribe(this.recordChannel(taskId), (message) =>
      listener(this.format.decode(message, taskId)),
    );
  }

  async revoke(taskId: string): Promise<void> {
    await this.call((client) => client.set(this.revokedKey(taskId), '1', 'PX', this.ttlMs));
  }

  /** Checks asked in one turn go out as one MGET (one EXISTS each on a cluster: the keys are in any slot). */
  isRevoked(taskId: string): Promise<boolean> {
    return this.revokedChecks.has(this.revokedKey(taskId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.open].map((unsubscribe) => unsubscribe()));
    const [connection, subscriber] = [this.connection, this.subscriber];
    this.connection = this.subscriber = undefined;
    await Promise.all([connection?.release(), subscriber?.quit().catch(() => subscriber.disconnect())]);
  }

  private async start(): Promise<void> {
    backendScripts(); // read before the connection preloads what this process knows
    const connection = await acquireCommandConnection(this.options.url, this.extra);
    this.connection = connection;
    if (this.extra.checkConfig !== false) {
      await checkRedisPosture(connection.client, this.logger, 'task results');
    }
  }

  private async subscribe(channel: string, listener: (message: string) => void): Promise<Unsubscribe> {
    const hub = await this.subscriptions();
    let remove: () => Promise<void>;
    try {
      remove = await hub.add(channel, listener);
    } catch (error) {
      throw toBrokerError(error);
    }
    const unsubscribe: Unsubscribe = async () => {
      this.open.delete(unsubscribe);
      await remove().catch(() => undefined);
    };
    this.open.add(unsubscribe);
    return unsubscribe;
  }

  /** The shared subscriber connection, opened on the first subscription. */
  private subscriptions(): Promise<SubscriptionHub> {
    if (this.closed || !this.connection) return Promise.reject(this.unavailable());
    this.hub ??= (async () => {
      const subscriber = createRedisClient(
        this.options.url,
        this.extra,
        'subscriber',
        undefined,
        this.options.logger,
      );
      this.subscriber = subscriber;
      const hub = new SubscriptionHub(
        subscriber,
        (channels) => void this.replay(channels),
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

  /**
   * After a reconnection, watchers may have missed writes made while Redis was away: they are sent
   * each watched task's current record (possibly one they have seen already).
   */
  private async replay(channels: string[]): Promise<void> {
    this.schedules.resubscribed(channels);
    const hub = await this.hub;
    for (const channel of channels) this.gapListeners.get(channel)?.();
    const prefix = this.recordChannel('');
    for (const channel of channels.filter((c) => c.startsWith(prefix))) {
      const raw = await this.call((client) => client.get(channel)).catch(() => null);
      if (raw !== null) hub?.deliver(channel, raw);
    }
  }

  private async call<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.closed || !this.connection) throw this.unavailable();
    try {
      return await command(this.connection.client);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private unavailable(): BrokerUnavailableError {
    const why = this.closed ? 'result backend closed' : 'result backend not connected (call connect() first)';
    return new BrokerUnavailableError('redis', new Error(why));
  }

  private recordKey(taskId: string): string {
    return this.format.key(this.options.prefix, taskId);
  }

  /** Same name as the record's key: the channel of a record is easy to find from the key. */
  private recordChannel(taskId: string): string {
    return this.recordKey(taskId);
  }

  private replyChannel(address: string): string {
    return `${this.options.prefix}:reply:${address}`;
  }

  private revokedKey(taskId: string): string {
    return `${this.options.prefix}:revoked:${taskId}`;
  }
}
