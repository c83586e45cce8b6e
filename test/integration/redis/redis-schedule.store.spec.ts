import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { describeScheduleStoreConformance } from '../../conformance/schedule-store.conformance.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';

// The suite picks a prefix per test; they are remembered so their keys can be removed after.
const prefixes = new Set<string>();

describeScheduleStoreConformance('redis', (prefix) => {
  prefixes.add(prefix);
  return new RedisBackend({ url: REDIS_URL, prefix, extra: { checkConfig: false } });
});

afterAll(async () => {
  const client = inspector();
  try {
    for (const prefix of prefixes) await deleteKeys(client, prefix);
  } finally {
    client.disconnect();
  }
});
