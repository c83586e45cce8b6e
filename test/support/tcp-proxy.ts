import { connect, createServer, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/**
 * A TCP relay on a loopback port in front of a shared server, so a test can cut its own
 * connections to that server (as a lost network or a dead server would) without touching the
 * server or anyone else's connections.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly watches: { pattern: RegExp; action: () => void; done: () => void }[] = [];

  private constructor(
    private readonly target: { host: string; port: number },
    private listenPort: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy({ host: targetHost, port: targetPort }, 0);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Drops every relayed connection and refuses new ones until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  restore(): Promise<void> {
    return this.listen();
  }

  /**
   * Runs `action` once, as soon as a client next sends bytes matching `pattern` and before they are
   * relayed: e.g. to freeze the server (SIGSTOP) the moment a given command goes out to it, so the
   * command reaches it only when it thaws. Resolves once `action` has run.
   */
  onceClientSends(pattern: RegExp, action: () => void): Promise<void> {
    return new Promise((done) => this.watches.push({ pattern, action, done }));
  }

  stop(): Promise<void> {
    return this.cut();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        const address = server.address();
        if (address && typeof address === 'object') this.listenPort = address.port;
        resolve();
      });
    });
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    const watched = new Transform({
      transform: (chunk: Buffer, _encoding, next) => {
        this.watch(chunk);
        next(null, chunk);
      },
    });
    client.pipe(watched).pipe(upstream);
    upstream.pipe(client);
  }

  private watch(chunk: Buffer): void {
    if (this.watches.length === 0) return;
    const text = chunk.toString('latin1');
    for (const watch of [...this.watches]) {
      if (!watch.pattern.test(text)) continue;
      this.watches.splice(this.watches.indexOf(watch), 1);
      watch.action();
      watch.done();
    }
  }
}
