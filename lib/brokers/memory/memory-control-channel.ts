import { randomUUID } from 'node:crypto';
import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import type {
  ControlChannel,
  ControlInbox,
  ControlMessageListener,
} from '../../control/control-channel.interface.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import { MemoryControlHub } from './memory-control-hub.js';

/** The embedded control channel (`memory://`): commands and replies between workers of one process. */
export class MemoryControlChannel implements ControlChannel {
  readonly kind = 'memory';
  private readonly hub: MemoryControlHub;
  private readonly held = new Set<Unsubscribe>();
  private closed = false;

  constructor(options: ConnectionOptions) {
    this.hub = MemoryControlHub.of(options.prefix);
  }

  connect(): Promise<void> {
    return this.run(() => undefined);
  }

  broadcast(message: string): Promise<void> {
    return this.run(() => MemoryControlHub.deliver(this.hub.listeners, message));
  }

  listen(listener: ControlMessageListener): Promise<Unsubscribe> {
    return this.run(() => {
      const own: ControlMessageListener = (message) => listener(message);
      this.hub.listeners.add(own);
      return this.hold(() => this.hub.listeners.delete(own));
    });
  }

  openInbox(listener: ControlMessageListener): Promise<ControlInbox> {
    return this.run(() => {
      const address = `memory-inbox:${randomUUID()}`;
      this.hub.inboxes.set(address, listener);
      return { address, close: this.hold(() => this.hub.inboxes.delete(address)) };
    });
  }

  send(address: string, message: string): Promise<void> {
    return this.run(() => {
      const inbox = this.hub.inboxes.get(address);
      if (inbox) MemoryControlHub.deliver([inbox], message);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.held].map((release) => release()));
  }

  private hold(remove: () => void): Unsubscribe {
    const release: Unsubscribe = () => {
      this.held.delete(release);
      remove();
      this.hub.release();
      return Promise.resolve();
    };
    this.held.add(release);
    return release;
  }

  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new BrokerUnavailableError(this.kind, new Error('this control channel was closed')),
      );
    }
    return new Promise<T>((resolve) => resolve(operation()));
  }
}
