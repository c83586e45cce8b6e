import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { AmqpBroker } from '../../../lib/brokers/amqp/amqp.broker.js';
import { eventually, Inbox, within } from '../../conformance/conformance-helpers.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { AMQP_URL, deleteByPrefix, publishWhenBack } from './support/rabbit.js';

const PREFIX_ROOT = 'celeriac-amqp-failover-';

/**
 * `brokerOptions.urls`: the nodes of a cluster, dialled round-robin. Each "node" here is a relay of
 * its own in front of the shared RabbitMQ, so a test can take one away (its connections cut, new
 * ones refused) without touching the server.
 */
describe('AmqpBroker with several node URLs (brokerOptions.urls)', () => {
  let prefix: string;
  const closing: (() => Promise<unknown>)[] = [];

  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
  });
  afterEach(async () => {
    // Brokers before the relays they talk through.
    for (const close of closing.splice(0).reverse()) await close().catch(() => undefined);
  });
  afterAll(async () => {
    await deleteByPrefix(PREFIX_ROOT);
  });

  async function relay(): Promise<TcpProxy> {
    const target = new URL(AMQP_URL);
    const proxy = await TcpProxy.start(Number(target.port || 5672), target.hostname);
    closing.push(() => proxy.stop());
    return proxy;
  }

  function open(url: string, urls: string[], logger?: CapturedLogs): AmqpBroker {
    const broker = new AmqpBroker({ url, prefix, logger, extra: { urls, reconnectMaxDelayMs: 500 } });
    closing.push(() => broker.close());
    return broker;
  }

  it('starts on the next node when the first does not answer', async () => {
    const second = await relay();
    const broker = open(urlOn(await closedPort()), [urlOn(second.port)]);
    await broker.connect();
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 5 });
    await broker.publish('jobs', 'hello', { messageId: 'm-1' });
    expect((await inbox.waitFor(1)).map((d) => d.body)).toEqual(['hello']);
  });

  it('follows the cluster to the next node when its node goes away, and says which node it reached', async () => {
    const [first, second] = [await relay(), await relay()];
    const lines = new CapturedLogs();
    const broker = open(urlOn(first.port), [urlOn(second.port)], lines);
    await broker.connect();
    const inbox = Inbox.acking();
    await broker.consume('jobs', inbox.handler(), { prefetch: 5 });
    await broker.publish('jobs', 'before', { messageId: 'm-1' });
    await inbox.waitFor(1);

    await first.cut(); // connections dropped, new ones refused: the node is gone
    await publishWhenBack(broker, 'after', 'm-2', 'the producer to reach the second node');
    await eventually('the message sent through the second node', () =>
      Promise.resolve(inbox.bodies.includes('after') ? true : undefined),
    );
    // "before" may come once more: its ack can be in flight when the node goes away, and RabbitMQ
    // then returns it (at least once). Nothing else arrives, nothing is missing.
    expect(inbox.bodies[0]).toBe('before');
    expect([...new Set(inbox.bodies)].sort()).toEqual(['after', 'before']);
    expect(inbox.bodies.length).toBeLessThanOrEqual(3);
    const cluster = `RabbitMQ at 127.0.0.1:${first.port}, 127.0.0.1:${second.port}`;
    const warnings = lines.at('warn').map((line) => line.message);
    expect(warnings.filter((line) => line.startsWith(`${cluster} is unreachable`))).toHaveLength(1);
    const back = await within(lines.next('log', /is reachable again/), 'the outage to end');
    expect(back.message).toContain(`${cluster} is reachable again at 127.0.0.1:${second.port} (after`);
  }, 60_000);

  it('closes when its node goes away at the same moment (the close-ok never comes)', async () => {
    const node = await relay();
    const broker = new AmqpBroker({ url: urlOn(node.port), prefix, extra: { reconnectMaxDelayMs: 500 } });
    await broker.connect();
    await broker.consume('jobs', Inbox.acking().handler(), { prefetch: 5 });
    await broker.publish('jobs', 'x', { messageId: 'm-1' });
    // Before, this close waited for ever on a channel's close-ok that died with the socket.
    await within(Promise.all([node.cut(), broker.close()]), 'the broker to close', 20_000);
  }, 30_000);
});

function urlOn(port: number): string {
  const url = new URL(AMQP_URL);
  url.port = String(port);
  return url.toString();
}

/** A loopback port nobody listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
