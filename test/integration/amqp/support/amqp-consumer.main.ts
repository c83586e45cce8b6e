/**
 * A bare consumer process for the broker-level crash tests: consumes QUEUE under PREFIX with an
 * AmqpBroker (prefetch 1) and reports each delivery as a JSON line on stdout, without settling it,
 * as if the task were still running. With DIE_ON=<body> it SIGKILLs itself on receiving that body,
 * as a task that crashes its worker would.
 */
import { AmqpBroker } from '../../../../lib/brokers/amqp/amqp.broker.js';

const broker = new AmqpBroker({
  url: process.env.AMQP_URL!,
  prefix: process.env.PREFIX!,
  extra: { deliveryLimit: Number(process.env.DELIVERY_LIMIT ?? 20) },
});
await broker.connect();
await broker.consume(
  process.env.QUEUE!,
  (delivery) => {
    const { body, messageId, deliveryCount } = delivery;
    process.stdout.write(`${JSON.stringify({ event: 'delivery', body, messageId, deliveryCount })}\n`);
    if (body === process.env.DIE_ON) process.kill(process.pid, 'SIGKILL');
  },
  { prefetch: 1 },
);
process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid })}\n`);
