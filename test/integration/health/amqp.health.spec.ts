import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { describeHealthCases } from './health.cases.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeHealthCases(
  'health checks on RabbitMQ (through a relay of its own, cut and restored; results in Redis)',
  async () => {
    const target = new URL(AMQP_URL);
    const proxy = await TcpProxy.start(Number(target.port || 5672), target.hostname);
    const broker = new URL(AMQP_URL);
    broker.port = String(proxy.port);
    return {
      broker: broker.toString(),
      backend: REDIS_URL,
      brokerKind: 'amqp',
      backendFollowsBroker: false,
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      stop: async (prefix) => {
        await proxy.stop();
        await deleteByPrefix(prefix);
        await deleteRedisKeys(prefix, REDIS_URL);
      },
    };
  },
);
