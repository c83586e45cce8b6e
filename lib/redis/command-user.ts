import { BrokerUnavailableError } from '../errors/broker-unavailable.error.js';
import type { RedisClient } from './redis-connection.js';
import { toBrokerError } from './redis-connection.js';
import type { RedisExtraOptions } from './redis-options.js';
import { acquireCommandConnection, type CommandConnection } from './shared-connection.js';

/**
 * One part's hold on the process's shared command connection to a Redis: acquired on `connect()`
 * (again after a failed attempt), released on `close()`. `call` turns a failure without a reply
 * from Redis into a `BrokerUnavailableError` naming what `what` is.
 */
export class CommandUser {
  private connection?: CommandConnection;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly extra: RedisExtraOptions,
    private readonly what: string,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.unavailable());
    this.connecting ??= acquireCommandConnection(this.url, this.extra).then(
      (connection) => {
        if (this.closed) return connection.release();
        this.connection = connection;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  async call<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (!this.connection) await this.connect();
    if (this.closed || !this.connection) throw this.unavailable();
    try {
      return await command(this.connection.client);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.release();
  }

  unavailable(): BrokerUnavailableError {
    const why = this.closed ? `${this.what} closed` : `${this.what} not connected`;
    return new BrokerUnavailableError('redis', new Error(why));
  }
}
