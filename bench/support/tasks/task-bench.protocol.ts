/** What the tasks bench's parent tells a subject process, and what the process answers (over IPC). */

/**
 * The systems measured; `raw-amqp` is amqplib alone (no task semantics, nothing stored);
 * `celeriac-events` is Celeriac with task events on (`events: true`) on both sides.
 */
export type SubjectName = 'celeriac' | 'celeriac-events' | 'bullmq' | 'bee' | 'celeriac-amqp' | 'raw-amqp';

/**
 * What a round measures. `fire`: sends with results stored, nobody waits; `ignore`: the same with
 * nothing stored; `wait`: every send awaited to its result; `latency`: one task at a time;
 * `fill`: sends as fast as the subject can (its bulk call where it has one), no worker running;
 * `count`: the `fire` path's single sends with no worker running (per-phase command counts).
 */
export type Mode = 'fire' | 'ignore' | 'wait' | 'latency' | 'fill' | 'count';

export interface SubjectConfig {
  subject: SubjectName;
  role: 'producer' | 'worker';
  mode: Mode;
  /** Tasks the producer sends, or the worker completes before it reports. */
  tasks: number;
  /** Sends (or send + wait) in flight at once. */
  outstanding: number;
  concurrency: number;
  redisUrl: string;
  amqpUrl: string;
  /** Unique per round: key prefix or queue name. */
  namespace: string;
}

export type ParentMessage = { type: 'go' } | { type: 'close' };

export type ChildMessage =
  | { type: 'ready' }
  | {
      type: 'done';
      /** CPU time (user + system) from `go` to done, µs. */
      cpuUs: number;
      /** Wall time from `go` to done, ms. */
      elapsedMs: number;
      /** Round-trip samples (latency mode), ms. */
      samples?: number[];
    }
  | { type: 'error'; message: string }
  | { type: 'closed' };

/** Latency mode: tasks sent first and not measured, then the measured ones. */
export const LATENCY_WARM_UP = 200;
