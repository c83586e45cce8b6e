import { randomUUID } from 'node:crypto';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { describePolicyStoreConformance } from '../../conformance/policy-store.conformance.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';
import { sleep } from './support/wait.js';

describePolicyStoreConformance('redis', async () => {
  const prefix = `test-${randomUUID()}`;
  const backend = new RedisBackend({ url: REDIS_URL, prefix, extra: { checkConfig: false } });
  await backend.connect();
  return {
    store: backend.policies,
    // Windows and leases are measured on the Redis clock: time has to pass for real.
    pass: (ms: number) => sleep(ms),
    now: () => Date.now(),
    close: async () => {
      await backend.close();
      const client = inspector();
      await deleteKeys(client, prefix);
      client.disconnect();
    },
  };
});
