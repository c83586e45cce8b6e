import { toBrokerError, type RedisClient } from '../../../redis/redis-connection.js';
import { DEAD_LETTER_BODY_PREFIX_BYTES } from '../../../celeriac.constants.js';
import { oversizedReason } from '../../oversized-message.js';
import { findLuaDir, ScriptSet } from '../../../redis/redis-scripts.js';
import type { KombuKeys } from './kombu-keys.js';

const FILES = [
  'kombu-fetch-7.lua',
  'kombu-ack-2.lua',
  'kombu-move-3.lua',
  'kombu-hold-2.lua',
  'kombu-delay-2.lua',
  'kombu-dead-letter-3.lua',
  'kombu-renew-2.lua',
  'kombu-due-2.lua',
  'kombu-stats-6.lua',
  'kombu-purge-7.lua',
  'kombu-dead-letters-5.lua',
];

let shared: ScriptSet | undefined;

/** The kombu layout's Lua scripts (beside the broker's own in `lua/`), read once per process. */
export function kombuScripts(): ScriptSet {
  shared ??= new ScriptSet(findLuaDir(import.meta.url, '../lua'), FILES);
  return shared;
}

/** One fetch: the server's clock, when the oldest unacked entry falls visible, the messages taken. */
export interface KombuFetch {
  now: number;
  /** Epoch ms (server clock); -1 when `unacked` is empty. */
  nextRestore: number;
  messages: { tag: string; token: string; raw: string }[];
  /** Elements the fetch dead-lettered unread for their size. */
  refused: { messageId: string; bytes: number }[];
}

/** The visible unacked entries and the score bound a restore re-checks. */
export interface KombuDue {
  ceil: string;
  entries: { tag: string; token: string; entry: string }[];
}

/** The operations of kombu-layout queues, one script each, on the broker's command connection. */
export class KombuScripts {
  constructor(private readonly client: () => RedisClient) {}

  async fetch(
    k: KombuKeys,
    queue: string,
    count: number,
    limits: { deadLetterLimit: number; visibilityTimeoutMs: number; maxBodyBytes?: number },
    popped?: string,
  ): Promise<KombuFetch> {
    const keys = [k.unacked, k.unackedIndex, k.dead, ...k.lists];
    const args = [count, queue, limits.deadLetterLimit, limits.visibilityTimeoutMs];
    const maxBodyBytes = limits.maxBodyBytes ?? 0;
    const reply = (await this.run('kombu-fetch', keys, [
      ...args,
      popped === undefined ? '0' : '1',
      popped ?? '',
      maxBodyBytes,
      DEAD_LETTER_BODY_PREFIX_BYTES,
      oversizedReason('{bytes}', maxBodyBytes),
    ])) as (string | number | (string | number)[])[];
    const pairs = reply[2] as (string | number)[];
    const refused: KombuFetch['refused'] = [];
    for (let at = 0; at + 1 < pairs.length; at += 2)
      refused.push({ messageId: String(pairs[at]), bytes: Number(pairs[at + 1]) });
    const messages: KombuFetch['messages'] = [];
    for (let at = 3; at + 2 < reply.length; at += 3)
      messages.push({ tag: String(reply[at]), token: String(reply[at + 1]), raw: String(reply[at + 2]) });
    return { now: Number(reply[0]), nextRestore: Number(reply[1]), messages, refused };
  }

  async ack(k: KombuKeys, tag: string, token: string): Promise<boolean> {
    return (await this.run('kombu-ack', [k.unacked, k.unackedIndex], [tag, token])) === 1;
  }

  /** Pushes `payload` to `list` in place of the unacked entry; `ceil` re-checks a restore's visibility. */
  async move(
    k: KombuKeys,
    list: string,
    tag: string,
    token: string,
    payload: string,
    end: 'head' | 'tail',
    ceil = '',
  ): Promise<boolean> {
    const keys = [k.unacked, k.unackedIndex, list];
    return (await this.run('kombu-move', keys, [tag, token, payload, end, ceil])) === 1;
  }

  async hold(k: KombuKeys, tag: string, token: string, entry: string, delayMs: number, vtMs: number) {
    const args = [tag, token, entry, delayMs, vtMs];
    return (await this.run('kombu-hold', [k.unacked, k.unackedIndex], args)) === 1;
  }

  async delay(k: KombuKeys, tag: string, entry: string, delayMs: number, vtMs: number): Promise<void> {
    await this.run('kombu-delay', [k.unacked, k.unackedIndex], [tag, entry, delayMs, vtMs]);
  }

  async deadLetter(k: KombuKeys, tag: string, token: string, record: string, limit: number) {
    const keys = [k.unacked, k.unackedIndex, k.dead];
    return (await this.run('kombu-dead-letter', keys, [tag, token, record, limit])) === 1;
  }

  /** Resolves with the tags whose delivery was already lost. */
  async renew(k: KombuKeys, pairs: string[]): Promise<string[]> {
    return (await this.run('kombu-renew', [k.unacked, k.unackedIndex], pairs)) as string[];
  }

  async due(k: KombuKeys, vtMs: number, limit: number): Promise<KombuDue> {
    const reply = (await this.run('kombu-due', [k.unacked, k.unackedIndex], [vtMs, limit])) as string[];
    const entries: KombuDue['entries'] = [];
    for (let at = 1; at + 2 < reply.length; at += 3)
      entries.push({ tag: reply[at], token: reply[at + 1], entry: reply[at + 2] });
    return { ceil: String(reply[0]), entries };
  }

  /** `[ready, held, inFlight, dead]`. */
  async stats(k: KombuKeys, queue: string): Promise<number[]> {
    const keys = [k.unacked, k.dead, ...k.lists];
    return ((await this.run('kombu-stats', keys, [queue])) as number[]).map(Number);
  }

  async purge(k: KombuKeys, queue: string): Promise<void> {
    await this.run('kombu-purge', [k.unacked, k.unackedIndex, k.dead, ...k.lists], [queue]);
  }

  /** `letters`: triples of record text, list number (1–4), new message. */
  async settleDeadLetters(k: KombuKeys, action: 'replay' | 'delete', letters: string[]): Promise<number> {
    return Number(await this.run('kombu-dead-letters', [k.dead, ...k.lists], [action, ...letters]));
  }

  private async run(name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await kombuScripts().run(this.client(), name, keys, args);
    } catch (error) {
      throw toBrokerError(error);
    }
  }
}
