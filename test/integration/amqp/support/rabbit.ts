import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import type { AmqpBroker } from '../../../../lib/brokers/amqp/amqp.broker.js';
import { BrokerUnavailableError } from '../../../../lib/errors/broker-unavailable.error.js';
import { sleep, within } from '../../../conformance/conformance-helpers.js';

/** The local RabbitMQ the integration tests use. */
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

/**
 * `rabbitmqctl` on the shared node, for reading it (`list_queues`, `list_exchanges`). Faults
 * (`close_all_connections`, `stop_app`, …) go to a throw-away `RabbitNode` (test/support), never here.
 */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  return stdout;
}

/** Deletes every queue and exchange whose name starts with `prefix`, so tests leave nothing behind. */
export async function deleteByPrefix(prefix: string): Promise<void> {
  const [queues, exchanges] = await Promise.all([
    rabbitmqctl('list_queues', 'name', '--no-table-headers'),
    rabbitmqctl('list_exchanges', 'name', '--no-table-headers'),
  ]);
  const matching = (list: string) =>
    list
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => name.startsWith(prefix));
  const model = await connect(AMQP_URL);
  try {
    const channel = await model.createChannel();
    for (const name of matching(queues)) await channel.deleteQueue(name);
    for (const name of matching(exchanges)) await channel.deleteExchange(name);
    await channel.close();
  } finally {
    await model.close();
  }
}

/**
 * Publishes to `jobs` through a broker that is reconnecting by itself (to the same node, or to the
 * next one of a cluster): refusals with `BrokerUnavailableError` are tried again every 100 ms until
 * one is confirmed, within 30 s; any other error fails at once.
 */
export async function publishWhenBack(
  broker: AmqpBroker,
  body: string,
  messageId: string,
  what: string,
): Promise<void> {
  const attempt = async (): Promise<void> => {
    for (;;) {
      try {
        return await broker.publish('jobs', body, { messageId });
      } catch (error) {
        if (!(error instanceof BrokerUnavailableError)) throw error;
        await sleep(100);
      }
    }
  };
  await within(attempt(), what, 30_000);
}
