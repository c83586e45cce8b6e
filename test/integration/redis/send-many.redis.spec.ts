import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { describeSendMany } from '../../support/send-many.cases.js';
import { REDIS_URL } from './support/redis-env.js';

describeSendMany(
  'Redis (broker and results on one server)',
  () => ({
    broker: REDIS_URL,
    brokerOptions: { checkConfig: false },
    backendOptions: { checkConfig: false },
  }),
  deleteRedisKeys,
);
