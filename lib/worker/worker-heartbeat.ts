import { loadavg } from 'node:os';
import type { WorkerEvent, WorkerEventType } from '../control/celeriac-event.js';
import type { EventPublisher } from '../control/event-publisher.js';

/** Celeriac's heartbeat interval (Celery's is a minute; a dashboard wants to know sooner). */
export const DEFAULT_HEARTBEAT_MS = 2_000;

/** What a worker says of itself in each of its events. */
export type WorkerSnapshot = Pick<WorkerEvent, 'active' | 'processed' | 'queues'>;

/**
 * A worker's own events: `worker-online` when it starts consuming, `worker-heartbeat` every
 * `freq` ms (an unref'd timer: it never keeps a process alive), `worker-offline` when it stops.
 */
export class WorkerHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly worker: string,
    private readonly freq: number,
    private readonly snapshot: () => WorkerSnapshot,
  ) {}

  start(): void {
    this.send('worker-online');
    this.timer = setInterval(() => this.send('worker-heartbeat'), this.freq);
    this.timer.unref();
  }

  /** Says goodbye; resolves once the event left (or could not). */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.send('worker-offline');
    await this.publisher.flush();
  }

  private send(type: WorkerEventType): void {
    const load = loadavg() as [number, number, number];
    this.publisher.push({
      type,
      at: Date.now(),
      worker: this.worker,
      freq: this.freq,
      load,
      ...this.snapshot(),
    });
  }
}
