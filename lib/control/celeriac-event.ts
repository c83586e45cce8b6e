import type { PoolKind } from '../worker/pools/pool.interface.js';
import type { TaskEvent, TaskEventType } from '../worker/task-events.js';

/** Who published an event: every event on the bus carries it. */
export interface EventOrigin {
  /** Host name of the publishing process. */
  hostname: string;
  pid: number;
  /**
   * Counts the events of one publishing process from 1, so events of one origin can be put in the
   * order they happened even when a consumer merges several streams.
   */
  seq: number;
}

/** A task event as it travels on the event bus. */
export type CeleriacTaskEvent = TaskEvent & EventOrigin;

export type WorkerEventType = 'worker-online' | 'worker-heartbeat' | 'worker-offline';

/** How one consumed queue runs on a worker. */
export interface WorkerQueueState {
  queue: string;
  pool: PoolKind;
  concurrency: number;
  /** Deliveries of the queue the worker holds (running or waiting to start). */
  held: number;
}

/** A worker's own events: it came online, it is alive (every `freq` ms), it went offline. */
export interface WorkerEvent extends EventOrigin {
  type: WorkerEventType;
  /** Epoch ms. */
  at: number;
  /** The worker's id: `<hostname>:<pid>` (and `:<n>` for a second worker in one process), or its name. */
  worker: string;
  /** Heartbeat interval in ms; a worker silent for three of them is gone. */
  freq: number;
  /** Tasks running or waiting to start on the worker. */
  active: number;
  /** Deliveries the worker has finished since it started. */
  processed: number;
  /** The host's load averages over 1, 5 and 15 minutes. */
  load: [number, number, number];
  queues: WorkerQueueState[];
}

/** Anything on the event bus. */
export type CeleriacEvent = CeleriacTaskEvent | WorkerEvent;

/** Every event type, for filters. */
export type CeleriacEventType = TaskEventType | WorkerEventType;

export function isWorkerEvent(event: CeleriacEvent): event is WorkerEvent {
  return event.type.startsWith('worker-');
}

/**
 * Reads one batch as a transport carried it. Anything that is not an array of objects with a
 * string `type` and a numeric `at` is refused: events come from other processes, and a monitoring
 * consumer must not be fed garbage.
 */
export function decodeEventBatch(text: string): CeleriacEvent[] {
  const batch: unknown = JSON.parse(text);
  if (!Array.isArray(batch)) throw new SyntaxError('an event batch must be a JSON array');
  for (const event of batch as unknown[]) {
    const candidate = event as Partial<CeleriacEvent> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.type !== 'string') {
      throw new SyntaxError('every event must be an object with a string "type"');
    }
    if (typeof candidate.at !== 'number')
      throw new SyntaxError(`event "${candidate.type}" has no numeric "at"`);
  }
  return batch as CeleriacEvent[];
}
