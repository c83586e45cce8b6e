import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { CELERIAC_OPTIONS } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { createCeleriacLogger, type CeleriacLogger } from '../logging/celeriac-logger.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { EventPublisher } from './event-publisher.js';
import { TaskEvents } from '../worker/task-events.js';

/**
 * The application's one control plane (control channel and event bus, on the broker's transport
 * and prefix), opened on first use: a producer that never inspects or watches events opens nothing.
 * Workers, `CeleriacControl`, `CeleriacEvents` and the client's `task-sent` events share it.
 */
@Injectable()
export class ControlPlaneConnection implements OnApplicationShutdown {
  /** Publishes this process's events (task-sent, worker and task events of its workers). */
  readonly publisher: EventPublisher;
  private plane?: Promise<ControlPlane>;
  private closed = false;

  constructor(
    @Inject(CELERIAC_OPTIONS) private readonly options: ResolvedCeleriacOptions,
    @Optional() taskEvents?: TaskEvents,
  ) {
    const logger = createCeleriacLogger('CeleriacEvents', options.logger);
    this.publisher = new EventPublisher(async () => (await this.get()).events, logger);
    // Sends are announced in-process by the publisher of envelopes; workers publish their own
    // events (with their worker id) straight from the executor.
    if (options.events) {
      taskEvents?.on('task', (event) => {
        if (event.type === 'task-sent') this.publisher.task(event);
      });
    }
  }

  /** The logger of a control-plane part: the module's `logger` option reaches every one. */
  loggerFor(context: string): CeleriacLogger {
    return createCeleriacLogger(context, this.options.logger);
  }

  /** Whether producers publish task events (`events: true`). */
  get events(): boolean {
    return this.options.events;
  }

  /** The connected control plane; a failed connect is tried again by the next call. */
  get(): Promise<ControlPlane> {
    if (this.closed) return Promise.reject(new Error('the Celeriac control plane is closed'));
    this.plane ??= this.open().catch((error: unknown) => {
      this.plane = undefined;
      throw error;
    });
    return this.plane;
  }

  async onApplicationShutdown(): Promise<void> {
    // The last events (a send just before shutdown) leave before the plane closes: flushed while
    // the connection is still open, opened for them if nothing had opened it yet.
    if (this.publisher.hasPending || this.plane) await this.publisher.flush().catch(() => undefined);
    this.closed = true;
    const plane = this.plane;
    this.plane = undefined;
    if (!plane) return;
    await (await plane.catch(() => undefined))?.close();
  }

  private async open(): Promise<ControlPlane> {
    const plane = await createControlPlane({
      url: this.options.broker,
      prefix: this.options.prefix,
      extra: this.options.brokerOptions,
      tls: this.options.tls,
      logger: this.options.logger,
    });
    try {
      await plane.connect();
    } catch (error) {
      await plane.close().catch(() => undefined);
      throw error;
    }
    return plane;
  }
}
