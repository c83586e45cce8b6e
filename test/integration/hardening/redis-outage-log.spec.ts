import { Injectable, Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { CELERIAC_BROKER } from '../../../lib/celeriac.constants.js';
import type { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { Task } from '../../../lib/index.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { RedisServer } from '../redis/support/redis-server.js';

@Injectable()
class OutageTasks {
  @Task()
  echo(value: number): number {
    return value;
  }
}

/** Resolves after `client` has tried to reconnect `times` more times. */
function reconnectAttempts(client: Redis, times: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const count = (): void => {
      if (++seen < times) return;
      client.off('reconnecting', count);
      resolve();
    };
    client.on('reconnecting', count);
  });
}

describe('a Redis outage in the logs', () => {
  let server: RedisServer;
  let app: WorkerApp;

  afterEach(async () => {
    await app?.close();
    await server?.stop();
  });

  it('is one WARN line for the whole process (not one per connection or retry) and one line when Redis is back; no "Unhandled error event"', async () => {
    server = await RedisServer.start();
    // Broker, backend, consumer, subscriber: four kinds of connection to the same server.
    app = await startWorkerApp([OutageTasks], { broker: server.url });
    expect(await (await app.client.send(OutageTasks, 'echo', [1])).wait({ timeout: 10_000 })).toBe(1);
    const logs = new CapturedLogs();
    Logger.overrideLogger(logs);
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const commands = app.app.get<RedisBroker>(CELERIAC_BROKER).commandClient as Redis;
    const where = `Redis at 127.0.0.1:${server.port}`;
    try {
      await server.kill();
      await logs.next('warn', new RegExp(`^${where} is unreachable`));
      // Several refused reconnects of the same connection: still one line.
      await reconnectAttempts(commands, 4);
      await server.start();
      await logs.next('log', new RegExp(`^${where} is reachable again`));
      expect(await (await app.client.send(OutageTasks, 'echo', [2])).wait({ timeout: 10_000 })).toBe(2);

      expect(logs.at('warn').filter((line) => line.message.includes(where))).toHaveLength(1);
      expect(logs.at('log').filter((line) => line.message.includes(where))).toHaveLength(1);
      const unhandled = consoleError.mock.calls.filter((call) =>
        /Unhandled error event/.test(String(call[0])),
      );
      expect(unhandled).toEqual([]);
    } finally {
      consoleError.mockRestore();
      Logger.overrideLogger(false);
    }
  });
});
