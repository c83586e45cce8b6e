import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Broker } from '../../../lib/brokers/broker.interface.js';
import { DeliverySettledError } from '../../../lib/errors/delivery-settled.error.js';
import { MemoryBroker } from '../../../lib/brokers/memory/memory.broker.js';
import { MemoryStore } from '../../../lib/brokers/memory/memory-store.js';
import { createBroker } from '../../../lib/brokers/create-broker.js';
import { describeBrokerConformance } from '../../conformance/broker.conformance.js';
import { Inbox, sleep } from '../../conformance/conformance-helpers.js';

describeBrokerConformance('memory', (prefix) => new MemoryBroker({ url: 'memory://', prefix }));

describe('MemoryBroker', () => {
  const opened: Broker[] = [];
  let prefix: string;

  beforeEach(() => {
    prefix = `memory-spec-${randomUUID()}`;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((broker) => broker.close()));
  });

  async function open(withPrefix = prefix): Promise<MemoryBroker> {
    const broker = new MemoryBroker({ url: 'memory://', prefix: withPrefix });
    opened.push(broker);
    await broker.connect();
    return broker;
  }

  it('is what createBroker returns for memory://', async () => {
    const broker = await createBroker({ url: 'memory://', prefix });
    opened.push(broker);
    expect(broker).toBeInstanceOf(MemoryBroker);
    expect(broker.kind).toBe('memory');
  });

  it('lets an API client and a worker client of one prefix exchange messages', async () => {
    const [api, worker] = [await open(), await open()];
    const inbox = Inbox.acking();
    await worker.consume('reports', inbox.handler(), { prefetch: 1 });
    await api.publish('reports', 'render 42');
    await inbox.waitFor(1);
    expect(inbox.bodies).toEqual(['render 42']);
    expect(await api.size('reports')).toBe(0);
  });

  it('isolates prefixes', async () => {
    const [mine, theirs] = [await open(), await open(`memory-spec-${randomUUID()}`)];
    await mine.publish('shared-name', 'mine');
    expect(await mine.size('shared-name')).toBe(1);
    expect(await theirs.size('shared-name')).toBe(0);
  });

  it('keeps messages while no client is connected, like a server', async () => {
    const producer = await open();
    await producer.publish('jobs', 'kept');
    await producer.close();
    expect(MemoryStore.find(prefix)?.clientCount).toBe(0);

    const later = await open();
    expect(await later.size('jobs')).toBe(1);
  });

  it('forgets a namespace with nothing in it once its last client closes', async () => {
    const broker = await open();
    await broker.publish('jobs', 'x');
    await broker.purge('jobs');
    await broker.close();
    expect(MemoryStore.find(prefix)).toBeUndefined();
  });

  it('clamps priorities into 0–9', async () => {
    const broker = await open();
    await broker.publish('q', 'low', { priority: -5 });
    await broker.publish('q', 'high', { priority: 42 });
    await broker.publish('q', 'nan', { priority: Number.NaN });
    const inbox = Inbox.acking();
    await broker.consume('q', inbox.handler(), { prefetch: 1 });
    const deliveries = await inbox.waitFor(3);
    expect(deliveries.map((d) => [d.body, d.priority])).toEqual([
      ['high', 9],
      ['low', 0],
      ['nan', 0],
    ]);
  });

  it('refuses a second settlement with DeliverySettledError and keeps the first', async () => {
    const broker = await open();
    await broker.publish('q', 'once');
    const inbox = new Inbox();
    await broker.consume('q', inbox.handler(), { prefetch: 1 });
    const [delivery] = await inbox.waitFor(1);
    await delivery.ack();
    await expect(delivery.requeue()).rejects.toBeInstanceOf(DeliverySettledError);
    await expect(delivery.deadLetter('late')).rejects.toThrow(/already acknowledged/);
    expect(await broker.size('q')).toBe(0);
    expect(await broker.deadLetters('q')).toEqual([]);
  });

  it('refuses to settle a delivery its closed client already handed back', async () => {
    const broker = await open();
    await broker.publish('q', 'held');
    const inbox = new Inbox();
    await broker.consume('q', inbox.handler(), { prefetch: 1 });
    const [delivery] = await inbox.waitFor(1);
    await broker.close();
    await expect(delivery.ack()).rejects.toThrow(/handed back/);
    const other = await open();
    expect(await other.size('q')).toBe(1);
  });

  it('hands back several unsettled deliveries in their original order', async () => {
    const first = await open();
    for (const body of ['a', 'b', 'c', 'd']) await first.publish('q', body);
    const held = new Inbox();
    await first.consume('q', held.handler(), { prefetch: 3 });
    await held.waitFor(3);
    await first.close();

    const second = await open();
    const inbox = Inbox.acking();
    await second.consume('q', inbox.handler(), { prefetch: 1 });
    const deliveries = await inbox.waitFor(4);
    expect(deliveries.map((d) => [d.body, d.deliveryCount])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 2],
      ['d', 1],
    ]);
  });

  it('releases delayed messages in due order on one timer, re-armed for an earlier arrival', async () => {
    const broker = await open();
    const inbox = Inbox.acking();
    await broker.consume('q', inbox.handler(), { prefetch: 10 });
    await broker.publish('q', 'third', { delayMs: 400 });
    await broker.publish('q', 'first', { delayMs: 100 });
    await broker.publish('q', 'second', { delayMs: 250 });
    expect(MemoryStore.find(prefix)?.armedTimerCount).toBe(1);
    await inbox.waitFor(3);
    expect(inbox.bodies).toEqual(['first', 'second', 'third']);
    expect(MemoryStore.find(prefix)?.armedTimerCount).toBe(0);
  });

  it('leaves no timer running once the last client closes, and resumes delays on reconnect', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const producer = await open();
    await producer.publish('q', 'later', { delayMs: 200 });
    expect(timers()).toBe(baseline + 1);
    await producer.close();
    expect(timers()).toBe(baseline);
    expect(MemoryStore.find(prefix)?.armedTimerCount).toBe(0);

    await sleep(250);
    const consumer = await open();
    const inbox = Inbox.acking();
    await consumer.consume('q', inbox.handler(), { prefetch: 1 });
    await inbox.waitFor(1);
    expect(inbox.bodies).toEqual(['later']);
  });

  it('keeps a delivery unsettled when the handler throws, and warns', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const broker = await open();
      await broker.publish('q', 'boom');
      let thrown = 0;
      await broker.consume(
        'q',
        () => {
          thrown++;
          throw new Error('handler bug');
        },
        { prefetch: 1 },
      );
      await broker.publish('q', 'second');
      await sleep(50);
      expect(thrown).toBe(1);
      expect(await broker.size('q')).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('handler bug'));
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects a prefetch below 1', async () => {
    const broker = await open();
    await expect(broker.consume('q', () => undefined, { prefetch: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('rejects every operation after close', async () => {
    const broker = await open();
    await broker.close();
    await expect(broker.connect()).rejects.toThrow(/unavailable/);
    await expect(broker.consume('q', () => undefined, { prefetch: 1 })).rejects.toThrow(/unavailable/);
    await expect(broker.size('q')).rejects.toThrow(/unavailable/);
  });

  it('delivers many messages to several consumers with no loss or duplicate', async () => {
    const [a, b] = [await open(), await open()];
    const inbox = Inbox.acking();
    await a.consume('bulk', inbox.handler('a'), { prefetch: 8 });
    await b.consume('bulk', inbox.handler('b'), { prefetch: 8 });
    const count = 20_000;
    await Promise.all(
      Array.from({ length: count }, (_, i) => a.publish('bulk', String(i), { priority: i % 10 })),
    );
    await inbox.waitFor(count);
    await inbox.settled();
    expect(new Set(inbox.bodies).size).toBe(count);
    expect(await a.size('bulk')).toBe(0);
  });
});
