import type { LoggerService } from '@nestjs/common';
import type { Broker } from '../brokers/broker.interface.js';
import { redactUrl } from '../brokers/broker-url.js';
import { formatDelay } from '../logging/attempt-label.js';

/**
 * The sender's warning for a queue that holds tasks no worker consumes (a worker started without
 * that queue, on another broker or prefix, or not at all). Cheap by construction: a send arms one
 * timer per queue, and when it fires one `stats(queue)` asks the broker for the queue's ready
 * messages and consumers — at most one question per queue per window, and none while nothing is sent.
 * Said once per queue, again only after a consumer has been seen on it.
 */
export class UnconsumedQueueWatch {
  private readonly armed = new Map<string, NodeJS.Timeout>();
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly logger: LoggerService,
    /** How long a sent task may wait with no consumer on its queue; false: never warn. */
    private readonly afterMs: number | false,
    private readonly where: { url: string; prefix: string },
  ) {}

  /** A task went to `queue`: look at the queue once the window has passed, unless already due to. */
  sent(queue: string): void {
    if (this.afterMs === false || this.closed || this.armed.has(queue)) return;
    const timer = setTimeout(() => void this.check(queue), this.afterMs);
    timer.unref();
    this.armed.set(queue, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.armed.values()) clearTimeout(timer);
    this.armed.clear();
  }

  private async check(queue: string): Promise<void> {
    try {
      const stats = await this.broker.stats(queue);
      // A broker that cannot count consumers gives no grounds for a warning.
      if (this.closed || stats.consumers === undefined) return;
      if (stats.consumers > 0) this.warned.delete(queue);
      else if (stats.ready > 0 && !this.warned.has(queue)) {
        this.warned.add(queue);
        this.logger.warn(this.message(queue, stats.ready));
      }
      this.logger.debug?.(`queue "${queue}": ${stats.consumers} consumer(s), ${stats.ready} ready`);
    } catch {
      // The broker is down or closing: publishing says so where it matters.
    } finally {
      this.armed.delete(queue);
    }
  }

  private message(queue: string, ready: number): string {
    const wait = formatDelay(this.afterMs as number);
    const embedded = this.where.url.startsWith('memory:')
      ? ' The embedded broker lives in this process: a worker in another process needs BROKER_URL (Redis or RabbitMQ).'
      : '';
    return (
      `queue "${queue}" has ${ready} task(s) waiting and no worker consuming it (${wait} after a send): ` +
      `start a worker whose queues include "${queue}" (new CeleriacWorker({ queues: [..., '${queue}'] })) ` +
      `on ${redactUrl(this.where.url)} with prefix "${this.where.prefix}".${embedded}`
    );
  }
}
