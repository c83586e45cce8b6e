import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { jest } from '@jest/globals';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { RedisServer } from '../redis/support/redis-server.js';

/** An IPv4 address of this machine that is not loopback, to reach a server as a remote client would. */
function externalAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
  if (!address) throw new Error('this test needs a network interface with a non-loopback IPv4 address');
  return address;
}

async function warningsOf(url: string): Promise<string[]> {
  const prefix = `posture-${randomUUID()}`;
  const broker = new RedisBroker({ url, prefix });
  const backend = new RedisBackend({ url, prefix });
  const warnings: string[] = [];
  for (const logger of [broker.logger, (backend as unknown as { logger: RedisBroker['logger'] }).logger]) {
    jest.spyOn(logger, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  }
  try {
    await broker.connect();
    await backend.connect();
  } finally {
    await broker.close();
    await backend.close();
  }
  return warnings;
}

describe('Redis posture warnings at start-up', () => {
  const host = externalAddress();
  const servers: RedisServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('appendonly "no" and no password towards a non-loopback host: one warning each, naming the setting, for broker and backend together', async () => {
    // Reachable on the machine's own network address, as a remote Redis is; protected mode would refuse it.
    const server = await RedisServer.start([
      '--appendonly',
      'no',
      '--bind',
      '127.0.0.1',
      host,
      '--protected-mode',
      'no',
    ]);
    servers.push(server);
    const warnings = await warningsOf(`redis://${host}:${server.port}`);
    const where = `Redis at ${host}:${server.port}`;
    expect(warnings).toEqual([
      `${where} has appendonly "no": a crash loses every write since its last snapshot, acknowledged sends and ` +
        'stored results included. Set appendonly to "yes" (appendfsync everysec, or always to lose none).',
      `${where} is used without a password over the network: whoever reaches it can read results and inject tasks ` +
        'your workers run. Set requirepass (or an ACL user) on the server and the password in the URL (redis://:password@host:port).',
    ]);
  });

  it('no password over loopback is not a warning; appendonly is', async () => {
    const server = await RedisServer.start(['--appendonly', 'no']);
    servers.push(server);
    const warnings = await warningsOf(server.url);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Redis at 127\.0\.0\.1:\d+ has appendonly "no"/);
  });

  it('a password and appendonly "yes" towards the same host: nothing to warn about', async () => {
    const server = await RedisServer.start([
      '--appendonly',
      'yes',
      '--requirepass',
      'pw',
      '--bind',
      '127.0.0.1',
      host,
    ]);
    servers.push(server);
    expect(await warningsOf(`redis://:pw@${host}:${server.port}`)).toEqual([]);
  });
});
