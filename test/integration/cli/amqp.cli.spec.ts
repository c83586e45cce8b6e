import { jest } from '@jest/globals';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { randomPrefix } from './support/cli-rig.js';
import { describeCliCases } from './support/cli.cases.js';

// Each case spawns the binary several times, and a loaded machine takes seconds per spawn.
jest.setTimeout(120_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = randomPrefix('amqp');

describeCliCases('celeriac CLI on RabbitMQ, results in Redis (two worker processes)', {
  cluster: { broker: AMQP_URL, backend: REDIS_URL, prefix },
  downBrokerUrl: 'amqp://guest:guest@127.0.0.1:1',
  cleanup: async () => {
    await deleteByPrefix(prefix);
    await deleteRedisKeys(prefix, REDIS_URL);
  },
});
