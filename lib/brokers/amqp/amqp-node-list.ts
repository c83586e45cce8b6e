import { redactUrl } from '../broker-url.js';

/**
 * The RabbitMQ nodes one connection may dial, in order: the broker URL first, then
 * `brokerOptions.urls`. A connection dials the current one; each loss or failed dial moves it to
 * the next, round-robin, so the clients of a cluster follow it when a node goes away.
 */
export class AmqpNodeList {
  private readonly urls: readonly string[];
  private index = 0;

  constructor(primary: string, others: readonly string[] = []) {
    this.urls = [...new Set([primary, ...others])];
  }

  /** How many distinct nodes there are. */
  get size(): number {
    return this.urls.length;
  }

  /** The URL to dial now. */
  current(): string {
    return this.urls[this.index];
  }

  /** Moves on to the next node (the first after the last) and returns its URL. */
  advance(): string {
    this.index = (this.index + 1) % this.urls.length;
    return this.current();
  }

  /** `host:port` of the node to dial now, for log lines. */
  currentServer(): string {
    return serverOf(this.current());
  }

  /** `host:port` of every node, for the outage log's name of the cluster. */
  describe(): string {
    return this.urls.map(serverOf).join(', ');
  }
}

/** `host:port` of an AMQP URL, for log lines (never the credentials). */
export function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672)}`;
  } catch {
    return redactUrl(url);
  }
}
