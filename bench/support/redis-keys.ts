import { Redis } from 'ioredis';

/** Deletes every key of a namespace (`<prefix>:…` and hash-tagged `{<prefix>:…}…`) through `client`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  for (const pattern of [`{${prefix}:*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

/** The same, on a connection of its own to `url`. */
export async function deleteRedisKeys(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(url);
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
