import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { describeWorkflows } from '../../support/workflow.cases.js';
import { deleteByPrefix } from '../amqp/support/rabbit.js';

describeWorkflows(
  'RabbitMQ with results in Redis',
  () => ({ broker: 'amqp://guest:guest@127.0.0.1:5672', backend: 'redis://127.0.0.1:6379' }),
  async (prefix) => {
    await deleteByPrefix(prefix);
    await deleteRedisKeys(prefix);
  },
);
