import { RedisServer } from '../redis/support/redis-server.js';
import { describeHealthCases } from './health.cases.js';

describeHealthCases('health checks on Redis (a server of its own, killed and started again)', async () => {
  const redis = await RedisServer.start();
  return {
    broker: redis.url,
    backend: redis.url,
    brokerKind: 'redis',
    backendFollowsBroker: true,
    cut: () => redis.kill(),
    restore: () => redis.start(),
    stop: () => redis.stop(),
  };
});
