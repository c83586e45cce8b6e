import type { CeleriacLoggerOption } from '../logging/celeriac-logger.js';

/** Options of `new CeleriacWorker()`. */
export interface CeleriacWorkerOptions {
  /** Queues to consume (default: every queue of the module's queue table). */
  queues?: string[];
  /** On shutdown, running tasks get this long to finish before they are requeued (default 10 s). */
  shutdownGraceMs?: number;
  /** How long `listen()` waits for `CeleriacModule` to hand over its runtime (default 10 s). */
  attachTimeoutMs?: number;
  /**
   * Also run the beat here: fire the application's periodic tasks. Any number of workers may run
   * it at once; each tick is claimed in the schedule store and fires once.
   */
  beat?: boolean;
  /**
   * Lease of the concurrency places (and the run guards of deduplicated tasks) this worker holds,
   * renewed every third of it while tasks run: the places of a worker that died come back this long
   * after it stopped (default 30 s).
   */
  policyLeaseMs?: number;
  /** This worker's id in events and remote control (default `<hostname>:<pid>`, `:<n>` for a second one). */
  name?: string;
  /** Interval of `worker-heartbeat` events in ms (default 2 000); three missed beats and it is lost. */
  heartbeatMs?: number;
  /**
   * What the `shutdown` control command does once this worker has drained. Default: when the
   * process handles SIGTERM (Nest's `enableShutdownHooks()`), raise it, so the application closes
   * as on `kill`; otherwise only this worker stops.
   */
  onShutdownRequest?: () => void;
  /**
   * Where this worker's lines go — the worker itself, its executor, its pools and its remote
   * control — if not where the module's `logger` option sends them (a Nest `LoggerService`, or
   * `false` for none). Default: the module's `logger` option.
   */
  logger?: CeleriacLoggerOption;
}
