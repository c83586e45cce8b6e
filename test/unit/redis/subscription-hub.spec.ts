import { EventEmitter } from 'node:events';
import { SubscriptionHub } from '../../../lib/redis/subscription-hub.js';
import type { RedisClient } from '../../../lib/redis/redis-connection.js';

/** Stands in for a subscriber connection: SUBSCRIBE / UNSUBSCRIBE answer after a tick. */
class FakeSubscriber extends EventEmitter {
  readonly live = new Set<string>();
  readonly log: string[] = [];
  failNext = false;

  async subscribe(channel: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection is down');
    }
    this.log.push(`+${channel}`);
    this.live.add(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.log.push(`-${channel}`);
    this.live.delete(channel);
  }

  publish(channel: string, message: string): void {
    if (this.live.has(channel)) this.emit('message', channel, message);
  }
}

describe('SubscriptionHub', () => {
  let subscriber: FakeSubscriber;
  let resubscribed: string[][];
  let failures: string[];
  let hub: SubscriptionHub;

  beforeEach(() => {
    subscriber = new FakeSubscriber();
    resubscribed = [];
    failures = [];
    hub = new SubscriptionHub(
      subscriber as unknown as RedisClient,
      (channels) => resubscribed.push(channels),
      (channel, error) => failures.push(`${channel}: ${(error as Error).message}`),
    );
    subscriber.emit('ready');
  });

  it('resolves only once the subscription is live, and holds one subscription per channel', async () => {
    const heard: string[] = [];
    const [first, second] = await Promise.all([
      hub.add('task:1', (m) => heard.push(`a ${m}`)),
      hub.add('task:1', (m) => heard.push(`b ${m}`)),
    ]);
    expect(subscriber.live).toEqual(new Set(['task:1']));
    subscriber.publish('task:1', 'done');
    expect(heard).toEqual(['a done', 'b done']);

    await first();
    await first();
    expect(subscriber.live).toEqual(new Set(['task:1']));
    await second();
    expect(subscriber.live.size).toBe(0);
    expect(hub.size).toBe(0);
    expect(subscriber.log).toEqual(['+task:1', '-task:1']);
  });

  it('keeps the subscription when a listener arrives while the last one is leaving', async () => {
    const leave = await hub.add('task:2', () => undefined);
    const leaving = leave();
    const heard: string[] = [];
    const joined = await hub.add('task:2', (m) => heard.push(m));
    await leaving;
    subscriber.publish('task:2', 'still here');
    expect(heard).toEqual(['still here']);
    await joined();
    expect(subscriber.live.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('leaves nothing behind when subscribing fails', async () => {
    subscriber.failNext = true;
    await expect(hub.add('task:3', () => undefined)).rejects.toThrow('connection is down');
    expect(hub.size).toBe(0);
    expect(subscriber.live.size).toBe(0);
  });

  it('subscribes again to the channels still wanted after a reconnection', async () => {
    await hub.add('task:4', () => undefined);
    const gone = await hub.add('task:5', () => undefined);
    await gone();
    subscriber.emit('close');
    subscriber.live.clear();
    subscriber.emit('ready');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subscriber.live).toEqual(new Set(['task:4']));
    expect(resubscribed).toEqual([['task:4']]);
  });

  it('tells every listener even when one of them throws', async () => {
    const heard: string[] = [];
    await hub.add('task:6', () => {
      throw new Error('bad listener');
    });
    await hub.add('task:6', (m) => heard.push(m));
    subscriber.publish('task:6', 'news');
    expect(heard).toEqual(['news']);
    expect(failures).toEqual(['task:6: bad listener']);
  });
});
