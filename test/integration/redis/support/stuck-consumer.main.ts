/**
 * A worker process for fault tests: it consumes one queue with a RedisBroker and never settles what
 * it receives, as if each task were still running, and reports every delivery on stdout as a JSON
 * line. The test kills it with SIGKILL. Settings come from the environment (see below).
 */
import { RedisBroker } from '../../../../lib/brokers/redis/redis.broker.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`stuck-consumer: ${name} is not set`);
  return value;
};

const broker = new RedisBroker({
  url: env('REDIS_URL'),
  prefix: env('PREFIX'),
  extra: { leaseMs: Number(env('LEASE_MS')), checkConfig: false },
});
await broker.connect();
await broker.consume(
  env('QUEUE'),
  (delivery) => {
    const { messageId, body, deliveryCount } = delivery;
    process.stdout.write(
      `${JSON.stringify({ event: 'delivered', messageId, body, deliveryCount, pid: process.pid })}\n`,
    );
  },
  { prefetch: 1 },
);
process.stdout.write(`${JSON.stringify({ event: 'consuming', pid: process.pid })}\n`);
