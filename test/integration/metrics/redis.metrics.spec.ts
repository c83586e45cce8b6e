import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { describeMetricsCases } from './metrics.cases.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeMetricsCases('Prometheus metrics on Redis: /metrics after real tasks', {
  broker: REDIS_URL,
  backend: REDIS_URL,
  reportsInFlight: true,
  cleanup: (prefix) => deleteRedisKeys(prefix, REDIS_URL),
});
