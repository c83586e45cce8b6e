import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import { decodeEventBatch, type CeleriacEvent } from '../../control/celeriac-event.js';
import type { EventBatchListener, EventBus } from '../../control/event-bus.interface.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import { MemoryControlHub } from './memory-control-hub.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * The embedded event bus (`memory://`). A batch is encoded once, as a remote bus would carry it,
 * and each subscriber decodes its own copy.
 */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory';
  private readonly hub: MemoryControlHub;
  private readonly held = new Set<Unsubscribe>();
  private readonly logger: CeleriacLogger;
  private closed = false;

  constructor(options: ConnectionOptions) {
    this.logger = createCeleriacLogger('CeleriacEvents', options.logger);
    this.hub = MemoryControlHub.of(options.prefix);
  }

  connect(): Promise<void> {
    return this.run(() => undefined);
  }

  publish(events: readonly CeleriacEvent[]): Promise<void> {
    return this.run(() => MemoryControlHub.deliver(this.hub.subscribers, JSON.stringify(events)));
  }

  subscribe(listener: EventBatchListener): Promise<Unsubscribe> {
    return this.run(() => {
      const own = (batch: string): void => {
        let events: CeleriacEvent[];
        try {
          events = decodeEventBatch(batch);
        } catch (error) {
          this.logger.warn(`dropped a malformed event batch: ${(error as Error).message}`);
          return;
        }
        listener(events);
      };
      this.hub.subscribers.add(own);
      const release: Unsubscribe = () => {
        this.held.delete(release);
        this.hub.subscribers.delete(own);
        this.hub.release();
        return Promise.resolve();
      };
      this.held.add(release);
      return release;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.held].map((release) => release()));
  }

  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(new BrokerUnavailableError(this.kind, new Error('this event bus was closed')));
    }
    return new Promise<T>((resolve) => resolve(operation()));
  }
}
