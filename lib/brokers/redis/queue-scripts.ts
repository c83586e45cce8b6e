import type { BatchMessage, CompanionWrite, PublishOptions, RequeueOptions } from '../broker.interface.js';
import { checkPriority } from '../priority.js';
import { MIN_PRIORITY } from '../../celeriac.constants.js';
import { toBrokerError, type RedisClient } from '../../redis/redis-client.js';
import type { FetchResult } from './redis-consumer.js';
import type { FetchedMessage } from './redis-delivery.js';
import type { QueueKeys } from './redis-keys.js';
import { findLuaDir, ScriptSet } from '../../redis/redis-scripts.js';
import { decodeMessageMeta, encodeMessageMeta } from './message-meta.js';
import { DEAD_LETTER_BODY_PREFIX_BYTES } from '../../celeriac.constants.js';
import { oversizedReason } from '../oversized-message.js';

const FILES = [
  'publish-6.lua',
  'publish-write-7.lua',
  'publish-many-6+.lua',
  'fetch-7.lua',
  'ack-2.lua',
  'ack-write-3.lua',
  'requeue-6.lua',
  'dead-letter-3.lua',
  'renew-2.lua',
  'size-2.lua',
  'signal-2.lua',
  'give-back-4.lua',
  'purge-7.lua',
  'stats-4.lua',
  'dead-letters-7.lua',
];

const PURGE_BATCH = 1000;

let shared: ScriptSet | undefined;

/** The broker's Lua scripts, read from disk once per process. */
export function brokerScripts(): ScriptSet {
  shared ??= new ScriptSet(findLuaDir(import.meta.url), FILES);
  return shared;
}

/** Limits a fetch applies; see `RedisBrokerExtraOptions`. */
export interface FetchLimits {
  leaseMs: number;
  maxDeliveries: number;
  batchLimit: number;
  deadLetterLimit: number;
  /** Bodies larger than this are dead-lettered by the fetch, unread; absent: no limit. */
  maxBodyBytes?: number;
}

/**
 * The queue operations, one script each, on a shared command connection. A failure without a reply
 * from Redis surfaces as a `BrokerUnavailableError`.
 */
export class QueueScripts {
  constructor(private readonly client: () => RedisClient) {}

  async publish(
    k: QueueKeys,
    body: string,
    priority: number,
    delayMs: number,
    messageId: string,
    meta: Pick<PublishOptions, 'headers' | 'properties'> = {},
  ): Promise<void> {
    await this.run(
      'publish',
      [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake],
      [body, priority, delayMs, messageId, encodeMessageMeta(meta.headers, meta.properties)],
    );
  }

  /** `publish` with a result backend's record stored in the same script. */
  async publishWith(
    k: QueueKeys,
    body: string,
    priority: number,
    delayMs: number,
    messageId: string,
    meta: Pick<PublishOptions, 'headers' | 'properties'>,
    write: CompanionWrite,
  ): Promise<void> {
    await this.run(
      'publish-write',
      [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake, write.key],
      [
        body,
        priority,
        delayMs,
        messageId,
        encodeMessageMeta(meta.headers, meta.properties),
        ...companionArgs(write),
      ],
    );
  }

  /**
   * A batch in one script. `withRecords`: every message carries a write stored only if absent, all
   * with the same time to live and nothing to publish (a PENDING record) — see {@link batchable}.
   */
  async publishMany(k: QueueKeys, messages: readonly BatchMessage[], withRecords: boolean): Promise<void> {
    const keys = [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake];
    const args: (string | number)[] = [messages.length, withRecords ? messages[0].write!.ttlMs : ''];
    for (const { body, options } of messages) {
      const priority = checkPriority(options.priority ?? MIN_PRIORITY);
      const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
      const meta = encodeMessageMeta(options.headers, options.properties);
      args.push(body, priority, delayMs, options.messageId ?? '', meta);
    }
    if (withRecords) {
      for (const { write } of messages) {
        keys.push(write!.key);
        args.push(write!.value);
      }
    }
    await this.run('publish-many', keys, args);
  }

  async fetch(k: QueueKeys, queue: string, count: number, limits: FetchLimits): Promise<FetchResult> {
    const keys = [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake, k.dead];
    const args = [
      count,
      limits.leaseMs,
      limits.maxDeliveries,
      queue,
      limits.batchLimit,
      limits.deadLetterLimit,
      limits.maxBodyBytes ?? 0,
      DEAD_LETTER_BODY_PREFIX_BYTES,
      oversizedReason('{bytes}', limits.maxBodyBytes ?? 0),
    ];
    const reply = (await this.run('fetch', keys, args)) as (string | number | (string | number)[])[];
    const refusedPairs = reply[2] as (string | number)[];
    const refused: NonNullable<FetchResult['refused']> = [];
    for (let at = 0; at + 1 < refusedPairs.length; at += 2) {
      refused.push({ messageId: String(refusedPairs[at]), bytes: Number(refusedPairs[at + 1]) });
    }
    const messages: FetchedMessage[] = [];
    for (let at = 3; at + 6 < reply.length; at += 7) {
      messages.push({
        ...decodeMessageMeta(String(reply[at + 6])),
        mid: String(reply[at]),
        token: String(reply[at + 1]),
        deliveryCount: Number(reply[at + 2]),
        priority: Number(reply[at + 3]),
        messageId: String(reply[at + 4]),
        body: String(reply[at + 5]),
      });
    }
    return { now: Number(reply[0]), nextWake: Number(reply[1]), messages, refused };
  }

  /** Resolves false when the delivery was stale (its lease had ended and the message moved on). */
  async ack(k: QueueKeys, mid: string, token: string): Promise<boolean> {
    return (await this.run('ack', [k.active, k.msg], [mid, token])) === 1;
  }

  /** `ack` with a result backend's record stored in the same script (neither when stale). */
  async ackWith(k: QueueKeys, mid: string, token: string, write: CompanionWrite): Promise<boolean> {
    const result = await this.run(
      'ack-write',
      [k.active, k.msg, write.key],
      [mid, token, ...companionArgs(write)],
    );
    return result === 1;
  }

  async requeue(k: QueueKeys, mid: string, token: string, options: RequeueOptions): Promise<boolean> {
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    const body = options.body === undefined ? ['0', ''] : ['1', options.body];
    const replacesMeta = options.headers !== undefined || options.properties !== undefined;
    const meta = replacesMeta ? ['1', encodeMessageMeta(options.headers, options.properties)] : ['0', ''];
    const keys = [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake];
    const args = [mid, token, delayMs, ...body, options.priority ?? '', ...meta];
    return (await this.run('requeue', keys, args)) === 1;
  }

  async deadLetter(
    k: QueueKeys,
    queue: string,
    d: { mid: string; token: string },
    reason: string,
    limit: number,
  ): Promise<boolean> {
    return (
      (await this.run('dead-letter', [k.active, k.msg, k.dead], [d.mid, d.token, reason, queue, limit])) === 1
    );
  }

  /** Hands unsettled deliveries back to the head of the queue; resolves with how many were. */
  async giveBack(k: QueueKeys, pairs: string[]): Promise<number> {
    return Number(await this.run('give-back', [k.ready, k.active, k.msg, k.wake], pairs));
  }

  /** Drops waiting messages and dead letters, a batch per script call so none runs long. */
  async purge(k: QueueKeys): Promise<void> {
    while (
      Number(
        await this.run('purge', [k.ready, k.delayed, k.msg, k.dead, k.wake, k.active, k.seq], [PURGE_BATCH]),
      ) > 0
    );
  }

  /** Extends leases; resolves with the mids whose lease was already lost. */
  async renew(k: QueueKeys, leaseMs: number, pairs: string[]): Promise<string[]> {
    return (await this.run('renew', [k.active, k.msg], [leaseMs, ...pairs])) as string[];
  }

  async size(k: QueueKeys): Promise<number> {
    return Number(await this.run('size', [k.ready, k.delayed], []));
  }

  /** `[ready, delayed, active, dead]` counts. */
  async stats(k: QueueKeys): Promise<number[]> {
    return ((await this.run('stats', [k.ready, k.delayed, k.active, k.dead], [])) as number[]).map(Number);
  }

  /** Replays or drops the dead letters with these message ids (all when absent); resolves with how many. */
  async settleDeadLetters(
    k: QueueKeys,
    action: 'replay' | 'delete',
    messageIds: readonly string[] | undefined,
  ): Promise<number> {
    const keys = [k.ready, k.delayed, k.active, k.msg, k.seq, k.wake, k.dead];
    const selection = messageIds ? ['1', ...messageIds] : ['0'];
    return Number(await this.run('dead-letters', keys, [action, ...selection]));
  }

  async signal(k: QueueKeys): Promise<void> {
    await this.run('signal', [k.ready, k.wake], []);
  }

  private async run(name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await brokerScripts().run(this.client(), name, keys, args);
    } catch (error) {
      throw toBrokerError(error);
    }
  }
}

/**
 * Whether a batch's writes fit the batch script: either none, or on every message a write stored
 * only if absent, with one time to live and nothing to publish.
 */
export function batchable(messages: readonly BatchMessage[]): 'plain' | 'records' | undefined {
  const first = messages[0]?.write;
  if (!first) return messages.every((m) => !m.write) ? 'plain' : undefined;
  const fits = (w: CompanionWrite | undefined): boolean =>
    w !== undefined && w.onlyIfAbsent === true && w.publish.length === 0 && w.ttlMs === first.ttlMs;
  return messages.every((m) => fits(m.write)) ? 'records' : undefined;
}

/** A companion write's script arguments (see includes/companion.lua). */
function companionArgs(write: CompanionWrite): (string | number)[] {
  return [write.value, write.ttlMs, write.onlyIfAbsent ? '1' : '', ...write.publish.flat()];
}
