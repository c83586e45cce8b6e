import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { group, sig, Task } from '../../../lib/index.js';
import { RedisServer } from '../redis/support/redis-server.js';
import { gate, startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

let release = gate<void>();

@Injectable()
class CostTasks {
  @Task()
  noop(n: number): number {
    return n;
  }

  @Task()
  async held(n: number): Promise<number> {
    await release.promise;
    return n;
  }
}

/** Commands the server processed, by name, leaving out our own INFO calls. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') counts.set(match[1], Number(match[2]));
  }
  return counts;
}

function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, n) => sum + n, 0);
}

/**
 * The result backend runs on a Redis of its own (the broker is the embedded one), so every command
 * that server sees is backend work caused by the group.
 */
describe('group join cost in the Redis result backend', () => {
  let server: RedisServer;
  let redis: Redis;
  let w: WorkerApp;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.port, '127.0.0.1');
    w = await startWorkerApp([CostTasks], {
      backend: server.url,
      queues: { default: { pool: 'async', concurrency: 50 } },
    });
  });

  afterAll(async () => {
    release.open();
    await w.close();
    redis.disconnect();
    await server.stop();
  });

  async function commandsFor(members: number): Promise<number> {
    const before = total(await commandCounts(redis));
    const handle = await w.client.apply(
      group(Array.from({ length: members }, (_, i) => sig(CostTasks, 'noop', i))),
    );
    const results = await handle.wait({ timeout: 60_000 });
    expect(results).toHaveLength(members);
    expect(results[members - 1]).toBe(members - 1);
    return total(await commandCounts(redis)) - before;
  }

  it('grows linearly with the members: the same commands per member for 250 and for 1000', async () => {
    const small = (await commandsFor(250)) / 250;
    const large = (await commandsFor(1000)) / 1000;
    // A join that re-read every member on each completion would make the large group's per-member
    // cost about four times the small one's; a linear join keeps it the same.
    expect(large).toBeLessThan(small * 1.1);
    expect(large).toBeGreaterThan(small * 0.9);
    // Per member: PENDING, STARTED and SUCCESS writes (script + SET + PUBLISH each), the revoke and
    // duplicate checks, and the group script (HSETNX, PEXPIRE, HLEN).
    expect(large).toBeLessThan(20);
  });

  it('spends no backend commands while nothing completes', async () => {
    release = gate();
    const handle = await w.client.apply(
      group(Array.from({ length: 20 }, (_, i) => sig(CostTasks, 'held', i))),
    );
    const waiting = handle.wait({ timeout: 30_000 });
    // Let every member start (their STARTED writes are work, not waiting).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await commandCounts(redis);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await commandCounts(redis);
    expect(total(after) - total(before)).toBe(0);
    release.open();
    expect(await waiting).toHaveLength(20);
  });
});
