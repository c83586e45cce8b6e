import type { ChainableCommander } from 'ioredis';
import { findLuaDir, ScriptSet } from '../../redis/redis-scripts.js';
import type { ScheduleDefinition } from '../../scheduler/schedule-definition.js';
import type { Unsubscribe } from '../result-backend.interface.js';
import {
  MAX_PENDING_FIRES,
  type ClaimOutcome,
  type ClaimRequest,
  type ScheduleChange,
  type ScheduleStore,
  type StoredSchedule,
} from '../schedule-store.interface.js';
import type { RedisCall } from './redis-workflow.store.js';

/** Subscribes a listener to a channel through the backend's shared subscriber connection. */
export type RedisSubscribe = (channel: string, listener: (message: string) => void) => Promise<Unsubscribe>;

let scripts: ScriptSet | undefined;

function scheduleScripts(): ScriptSet {
  scripts ??= new ScriptSet(findLuaDir(import.meta.url), [
    'schedule-put-2.lua',
    'schedule-remove-2.lua',
    'schedule-pause-1.lua',
    'schedule-claim-1.lua',
    'schedule-confirm-1.lua',
  ]);
  return scripts;
}

type StoredState = Omit<StoredSchedule, 'definition'>;

/**
 * Schedules in Redis: two hashes under the hash tag `{<prefix>:schedules}` (definitions, kept as the
 * JSON the application wrote, and states, which the scripts update), so every script stays in one
 * Redis Cluster slot. Each change is one script that also publishes it on `<prefix>:schedules`,
 * where every node's watcher hears it; nothing is polled.
 */
export class RedisScheduleStore implements ScheduleStore {
  private readonly specsKey: string;
  private readonly statesKey: string;
  private readonly channel: string;
  private readonly resyncListeners = new Set<() => void>();

  constructor(
    private readonly call: RedisCall,
    private readonly subscribe: RedisSubscribe,
    prefix: string,
  ) {
    scheduleScripts(); // read before the connection preloads what this process knows
    const tag = `{${prefix}:schedules}`;
    this.specsKey = `${tag}:specs`;
    this.statesKey = `${tag}:states`;
    this.channel = `${prefix}:schedules`;
  }

  async put(definition: ScheduleDefinition, digest: string, now: number): Promise<{ changed: boolean }> {
    const stored = await this.run(
      'schedule-put',
      [this.specsKey, this.statesKey],
      [definition.id, JSON.stringify(definition), digest, now, this.channel],
    );
    return { changed: stored === 1 };
  }

  async remove(id: string): Promise<boolean> {
    return (await this.run('schedule-remove', [this.specsKey, this.statesKey], [id, this.channel])) === 1;
  }

  async setPaused(id: string, paused: boolean, now: number): Promise<boolean> {
    const args = [id, paused ? '1' : '0', now, this.channel];
    return (await this.run('schedule-pause', [this.statesKey], args)) === 1;
  }

  async get(id: string): Promise<StoredSchedule | undefined> {
    // One transaction, so the definition and the state read belong to the same version.
    const [definition, state] = (await this.transaction((multi) =>
      multi.hget(this.specsKey, id).hget(this.statesKey, id),
    )) as [string | null, string | null];
    return definition === null || state === null ? undefined : parseSchedule(definition, state);
  }

  async all(): Promise<StoredSchedule[]> {
    const [definitions, states] = (await this.transaction((multi) =>
      multi.hgetall(this.specsKey).hgetall(this.statesKey),
    )) as [Record<string, string>, Record<string, string>];
    return Object.entries(definitions)
      .filter(([id]) => states[id] !== undefined)
      .map(([id, definition]) => parseSchedule(definition, states[id]));
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { id, version, fireAt, taskId, node, leaseMs } = request;
    const raw = (await this.run(
      'schedule-claim',
      [this.statesKey],
      [id, version, fireAt, taskId, node, leaseMs, MAX_PENDING_FIRES],
    )) as string;
    const outcome = JSON.parse(raw) as ClaimOutcome;
    // Lua's JSON encoder writes an empty table as {}, not [].
    if (outcome.status === 'claimed' && !Array.isArray(outcome.orphans)) outcome.orphans = [];
    return outcome;
  }

  async confirm(id: string, fireAt: number, taskId: string): Promise<void> {
    await this.run('schedule-confirm', [this.statesKey], [id, fireAt, taskId, this.channel]);
  }

  async watch(listener: (change: ScheduleChange) => void, onResync: () => void): Promise<Unsubscribe> {
    const unsubscribe = await this.subscribe(this.channel, (message) =>
      listener(JSON.parse(message) as ScheduleChange),
    );
    this.resyncListeners.add(onResync);
    return async () => {
      this.resyncListeners.delete(onResync);
      await unsubscribe();
    };
  }

  /** Called by the backend after its subscriber reconnected: changes published meanwhile were lost. */
  resubscribed(channels: readonly string[]): void {
    if (!channels.includes(this.channel)) return;
    for (const onResync of [...this.resyncListeners]) onResync();
  }

  /** Runs the queued commands in MULTI/EXEC and returns their replies (an error reply throws). */
  private async transaction(queue: (multi: ChainableCommander) => ChainableCommander): Promise<unknown[]> {
    const replies = await this.call((client) => queue(client.multi()).exec());
    return (replies ?? []).map(([error, reply]) => {
      if (error) throw error;
      return reply;
    });
  }

  private run(name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.call((client) => scheduleScripts().run(client, name, keys, args));
  }
}

function parseSchedule(definition: string, state: string): StoredSchedule {
  const parsed = JSON.parse(state) as StoredState & { digest?: string };
  return {
    definition: JSON.parse(definition) as ScheduleDefinition,
    version: parsed.version,
    paused: parsed.paused,
    createdAt: parsed.createdAt,
    since: parsed.since,
    last: parsed.last,
    pending: Array.isArray(parsed.pending) ? parsed.pending : [],
  };
}
