import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { describeMetricsCases } from './metrics.cases.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeMetricsCases('Prometheus metrics on RabbitMQ (results in Redis): /metrics after real tasks', {
  broker: AMQP_URL,
  backend: REDIS_URL,
  reportsInFlight: false,
  cleanup: async (prefix) => {
    await deleteByPrefix(prefix);
    await deleteRedisKeys(prefix, REDIS_URL);
  },
});
