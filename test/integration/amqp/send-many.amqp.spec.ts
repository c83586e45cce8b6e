import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { describeSendMany } from '../../support/send-many.cases.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

describeSendMany(
  'RabbitMQ with results in Redis',
  () => ({ broker: AMQP_URL, backend: 'redis://127.0.0.1:6379', backendOptions: { checkConfig: false } }),
  async (prefix) => {
    await deleteByPrefix(prefix);
    await deleteRedisKeys(prefix);
  },
);
