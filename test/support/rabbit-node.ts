import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';

const run = promisify(execFile);

/** The real RabbitMQ scripts (the ones on PATH switch to the system node's user and cookie). */
function scriptsDir(): string {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'rabbitmqctl'))
    .find((file) => existsSync(file));
  if (!onPath) throw new Error('rabbitmqctl is not on PATH');
  // The wrapper on PATH links into lib/rabbitmq/bin, where the real scripts sit beside it.
  return dirname(realpathSync(onPath));
}

/**
 * A node for tests on a small shared machine: fixed, small memory and disk thresholds (an alarm
 * computed from a busy machine's free memory would block publishers), statistics collected rarely.
 */
const SMALL_NODE_CONF = [
  'vm_memory_high_watermark.absolute = 1GB',
  'disk_free_limit.absolute = 50MB',
  'collect_statistics_interval = 30000',
  '',
].join('\n');

/**
 * A quorum queue dead-letters at least once by waiting for the target's confirm; a target on a
 * node that went away would hold its dead-letter worker for the default 3 minutes before it tries
 * again. 5 s keeps a retry or a delayed task moving after a node is killed.
 */
const ADVANCED_CONFIG = '[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, 5000}]}].\n';

/** Nodes started by this process, stopped whatever happens to the tests. */
const started = new Set<RabbitNode>();
process.once('exit', () => {
  for (const node of started) node.killNow();
});

/**
 * A throw-away RabbitMQ node of its own — name, ports, data, logs and Erlang cookie — beside the
 * shared `rabbit@localhost`, which it never touches. Several share a cookie to form a cluster.
 */
export class RabbitNode {
  private beamPid?: number;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly base: string,
  ) {}

  /** Starts a node; `cookieFrom` makes it share that node's Erlang cookie (to cluster with it). */
  static async start(cookieFrom?: RabbitNode): Promise<RabbitNode> {
    const port = await freeAmqpPort();
    const name = `celeriac-test-${randomBytes(4).toString('hex')}@localhost`;
    const base = mkdtempSync(join(tmpdir(), 'celeriac-rabbit-'));
    const node = new RabbitNode(name, port, base);
    node.prepare(cookieFrom);
    started.add(node);
    await node.launch();
    return node;
  }

  /**
   * A cluster of `size` throw-away nodes: the first started alone, the others with its cookie (in
   * parallel), then joined to it one at a time (`stop_app; reset; join_cluster; start_app`).
   */
  static async cluster(size: number): Promise<RabbitNode[]> {
    const seed = await RabbitNode.start();
    const others = await Promise.all(Array.from({ length: size - 1 }, () => RabbitNode.start(seed)));
    for (const node of others) await node.join(seed);
    return [seed, ...others];
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** `rabbitmqctl -n <this node> …`. */
  async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run(join(scriptsDir(), 'rabbitmqctl'), ['-q', '-n', this.name, ...args], {
      env: this.env(),
      timeout: 90_000,
    });
    return stdout;
  }

  /** Crashes the node: SIGKILL of its Erlang VM, no shutdown work. */
  async kill(): Promise<void> {
    const pid = this.beamPid;
    this.beamPid = undefined;
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Starts the node again after `kill()`, on the same ports and data. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** Joins the cluster of `seed` (this node's data is reset). */
  async join(seed: RabbitNode): Promise<void> {
    await this.ctl('stop_app');
    await this.ctl('reset');
    await this.ctl('join_cluster', seed.name);
    await this.ctl('start_app');
    await this.ctl('await_startup');
  }

  /** Resolves once an AMQP connection to this node succeeds. */
  async whenAccepting(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await (await connect(this.url)).close();
        return;
      } catch (error) {
        if (Date.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async stop(): Promise<void> {
    started.delete(this);
    await this.kill().catch(() => undefined);
    rmSync(this.base, { recursive: true, force: true });
  }

  /** @internal Last-chance cleanup at process exit. */
  killNow(): void {
    if (this.beamPid !== undefined && alive(this.beamPid)) process.kill(this.beamPid, 'SIGKILL');
  }

  private prepare(cookieFrom?: RabbitNode): void {
    for (const dir of ['home', 'mnesia', 'log']) mkdirSync(join(this.base, dir), { recursive: true });
    writeFileSync(
      join(this.base, 'rabbitmq.conf'),
      `listeners.tcp.local = 127.0.0.1:${this.port}\nloopback_users = none\n${SMALL_NODE_CONF}`,
    );
    writeFileSync(join(this.base, 'enabled_plugins'), '[].\n');
    writeFileSync(join(this.base, 'advanced.config'), ADVANCED_CONFIG);
    writeFileSync(join(this.base, 'rabbitmq-env.conf'), '');
    const cookie = join(this.base, 'home', '.erlang.cookie');
    if (cookieFrom) cpSync(join(cookieFrom.base, 'home', '.erlang.cookie'), cookie);
    else writeFileSync(cookie, randomBytes(16).toString('hex').toUpperCase());
    chmodSync(cookie, 0o400);
  }

  private env(): NodeJS.ProcessEnv {
    const base = this.base;
    return {
      PATH: process.env.PATH,
      HOME: join(base, 'home'),
      RABBITMQ_NODENAME: this.name,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.port + 20_000),
      RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
      RABBITMQ_LOG_BASE: join(base, 'log'),
      RABBITMQ_PID_FILE: join(base, 'pid'),
      RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: join(base, 'rabbitmq-env.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(base, 'advanced.config'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
    };
  }

  private async launch(): Promise<void> {
    await run(join(scriptsDir(), 'rabbitmq-server'), ['-detached'], { env: this.env(), timeout: 60_000 });
    // -detached returns before the node is up; it accepts AMQP connections once it is, and has
    // written its pid file by then.
    await this.whenAccepting(120_000);
    this.beamPid = Number(readFileSync(join(this.base, 'pid'), 'utf8').trim());
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port for AMQP whose Erlang distribution port (+20000) is free too. */
async function freeAmqpPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await canListen(port)) && (await canListen(port + 20_000))) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
