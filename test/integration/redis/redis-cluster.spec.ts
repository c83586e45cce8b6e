import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { CeleriacModule, CeleriacRuntime, TaskClient, TaskState } from '../../../lib/index.js';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { describeBackendConformance } from '../../conformance/backend.conformance.js';
import { describeBrokerConformance } from '../../conformance/broker.conformance.js';
import { describeControlPlaneConformance } from '../../conformance/control-plane.conformance.js';
import { createControlPlane } from '../../../lib/control/control-plane.js';
import { Inbox } from '../../conformance/conformance-helpers.js';
import { RedisCluster } from './support/redis-cluster.js';
import { describeSendMany } from '../../support/send-many.cases.js';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await RedisCluster.start(3);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const clusterExtra = (): Record<string, unknown> => ({ cluster: true, clusterNodes: cluster.nodes });

describeBrokerConformance(
  'redis cluster',
  (prefix) => new RedisBroker({ url: cluster.url, prefix, extra: clusterExtra() }),
);

describeBackendConformance(
  'redis cluster',
  (prefix) => new RedisBackend({ url: cluster.url, prefix, extra: clusterExtra() }),
);

describeControlPlaneConformance('redis cluster', (prefix) =>
  createControlPlane({ url: cluster.url, prefix, extra: clusterExtra() }),
);

describeSendMany('Redis Cluster (broker and results)', () => {
  const extra = { ...clusterExtra(), checkConfig: false };
  return { broker: cluster.url, brokerOptions: extra, backendOptions: extra };
});

describe('the send path on a cluster', () => {
  it('writes PENDING records apart from the messages (their keys are in other slots), and both land', async () => {
    const extra = { ...clusterExtra(), checkConfig: false };
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker: cluster.url,
          prefix: `celeriac-test-${randomUUID()}`,
          producerOnly: true,
          logger: false,
          queues: { default: {} },
          brokerOptions: extra,
          backendOptions: extra,
          unconsumedQueueWarning: false,
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const { broker } = app.get(CeleriacRuntime);
      const together = jest.spyOn(
        broker as { publishWith: NonNullable<typeof broker.publishWith> },
        'publishWith',
      );
      const client = app.get(TaskClient);
      const single = await client.sendByName('Remote.run', [1]);
      const batch = await client.sendManyByName('Remote.run', [[2], [3]]);
      expect(together).not.toHaveBeenCalled();
      for (const handle of [single, ...batch]) expect(await handle.state()).toBe(TaskState.PENDING);
      expect(await broker.size('default')).toBe(3);
    } finally {
      await app.close();
    }
  });
});

describe('Redis broker on a cluster', () => {
  it('keeps every key of a queue in one slot, and spreads queues over slots', async () => {
    const prefix = `celeriac-test-${randomUUID()}`;
    const broker = new RedisBroker({ url: cluster.url, prefix, extra: clusterExtra() });
    const admin = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
    );
    await broker.connect();
    try {
      const queues = Array.from({ length: 12 }, (_, i) => `q${i}`);
      for (const queue of queues) {
        await broker.publish(queue, 'now');
        await broker.publish(queue, 'later', { delayMs: 60_000 });
        const inbox = new Inbox((d) => d.deadLetter('kept to check its key'));
        const consumer = await broker.consume(queue, inbox.handler(), { prefetch: 1 });
        await inbox.waitFor(1);
        await inbox.settled();
        await consumer.cancel();
      }
      const slotsByQueue = new Map<string, Set<number>>();
      for (const node of admin.nodes('master')) {
        for (const key of await node.keys(`{${prefix}:*`)) {
          const queue = /^\{[^:]+(?::[^:}]+)*:(q\d+)\}/.exec(key)![1];
          const slot = await node.cluster('KEYSLOT', key);
          slotsByQueue.set(queue, (slotsByQueue.get(queue) ?? new Set()).add(slot));
        }
      }
      expect([...slotsByQueue.keys()].sort()).toEqual([...queues].sort());
      for (const slots of slotsByQueue.values()) expect(slots.size).toBe(1);
      const distinctSlots = new Set([...slotsByQueue.values()].map((slots) => [...slots][0]));
      expect(distinctSlots.size).toBeGreaterThan(1);
      for (const queue of queues) await broker.purge(queue);
    } finally {
      await broker.close();
      admin.disconnect();
    }
  });
});
