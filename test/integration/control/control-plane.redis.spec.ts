import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { describeControlPlane } from './control-plane.cases.js';

describeControlPlane('Redis', REDIS_URL, async (prefix) => {
  const redis = inspector();
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
});
