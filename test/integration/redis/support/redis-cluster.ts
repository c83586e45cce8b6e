import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from './redis-server.js';
import { eventually } from './wait.js';

const run = promisify(execFile);

/**
 * A throw-away Redis Cluster of masters on loopback ports, each a `redis-server --cluster-enabled
 * yes` with its own data directory, joined with `redis-cli --cluster create`. `stop()` stops only
 * the servers it started.
 */
export class RedisCluster {
  private constructor(private readonly servers: RedisServer[]) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const servers: RedisServer[] = [];
    const cluster = new RedisCluster(servers);
    try {
      for (let i = 0; i < masters; i++) {
        const port = await freePort(true);
        servers.push(
          await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'], port),
        );
      }
      const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await Promise.all(servers.map((server) => waitForClusterOk(server.port)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** A seed node's URL. */
  get url(): string {
    return this.servers[0].url;
  }

  /** Every node as `host:port`. */
  get nodes(): string[] {
    return this.servers.map((server) => `127.0.0.1:${server.port}`);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.servers.map((server) => server.stop()));
  }
}

async function waitForClusterOk(port: number): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    await eventually(`cluster_state:ok on ${port}`, async () => {
      const info = await client.cluster('INFO');
      return info.includes('cluster_state:ok') ? true : undefined;
    });
  } finally {
    client.disconnect();
  }
}
