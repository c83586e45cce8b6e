import { describeDeliveryPolicies } from '../../support/delivery-policy.cases.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';

describeDeliveryPolicies({
  name: 'RabbitMQ with Redis results',
  options: { broker: AMQP_URL, backend: REDIS_URL, backendOptions: { checkConfig: false } },
  async cleanup(prefix) {
    const client = inspector();
    try {
      await deleteKeys(client, prefix);
    } finally {
      client.disconnect();
    }
    await deleteByPrefix(prefix);
  },
});
