import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { describeWorkflows } from '../../support/workflow.cases.js';

describeWorkflows(
  'Redis (broker and results)',
  () => ({ broker: 'redis://127.0.0.1:6379' }),
  deleteRedisKeys,
);
