import type { PoolKind } from '../worker/pools/pool.interface.js';
import type { WorkerQueueState } from './celeriac-event.js';

/**
 * The remote-control commands a worker answers, by wire name, with the arguments each takes and the
 * value each replies with. {@link CeleriacControl} is the typed way to send them.
 */
export interface ControlCommands {
  ping: { args: Record<string, never>; reply: 'pong' };
  active: { args: Record<string, never>; reply: HeldTaskInfo[] };
  reserved: { args: Record<string, never>; reply: HeldTaskInfo[] };
  scheduled: { args: Record<string, never>; reply: HeldTaskInfo[] };
  registered: { args: Record<string, never>; reply: RegisteredTaskInfo[] };
  stats: { args: Record<string, never>; reply: WorkerStats };
  queues: { args: Record<string, never>; reply: WorkerQueueState[] };
  conf: { args: Record<string, never>; reply: WorkerConf };
  revoke: { args: { ids: string[]; terminate?: boolean }; reply: { held: string[] } };
  rate_limit: { args: { task: string; rate: string | null }; reply: { task: string; rate: string | null } };
  time_limit: { args: { task: string; ms: number | null }; reply: { task: string; ms: number | null } };
  add_consumer: { args: { queue: string }; reply: { queue: string; consuming: boolean } };
  cancel_consumer: { args: { queue: string }; reply: { queue: string; consuming: boolean } };
  pool_resize: { args: { queue: string; concurrency: number }; reply: WorkerQueueState };
  shutdown: { args: Record<string, never>; reply: { shuttingDown: true } };
}

export type ControlCommandName = keyof ControlCommands;

/**
 * A task a worker holds. `active`: running; `reserved`: received (prefetched) and waiting to start;
 * `scheduled`: waiting in this worker for a due time (its per-worker rate limit). Countdown and ETA
 * tasks wait in the broker, not in workers: see the queue's `delayed` count.
 */
export interface HeldTaskInfo {
  id: string;
  task: string;
  queue: string;
  retries: number;
  phase: 'reserved' | 'scheduled' | 'active';
  /** Epoch ms: when this worker received it. */
  receivedAt: number;
  /** Epoch ms: when it started running (`active`). */
  startedAt?: number;
  /** Epoch ms: when it may start (`scheduled`). */
  eta?: number;
}

/** A task the worker can run, with the limits in force on it now. */
export interface RegisteredTaskInfo {
  name: string;
  queue: string;
  retries: number;
  /** Per-worker start rate, as `<n>/<s|m|h>` (set by `@Task` or at run time). */
  rateLimit?: string;
  /** Soft time limit in ms (set by `@Task` or at run time). */
  timeLimit?: number;
}

/** `stats`: what a worker has done and holds. */
export interface WorkerStats {
  worker: string;
  hostname: string;
  pid: number;
  /** Epoch ms of the worker's start. */
  startedAt: number;
  uptimeMs: number;
  /** Deliveries finished since start. */
  processed: number;
  /** Deliveries held now (running or waiting to start). */
  active: number;
  load: [number, number, number];
  memory: { rss: number; heapUsed: number };
  queues: WorkerQueueState[];
  /** Rate and time limits changed at run time, by task. */
  overrides: { rateLimits: Record<string, string | null>; timeLimits: Record<string, number | null> };
  broker: string;
}

/** `conf`: the worker's effective settings (URLs without passwords). */
export interface WorkerConf {
  broker: string;
  backend: string;
  prefix: string;
  events: boolean;
  heartbeatMs: number;
  resultTtl: number;
  maxDeliveries: number;
  trackStarted: boolean;
  queues: Record<string, { pool: PoolKind; concurrency: number; consuming: boolean }>;
}
