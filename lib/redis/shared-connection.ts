import type { RedisExtraOptions } from './redis-options.js';
import { connectClient, createRedisClient, type RedisClient } from './redis-connection.js';
import { preloadScripts } from './redis-scripts.js';

interface Shared {
  client: RedisClient;
  users: number;
  connected: Promise<void>;
}

const shared = new Map<string, Shared>();
let unshareable = 0;

/** A command connection held by one user; `release` closes it when its last user lets go. */
export interface CommandConnection {
  client: RedisClient;
  release(): Promise<void>;
}

/**
 * The process's auto-pipelined command connection for a URL and settings: a broker and a result
 * backend on the same Redis (and every other user) share one, so their commands are pipelined
 * together. Settings that cannot be compared (functions, e.g. a custom retry strategy) get a
 * connection of their own.
 */
export async function acquireCommandConnection(
  url: string,
  extra: RedisExtraOptions,
): Promise<CommandConnection> {
  const key = sharingKey(url, extra);
  let entry = shared.get(key);
  if (!entry) {
    const client = createRedisClient(url, extra, 'command');
    const created: Shared = { client, users: 0, connected: connectAndPreload(client) };
    entry = created;
    shared.set(key, created);
    void created.connected.catch(() => shared.get(key) === created && shared.delete(key));
  }
  entry.users++;
  const held = entry;
  try {
    await held.connected;
  } catch (error) {
    held.users--;
    throw error;
  }
  let released = false;
  return {
    client: held.client,
    release: async () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (shared.get(key) === held) shared.delete(key);
      await held.client.quit().catch(() => held.client.disconnect());
    },
  };
}

/** Connects, then caches the scripts before anyone sends a command; again after each reconnection. */
async function connectAndPreload(client: RedisClient): Promise<void> {
  await connectClient(client);
  await preloadScripts(client).catch(() => undefined);
  client.on('ready', () => void preloadScripts(client).catch(() => undefined));
}

function sharingKey(url: string, extra: RedisExtraOptions): string {
  const settings = {
    cluster: extra.cluster ?? false,
    clusterNodes: extra.clusterNodes ?? [],
    redisOptions: extra.redisOptions ?? {},
    clusterOptions: extra.clusterOptions ?? {},
  };
  try {
    const text = JSON.stringify(settings, (_key, value: unknown) => {
      if (typeof value === 'function') throw new TypeError('settings with functions are not compared');
      return value;
    });
    return `${url}\n${text}`;
  } catch {
    return `unshared:${++unshareable}`;
  }
}
