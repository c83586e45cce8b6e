import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { Unsubscribe } from '../backends/result-backend.interface.js';
import { isWorkerEvent, type CeleriacEvent } from './celeriac-event.js';
import { ControlPlaneConnection } from './control-plane.connection.js';
import { eventPredicate, type EventFilter } from './event-filter.js';
import { WorkerRegistry } from './worker-registry.js';
import type { CeleriacLogger } from '../logging/celeriac-logger.js';

export type CeleriacEventListener = (event: CeleriacEvent) => void;

interface Subscriber {
  accepts: (event: CeleriacEvent) => boolean;
  listener: CeleriacEventListener;
}

/**
 * The live stream of task and worker events of every process on the broker's prefix, for monitors:
 * `subscribe(filter, listener)` or `observe(filter)` (an rxjs `Observable`). Events of one origin
 * arrive in the order they happened (`hostname`, `pid`, `seq`). Also keeps the worker registry,
 * fed by heartbeats while anything here listens: `workers()`. One bus subscription serves every
 * listener of the application, opened on the first and closed after the last.
 */
@Injectable()
export class CeleriacEvents implements OnApplicationShutdown {
  /** Workers as their heartbeats tell; filled while `trackWorkers` or a subscription is on. */
  readonly registry = new WorkerRegistry();
  private readonly subscribers = new Set<Subscriber>();
  private trackers = 0;
  private bus?: Promise<Unsubscribe>;
  private readonly logger: CeleriacLogger;

  constructor(private readonly connection: ControlPlaneConnection) {
    this.logger = connection.loggerFor('CeleriacEvents');
  }

  /** Calls `listener` with each event that `filter` accepts, from now on; resolves once live. */
  subscribe(listener: CeleriacEventListener): Promise<Unsubscribe>;
  subscribe(filter: EventFilter | undefined, listener: CeleriacEventListener): Promise<Unsubscribe>;
  async subscribe(
    filterOrListener: EventFilter | CeleriacEventListener | undefined,
    maybeListener?: CeleriacEventListener,
  ): Promise<Unsubscribe> {
    const [filter, listener] =
      maybeListener === undefined
        ? [undefined, filterOrListener as CeleriacEventListener]
        : [filterOrListener as EventFilter | undefined, maybeListener];
    const subscriber: Subscriber = { accepts: eventPredicate(filter), listener };
    this.subscribers.add(subscriber);
    try {
      await this.open();
    } catch (error) {
      this.subscribers.delete(subscriber);
      throw error;
    }
    return async () => {
      if (!this.subscribers.delete(subscriber)) return;
      await this.closeIfUnused();
    };
  }

  /** The events `filter` accepts, as an Observable: subscribing opens the stream, unsubscribing ends it. */
  observe(filter?: EventFilter): Observable<CeleriacEvent> {
    return new Observable<CeleriacEvent>((observer) => {
      let unsubscribe: Unsubscribe | undefined;
      let ended = false;
      this.subscribe(filter, (event) => observer.next(event)).then(
        (stop) => (ended ? void stop() : (unsubscribe = stop)),
        (error: unknown) => observer.error(error),
      );
      return () => {
        ended = true;
        void unsubscribe?.();
      };
    });
  }

  /**
   * Keeps the worker registry filled until the returned function is called (a monitor's lifetime).
   * Workers show up with their next heartbeat (within one interval, 2 s by default).
   */
  async trackWorkers(): Promise<Unsubscribe> {
    this.trackers++;
    try {
      await this.open();
    } catch (error) {
      this.trackers--;
      throw error;
    }
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      this.trackers--;
      await this.closeIfUnused();
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribers.clear();
    this.trackers = 0;
    await this.closeIfUnused();
    this.registry.clear();
  }

  private open(): Promise<Unsubscribe> {
    this.bus ??= (async () =>
      (await this.connection.get()).events.subscribe((batch) => this.deliver(batch)))().catch(
      (error: unknown) => {
        this.bus = undefined;
        throw error;
      },
    );
    return this.bus;
  }

  private async closeIfUnused(): Promise<void> {
    if (this.subscribers.size > 0 || this.trackers > 0) return;
    const bus = this.bus;
    this.bus = undefined;
    await (
      await bus?.catch(() => undefined)
    )?.();
  }

  private deliver(batch: CeleriacEvent[]): void {
    for (const event of batch) {
      if (isWorkerEvent(event)) this.registry.observe(event);
      for (const subscriber of this.subscribers) {
        try {
          if (subscriber.accepts(event)) subscriber.listener(event);
        } catch (error) {
          this.logger.warn(`an event listener failed: ${(error as Error).message}`);
        }
      }
    }
  }
}
