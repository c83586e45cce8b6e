import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { deleteKeys, inspector } from '../redis/support/redis-env.js';
import { describeControlPlane } from './control-plane.cases.js';

describeControlPlane('RabbitMQ with Redis results', AMQP_URL, async (prefix) => {
  await deleteByPrefix(prefix);
  const redis = inspector();
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
});
