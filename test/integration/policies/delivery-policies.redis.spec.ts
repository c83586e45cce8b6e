import { describeDeliveryPolicies } from '../../support/delivery-policy.cases.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';

async function cleanup(prefix: string): Promise<void> {
  const client = inspector();
  try {
    await deleteKeys(client, prefix);
  } finally {
    client.disconnect();
  }
}

describeDeliveryPolicies({
  name: 'Redis',
  options: {
    broker: REDIS_URL,
    brokerOptions: { checkConfig: false },
    backendOptions: { checkConfig: false },
  },
  cleanup,
});
