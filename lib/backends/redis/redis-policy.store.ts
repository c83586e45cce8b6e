import { randomUUID } from 'node:crypto';
import type { RateLimit } from '../../decorators/rate-limit.js';
import { findLuaDir, ScriptSet } from '../../redis/redis-scripts.js';
import type {
  DeliveryPolicyStore,
  ParkedTask,
  RateDecision,
  SlotDecision,
} from '../delivery-policy-store.interface.js';
import type { RedisCall } from './redis-workflow.store.js';

const FILES = [
  'rate-2.lua',
  'slot-acquire-3.lua',
  'slot-release-3.lua',
  'slot-renew-1.lua',
  'dedup-claim-1.lua',
  'dedup-settle-1.lua',
];

let scripts: ScriptSet | undefined;

function policyScripts(): ScriptSet {
  scripts ??= new ScriptSet(findLuaDir(import.meta.url), FILES);
  return scripts;
}

/**
 * Delivery-policy state in Redis, one Lua script per decision, measured on the Redis clock. A rate
 * limit is a sorted set of its recent starts plus a booking cursor; a concurrency limit is a sorted
 * set of holders by lease end, plus its parked tasks; each limit's keys share one hash tag, so every
 * script stays in one Redis Cluster slot. A deduplication key is a string holding the task id.
 */
export class RedisPolicyStore implements DeliveryPolicyStore {
  /** Tells apart the starts counted by different processes within the same millisecond. */
  private readonly origin = randomUUID().slice(0, 8);
  private sequence = 0;

  constructor(
    private readonly call: RedisCall,
    private readonly prefix: string,
    /** How long parked tasks are kept at most (the result TTL). */
    private readonly keepMs: number,
  ) {
    policyScripts();
  }

  async takeRate(key: string, limit: RateLimit, booked: boolean): Promise<RateDecision> {
    const tag = `{${this.prefix}:rate:${key}}`;
    const member = `${this.origin}:${++this.sequence}`;
    const waitMs = await this.run(
      'rate',
      [`${tag}:starts`, `${tag}:cursor`],
      [limit.tokens, limit.periodMs, booked ? '1' : '0', member],
    );
    return { waitMs: Number(waitMs) };
  }

  async acquireSlot(
    key: string,
    limit: number,
    holder: string,
    leaseMs: number,
    parked?: ParkedTask,
  ): Promise<SlotDecision> {
    const [outcome, retryMs] = (await this.run('slot-acquire', this.slotKeys(key), [
      limit,
      Math.ceil(leaseMs),
      holder,
      parked ? JSON.stringify(parked) : '',
      this.keepMs,
    ])) as [number, number];
    if (outcome === 1) return { kind: 'acquired' };
    return { kind: outcome === 0 ? 'held' : 'full', retryMs };
  }

  async renewSlots(key: string, holders: readonly string[], leaseMs: number): Promise<string[]> {
    if (holders.length === 0) return [];
    const [holdersKey] = this.slotKeys(key);
    return (await this.run('slot-renew', [holdersKey], [Math.ceil(leaseMs), ...holders])) as string[];
  }

  async releaseSlot(key: string, limit: number, holder: string): Promise<ParkedTask[]> {
    const out = (await this.run('slot-release', this.slotKeys(key), [limit, holder])) as string[];
    return out.map((json) => JSON.parse(json) as ParkedTask);
  }

  async claimDedup(key: string, taskId: string, holdMs: number): Promise<string | undefined> {
    const holder = await this.run(
      'dedup-claim',
      [this.dedupKey(key)],
      [taskId, Math.max(1, Math.ceil(holdMs))],
    );
    return typeof holder === 'string' ? holder : undefined;
  }

  async settleDedup(key: string, taskId: string, until: number): Promise<void> {
    await this.run('dedup-settle', [this.dedupKey(key)], [taskId, Math.ceil(until)]);
  }

  private run(name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.call((client) => policyScripts().run(client, name, keys, args));
  }

  private slotKeys(key: string): [string, string, string] {
    const tag = `{${this.prefix}:slots:${key}}`;
    return [`${tag}:holders`, `${tag}:waiting`, `${tag}:parked`];
  }

  private dedupKey(key: string): string {
    return `${this.prefix}:dedup:${key}`;
  }
}
