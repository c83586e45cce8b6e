import type { CeleriacLoggerOption } from './logging/celeriac-logger.js';
import type { SigningOptions } from './protocol/message-signer.js';
import type { QueueProtocol } from './protocol/queue-protocol.js';
import type { ScheduleSpec } from './scheduler/schedule-options.interface.js';
import type { PoolKind } from './worker/pools/pool.interface.js';
import type { TlsOptions } from './brokers/tls-options.js';

/** How one queue runs its tasks on a worker. */
export interface QueueOptions {
  /**
   * `solo`: one at a time, in order. `async` (default): many concurrent awaits, for I/O.
   * `threads` / `processes`: real parallelism for CPU-bound work.
   */
  pool?: PoolKind;
  /**
   * Tasks run at once per worker (and the broker prefetch). Default: 1 for solo, 100 for async,
   * the number of CPUs for threads and processes (one child each).
   */
  concurrency?: number;
  /**
   * threads / processes: the module each child loads to boot the application. Default: the
   * `CELERIAC_POOL_ENTRY` environment variable, else `process.argv[1]` (the app's own entry).
   */
  entry?: string;
  /** threads / processes: replace a child after it has run this many tasks (default: never). */
  maxTasksPerChild?: number;
  /**
   * threads / processes: replace a child after a task leaves it using more than this many MB
   * (resident memory of a process; heap of a thread). Checked after each task (default: never).
   */
  maxMemoryPerChild?: number;
  /** threads / processes: V8 heap ceiling of each child in MB; a task exceeding it fails alone. */
  maxHeapPerChild?: number;
  /**
   * threads / processes: after a task's time limit (or a shutdown) aborts its signal, the task
   * gets this long to stop before its child is terminated and replaced (default 1 000 ms).
   */
  hardTimeLimitGraceMs?: number;
  /** threads / processes: a child that has not booted within this long is killed (default 30 000 ms). */
  bootTimeoutMs?: number;
  /**
   * Wire format: `celeriac` (default), or `celery` to share the queue with Python Celery apps
   * (Celery's message protocol v2, queue names and layout; see README "Celery interoperability").
   */
  protocol?: QueueProtocol;
}

/** A queue's options after defaults: pool and concurrency are always known. */
export type ResolvedQueueOptions = QueueOptions & Required<Pick<QueueOptions, 'pool' | 'concurrency'>>;

/** Options of `CeleriacModule.forRoot()`. */
export interface CeleriacModuleOptions {
  /** `redis://…`, `amqp://…`, or unset / `memory://` for the embedded in-process broker. */
  broker?: string;
  /** Where results live. Default: the broker's Redis for `redis://`, the embedded memory backend otherwise. */
  backend?: string;
  /** Namespace of every key and queue name (default `celeriac`). */
  prefix?: string;
  /** Queue table: name → pool and concurrency. Default `{ default: { pool: 'async' } }`. */
  queues?: Record<string, QueueOptions>;
  /** API nodes that only send: no worker may attach. */
  producerOnly?: boolean;
  /** How long states and results are kept, in ms (default 1 day). */
  resultTtl?: number;
  /** Largest message a producer may send, in bytes (default 1 MiB). */
  maxPayloadBytes?: number;
  /**
   * Largest message body a worker accepts, in bytes (default `maxPayloadBytes` + 4 KiB, room for
   * what a retry adds). A larger one is dead-lettered by the broker's consumer before it is parsed
   * or handed to the worker, and its dead-letter copy keeps only the first 1 KiB of the body, its
   * size and its headers. Checked on the built-in brokers (memory, Redis, RabbitMQ).
   */
  maxReceiveBytes?: number;
  /**
   * Sign messages (HMAC-SHA256 of the body, in a `celeriac-signature` header) and accept only
   * messages signed with `key` or one of `previousKeys`: anything else is dead-lettered with the
   * reason, never run. Applies to Celeriac-protocol queues; `protocol: 'celery'` queues are left
   * unsigned (Python Celery neither sends nor checks this signature), with a warning at start-up.
   */
  signing?: SigningOptions;
  /** A message delivered this often without an outcome is dead-lettered as poison (default 5). */
  maxDeliveries?: number;
  /**
   * Record STARTED when a worker begins a task (default false, as Celery's `task_track_started`):
   * one more write per task. A task's own `@Task({ trackStarted })` wins.
   */
  trackStarted?: boolean;
  /**
   * Publish task events (task-sent from producers; received, started, succeeded, failed, retried,
   * revoked, progress from workers) on the broker's event bus, for monitors (`CeleriacEvents`,
   * dashboards, metrics). Default false, as Celery's `-E`. Worker events (online, heartbeat,
   * offline) are always published: they are what `CeleriacControl.workers()` knows workers by.
   */
  events?: boolean;
  /**
   * TLS settings (`ca`, `cert`, `key`, `passphrase`, `servername`, `rejectUnauthorized`; PEM contents)
   * for every `rediss://` and `amqps://` connection: broker, result backend and control plane, so a
   * private CA is given once. `brokerOptions.redisOptions.tls` / `backendOptions.redisOptions.tls`
   * fields win where both are set.
   */
  tls?: TlsOptions;
  /**
   * Refuse at start-up a broker or result backend URL that is not encrypted (`redis://`, `amqp://`);
   * `rediss://`, `amqps://` and the in-process `memory://` pass. Default false.
   */
  requireTls?: boolean;
  /** Broker-specific settings (see the broker's documentation). */
  brokerOptions?: Record<string, unknown>;
  /** Backend-specific settings. */
  backendOptions?: Record<string, unknown>;
  /**
   * Where Celeriac's own lines go: the application's Nest `LoggerService`, or `false` for none.
   * Default: Nest's `Logger` (so whatever logger the application gave Nest).
   */
  logger?: CeleriacLoggerOption;
  /**
   * Warn (on the sending side) when a queue this process sent to still holds tasks this many ms later
   * and no worker consumes it; `false` turns it off. One broker stats call per queue per window, only
   * while sending. Default 30 000.
   */
  unconsumedQueueWarning?: number | false;
  /** Periodic tasks by schedule id: `{ nightly: { task: 'Reports.render', cron: '0 2 * * *' } }`. */
  schedules?: Record<string, ScheduleSpec>;
  /**
   * Run the beat (the scheduler that fires periodic tasks) in this application even without a
   * worker, e.g. on API nodes. Any number of nodes may run it; each tick still fires once.
   */
  beat?: boolean;
}

/** Options after defaults are applied. */
export interface ResolvedCeleriacOptions {
  broker: string;
  backend: string;
  prefix: string;
  queues: Record<string, ResolvedQueueOptions>;
  producerOnly: boolean;
  resultTtl: number;
  maxPayloadBytes: number;
  maxReceiveBytes: number;
  signing?: SigningOptions;
  maxDeliveries: number;
  trackStarted: boolean;
  events: boolean;
  brokerOptions: Record<string, unknown>;
  backendOptions: Record<string, unknown>;
  tls?: TlsOptions;
  logger?: CeleriacLoggerOption;
  unconsumedQueueWarning: number | false;
  /** Undefined when the module declares none (then a node prunes no module-declared schedule). */
  schedules?: Record<string, ScheduleSpec>;
  beat: boolean;
}
