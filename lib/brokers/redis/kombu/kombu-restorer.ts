import type { RedisClient } from '../../../redis/redis-connection.js';
import { KOMBU_SEP, kombuBindingKey, stepIndexOf, type KombuKeys } from './kombu-keys.js';
import { restoredPayload, type KombuPayload } from './kombu-payload.js';
import type { KombuScripts } from './kombu-scripts.js';
import type { CeleriacLogger } from '../../../logging/celeriac-logger.js';

/** What a restore needs from its transport. */
export interface RestoreHost {
  readonly logger: CeleriacLogger;
  readonly commandClient: RedisClient;
  readonly scripts: KombuScripts;
  readonly globalPrefix: string;
  readonly visibilityTimeoutMs: number;
  readonly batchLimit: number;
  readonly deadLetterLimit: number;
  keysOf(queue: string): KombuKeys;
}

/**
 * kombu's visibility-timeout restore: unacked entries older than the timeout (their consumer died,
 * or a held message fell due) go back to the head of the queue their exchange and routing key are
 * bound to, as kombu's `restore_visible` does, for every queue of the namespace. Each entry moves
 * in one script that first checks it is unchanged and still visible, so a Celery worker restoring
 * at the same time, or a consumer renewing it, wins cleanly and nothing is restored twice.
 */
export class KombuRestorer {
  constructor(private readonly host: RestoreHost) {}

  /** Resolves with how many entries were restored or, unreadable, dead-lettered. */
  async restoreDue(consumerQueue: string): Promise<number> {
    const { scripts, visibilityTimeoutMs, batchLimit } = this.host;
    const due = await scripts.due(this.host.keysOf(consumerQueue), visibilityTimeoutMs, batchLimit);
    let settled = 0;
    for (const { tag, token, entry } of due.entries) {
      if (await this.restore(consumerQueue, due.ceil, tag, token, entry)) settled++;
    }
    return settled;
  }

  private async restore(
    consumerQueue: string,
    ceil: string,
    tag: string,
    token: string,
    entry: string,
  ): Promise<boolean> {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') return this.deadLetter(consumerQueue, tag, token, entry, parsed);
    const [payload, exchange, routingKey] = parsed;
    const queues = await this.lookup(exchange, routingKey);
    if (queues.length === 0) {
      const why = `no queue is bound to exchange "${exchange}" with routing key "${routingKey}"`;
      return this.deadLetter(routingKey || consumerQueue, tag, token, entry, why);
    }
    const next = JSON.stringify(restoredPayload(payload));
    const step = stepIndexOf(
      typeof payload.properties.priority === 'number' ? payload.properties.priority : 0,
    );
    const [first, ...others] = queues.map((queue) => this.host.keysOf(queue).lists[step]);
    const moved = await this.host.scripts.move(
      this.host.keysOf(queues[0]),
      first,
      tag,
      token,
      next,
      'head',
      ceil,
    );
    // A binding to several queues (kombu fans a restore out to each): the others get a copy.
    if (moved) for (const list of others) await this.host.commandClient.rpush(list, next);
    return moved;
  }

  /** kombu's routing of a restore: the anonymous exchange by routing key, others by their bindings. */
  private async lookup(exchange: string, routingKey: string): Promise<string[]> {
    if (exchange === '') return routingKey === '' ? [] : [routingKey];
    const members = await this.host.commandClient.smembers(kombuBindingKey(this.host.globalPrefix, exchange));
    const queues = new Set<string>();
    for (const member of members) {
      const [key, , queue] = member.split(KOMBU_SEP);
      if (key === routingKey && queue) queues.add(queue);
    }
    return [...queues];
  }

  private async deadLetter(
    queue: string,
    tag: string,
    token: string,
    entry: string,
    why: string,
  ): Promise<boolean> {
    const reason = `unacked entry ${tag} could not be restored: ${why}`;
    this.host.logger.error(`queue "${queue}": ${reason}; dead-lettered`);
    const record = JSON.stringify({
      messageId: tag,
      queue,
      body: entry,
      reason,
      at: Date.now(),
      priority: 0,
    });
    return this.host.scripts.deadLetter(
      this.host.keysOf(queue),
      tag,
      token,
      record,
      this.host.deadLetterLimit,
    );
  }
}

/** `[payload, exchange, routing key]`, or why the entry is not one. */
function parseEntry(entry: string): [KombuPayload, string, string] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry);
  } catch {
    return 'not JSON';
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return 'not [payload, exchange, routing key]';
  const [payload, exchange, routingKey] = parsed as unknown[];
  const properties = (payload as { properties?: unknown } | null)?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties))
    return 'its message has no properties';
  if (typeof exchange !== 'string' || typeof routingKey !== 'string')
    return 'exchange and routing key are not strings';
  return [payload as KombuPayload, exchange, routingKey];
}
