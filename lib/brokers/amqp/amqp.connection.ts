import { connect, type ChannelModel, type SocketOptions } from 'amqplib';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { redactUrl } from '../broker-url.js';
import { tlsFor, type TlsOptions } from '../tls-options.js';
import { outageLogOf, type OutageLog } from '../outage-log.js';
import type { ResolvedAmqpBrokerOptions } from './amqp-broker.options.js';
import { AmqpNodeList } from './amqp-node-list.js';
import { closeWithin } from './amqp-deadline.js';
import {
  createCeleriacLogger,
  type CeleriacLoggerOption,
  type CeleriacLogger,
} from '../../logging/celeriac-logger.js';

type ReconnectListener = (model: ChannelModel) => void;

/**
 * One AMQP connection that comes back by itself. The first `open()` fails fast, so a wrong URL
 * surfaces at start; after that a lost connection is re-opened with exponential backoff (with
 * jitter, so a restarted RabbitMQ is not hit by every client at once), and listeners re-create
 * their channels on the new one. While it is down, `require()` throws a
 * `BrokerUnavailableError` at once instead of queueing work that may never be sent.
 *
 * Given several nodes of a cluster (`brokerOptions.urls`), the first `open()` tries each in turn,
 * and every loss or failed redial moves on to the next node, round-robin: a node that stops or
 * dies takes this connection to another one, where quorum queues carry on.
 */
export class AmqpConnection {
  private model?: ChannelModel;
  private opening?: Promise<ChannelModel>;
  private retryTimer?: NodeJS.Timeout;
  private attempts = 0;
  private closed = false;
  private lastError?: Error;
  private everOpened = false;
  private blockedReason?: string;
  private readonly listeners = new Set<ReconnectListener>();
  private readonly logger: CeleriacLogger;
  private readonly outages: OutageLog;
  private readonly nodes: AmqpNodeList;

  constructor(
    url: string,
    private readonly role: 'publish' | 'consume' | 'control',
    private readonly options: ResolvedAmqpBrokerOptions,
    private readonly tls?: TlsOptions,
    private readonly sink?: CeleriacLoggerOption,
  ) {
    this.nodes = new AmqpNodeList(url, options.urls);
    this.logger = this.loggerFor(`Celeriac amqp ${role}`);
    this.outages = outageLogOf(`RabbitMQ at ${this.nodes.describe()}`, 'CeleriacAmqp', sink);
  }

  /** The logger of a part on this connection: the module's `logger` option reaches every one. */
  loggerFor(context: string): CeleriacLogger {
    return createCeleriacLogger(context, this.sink);
  }

  /** Connects unless already connected; rejects with `BrokerUnavailableError` if RabbitMQ does not answer. */
  open(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(this.unavailable(new Error('the broker client was closed')));
    if (this.model) return Promise.resolve(this.model);
    this.opening ??= this.dial().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * The live connection; dials the first one on demand, but after a loss fails at once with a
   * `BrokerUnavailableError` rather than dialling again from every caller while RabbitMQ is down.
   */
  async acquire(): Promise<ChannelModel> {
    if (this.model || !this.everOpened) return this.open();
    return this.require();
  }

  /** The live connection, or a `BrokerUnavailableError` saying why there is none. */
  require(): ChannelModel {
    if (this.closed) throw this.unavailable(new Error('the broker client was closed'));
    if (!this.model) throw this.unavailable(this.lastError ?? new Error('not connected'));
    if (this.blockedReason) {
      throw this.unavailable(new Error(`RabbitMQ is refusing publishes (${this.blockedReason})`));
    }
    return this.model;
  }

  /** Closed for good by `close()`. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Called with each new connection after a loss (not on the first one). */
  onReconnect(listener: ReconnectListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    this.outages.forget(this);
    const model = this.model ?? (await this.opening?.catch(() => undefined));
    this.model = undefined;
    if (model) await closeWithin(model.close(), this.options.commandTimeoutMs);
  }

  /** How long closing a channel of this connection may wait for RabbitMQ's answer. */
  get closeTimeoutMs(): number {
    return this.options.commandTimeoutMs;
  }

  private async dial(): Promise<ChannelModel> {
    const model = await this.connectToSomeNode();
    if (this.closed) {
      await model.close().catch(() => undefined);
      throw this.unavailable(new Error('the broker client was closed'));
    }
    this.watch(model);
    this.model = model;
    this.everOpened = true;
    this.attempts = 0;
    this.lastError = undefined;
    return model;
  }

  /**
   * The current node; on failure the next one. Before the first success every node is tried once
   * (a node down at start-up does not stop the application); afterwards one node per attempt,
   * between the reconnect backoff's pauses.
   */
  private async connectToSomeNode(): Promise<ChannelModel> {
    const tries = this.everOpened ? 1 : this.nodes.size;
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect(this.connectionUrl(), this.socketOptions());
      } catch (error) {
        this.lastError = error as Error;
        const failed = this.unavailable(error);
        this.nodes.advance();
        if (attempt >= tries || this.closed) throw failed;
      }
    }
  }

  /**
   * amqplib emits `error` then `close`; an `error` without a listener would crash the process. The
   * loss is logged once per outage by `lost`, not here.
   */
  private watch(model: ChannelModel): void {
    model.on('error', (error: Error) => {
      this.lastError = error;
      this.logger.debug?.(`${this.role} connection error: ${error.message}`);
    });
    model.on('close', (error?: Error) => this.lost(model, error));
    model.on('blocked', (reason: string) => {
      this.blockedReason = reason;
      this.logger.warn(`RabbitMQ blocked the ${this.role} connection: ${reason}`);
    });
    model.on('unblocked', () => (this.blockedReason = undefined));
  }

  private lost(model: ChannelModel, error?: Error): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.blockedReason = undefined;
    this.lastError = error ?? this.lastError ?? new Error('connection closed');
    if (this.closed) return;
    this.outages.down(
      this,
      `${this.role} connection to ${this.nodes.currentServer()} lost: ${redactUrl(this.lastError.message)}`,
    );
    // The node may be gone for good: the next dial goes to the next node of the cluster.
    this.nodes.advance();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const { reconnectInitialDelayMs: initial, reconnectMaxDelayMs: max } = this.options;
    const base = Math.min(max, initial * 2 ** Math.min(this.attempts, 20));
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempts++;
    this.retryTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      const model = await this.open();
      const node = this.nodes.currentServer();
      this.logger.debug?.(`${this.role} connection reopened to ${node}`);
      this.outages.up(this, this.nodes.size > 1 ? node : undefined);
      for (const listener of [...this.listeners]) listener(model);
    } catch {
      if (!this.closed && !this.model) this.scheduleReconnect();
    }
  }

  private connectionUrl(): string {
    const url = new URL(this.nodes.current());
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds));
    }
    return url.toString();
  }

  private socketOptions(): SocketOptions {
    return {
      // amqps:// only: CA, client certificate and key, passed to tls.connect.
      ...tlsFor(this.nodes.current(), this.tls),
      // Without it, Nagle's algorithm holds small frames (acks, confirms) back by tens of ms.
      noDelay: true,
      timeout: 10_000,
      clientProperties: { connection_name: `${this.options.connectionName} (${this.role})` },
    };
  }

  private unavailable(cause: unknown): BrokerUnavailableError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new BrokerUnavailableError('amqp', new Error(`${redactUrl(this.nodes.current())}: ${reason}`));
  }
}
