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

  /**
   * `replicas` per master (promoted when their master stays unreachable `nodeTimeoutMs`, Redis's
   * `cluster-node-timeout`). Nodes start in parallel; resolves once every replica holds its
   * master's data: a replica that never finished its first sync refuses to take over ("Disconnected
   * from master for longer than allowed"), so a master killed before then would stay unreplaced.
   */
  static async start(masters = 3, replicas = 0, nodeTimeoutMs = 15_000): Promise<RedisCluster> {
    const servers: RedisServer[] = [];
    const cluster = new RedisCluster(servers);
    try {
      const ports: number[] = [];
      while (ports.length < masters * (1 + replicas)) {
        const port = await freePort(true);
        if (!ports.includes(port)) ports.push(port);
      }
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
      args.push('--cluster-node-timeout', String(nodeTimeoutMs));
      // A replica's first sync starts at once instead of after Redis's default 5 s wait for others.
      args.push('--repl-diskless-sync-delay', '0');
      servers.push(...(await Promise.all(ports.map((port) => RedisServer.start(args, port)))));
      const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await Promise.all(servers.map((server) => waitForClusterOk(server.port)));
      await Promise.all(servers.map((server) => waitForReplicaInSync(server.port)));
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

  /** The servers that are masters now, with how many keys each holds. */
  async masters(): Promise<{ server: RedisServer; keys: number }[]> {
    const found: { server: RedisServer; keys: number }[] = [];
    for (const server of this.servers) {
      const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        const role = await client.role();
        if (role[0] === 'master') found.push({ server, keys: await client.dbsize() });
      } catch {
        // a killed node is no master
      } finally {
        client.disconnect();
      }
    }
    return found;
  }

  /** Waits until every live node says the cluster is whole again (after a failover). */
  async whenOk(): Promise<void> {
    const live = (await this.masters()).map(({ server }) => server.port);
    await Promise.all(live.map((port) => waitForClusterOk(port)));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.servers.map((server) => server.stop()));
  }
}

/** On a replica: until its link to the master is up and its first sync is done; a master passes at once. */
async function waitForReplicaInSync(port: number): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    await eventually(`replica on ${port} in sync with its master`, async () => {
      const info = await client.info('replication');
      if (info.includes('role:master')) return true;
      return info.includes('master_link_status:up') && info.includes('master_sync_in_progress:0')
        ? true
        : undefined;
    });
  } finally {
    client.disconnect();
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
